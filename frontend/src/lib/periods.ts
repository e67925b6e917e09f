/**
 * The periods a consumption chart shows: a day by hour, a week or a month by day, a year
 * by month, or a chosen range; moving to the previous or next one; and which of their
 * buckets are partial (still running, or cut by the range's ends).
 * Dates are local calendar days as YYYY-MM-DD, compared as text.
 */

import { addDays } from './time';

export type View = 'day' | 'week' | 'month' | 'year' | 'range';
export type Per = 'day' | 'month';

export interface Period {
  from: string;
  to: string;
  granularity: 'hour' | Per;
}

/** A real calendar day written YYYY-MM-DD (not "2026-02-30", not "yesterday"). */
export function isDate(text: string | null | undefined): text is string {
  if (!text || !/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const [year, month, day] = text.split('-').map(Number);
  const moved = new Date(Date.UTC(year, month - 1, day));
  return moved.getUTCFullYear() === year && moved.getUTCMonth() === month - 1 && moved.getUTCDate() === day;
}

function weekday(date: string): number {
  const [year, month, day] = date.split('-').map(Number);
  return (new Date(Date.UTC(year, month - 1, day)).getUTCDay() + 6) % 7; // Monday 0
}

export function monthStart(date: string): string {
  return `${date.slice(0, 7)}-01`;
}

export function monthEnd(date: string): string {
  const [year, month] = date.split('-').map(Number);
  return new Date(Date.UTC(year, month, 0)).toISOString().slice(0, 10);
}

export function addMonths(date: string, months: number): string {
  const [year, month] = date.split('-').map(Number);
  return new Date(Date.UTC(year, month - 1 + months, 1)).toISOString().slice(0, 10);
}

const min = (a: string, b: string) => (a < b ? a : b);

/** The period of `view` around `anchor`, never past `today`. */
export function periodOf(view: Exclude<View, 'range'>, anchor: string, today: string): Period {
  switch (view) {
    case 'day':
      return { from: anchor, to: anchor, granularity: 'hour' };
    case 'week': {
      const from = addDays(anchor, -weekday(anchor));
      return { from, to: min(addDays(from, 6), today), granularity: 'day' };
    }
    case 'month':
      return { from: monthStart(anchor), to: min(monthEnd(anchor), today), granularity: 'day' };
    case 'year':
      return { from: `${anchor.slice(0, 4)}-01-01`, to: min(`${anchor.slice(0, 4)}-12-31`, today), granularity: 'month' };
  }
}

/** The anchor of the period before (-1) or after (+1). */
export function shift(view: Exclude<View, 'range'>, anchor: string, step: -1 | 1): string {
  switch (view) {
    case 'day':
      return addDays(anchor, step);
    case 'week':
      return addDays(anchor, 7 * step);
    case 'month':
      return addMonths(anchor, step);
    case 'year':
      return `${Number(anchor.slice(0, 4)) + step}-01-01`;
  }
}

/** Whether the period holds today, so that there is no next one to see yet. */
export function isCurrent(period: Period, today: string): boolean {
  return period.to >= today;
}

/** The preset ranges offered beside the range picker. */
export function presets(today: string): Array<{ label: string; from: string; to: string; per: Per }> {
  return [
    { label: 'Last 7 days', from: addDays(today, -6), to: today, per: 'day' },
    { label: 'Last 30 days', from: addDays(today, -29), to: today, per: 'day' },
    { label: 'This month', from: monthStart(today), to: today, per: 'day' },
    { label: 'Last 12 months', from: addMonths(today, -11), to: today, per: 'month' },
  ];
}

/**
 * Which buckets are partial. A day bucket is partial while it is today; a month bucket
 * while it holds today or when the range covers only some of its days; an hour while it
 * is running (`now` is an instant).
 */
export function partialBuckets(
  starts: string[],
  period: Period,
  today: string,
  now: Date = new Date(),
): boolean[] {
  return starts.map((start) => {
    if (period.granularity === 'hour') {
      const begins = Date.parse(start);
      return begins <= now.getTime() && now.getTime() < begins + 3_600_000;
    }
    const day = start.slice(0, 10);
    if (period.granularity === 'day') return day === today;
    const first = monthStart(day);
    const last = monthEnd(day);
    return period.from > first || period.to < last || (first <= today && today <= last);
  });
}
