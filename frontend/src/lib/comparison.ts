/**
 * The earlier period's buckets set beside the current ones, for a second series.
 *
 * Hours pair by their local wall-clock time, so that yesterday's 04:00 stands beside
 * today's 04:00 even when one day has 23 or 25 hours: an hour the other day does not
 * have stays empty (null), and a repeated hour pairs with the same occurrence of it.
 * Days and months pair by position: the first day of a week or month with the first.
 */

import type { Bucket } from '../api/types';

/** "04:00#1" for the first 04:00 of a local day, "04:00#2" for a repeated one. */
function wallClockKeys(buckets: Bucket[]): string[] {
  const seen = new Map<string, number>();
  return buckets.map((bucket) => {
    const time = bucket.start.slice(11, 16);
    const count = (seen.get(time) ?? 0) + 1;
    seen.set(time, count);
    return `${time}#${count}`;
  });
}

export function alignEarlier(current: Bucket[], earlier: Bucket[], hourly: boolean): Array<Bucket | null> {
  if (!hourly) return current.map((_, index) => earlier[index] ?? null);
  const keys = wallClockKeys(earlier);
  const byKey = new Map(keys.map((key, index) => [key, earlier[index]]));
  return wallClockKeys(current).map((key) => byKey.get(key) ?? null);
}

/** The earlier series to draw, or nothing when there is no comparison or it used nothing. */
export function earlierSeries(
  current: Bucket[],
  comparison: { total_kwh: number; hours?: Bucket[]; buckets?: Bucket[] } | undefined,
): Array<Bucket | null> | undefined {
  if (!comparison || comparison.total_kwh === 0) return undefined;
  if (comparison.hours) return alignEarlier(current, comparison.hours, true);
  return comparison.buckets ? alignEarlier(current, comparison.buckets, false) : undefined;
}

/** What a comparison is called beside the current period. */
export function earlierName(compare: string, view: string): string {
  if (compare === 'week') return 'Last week';
  if (compare === 'month') return 'Last month';
  if (compare === 'year') return 'Last year';
  return view === 'day' ? 'Yesterday' : 'Before';
}
