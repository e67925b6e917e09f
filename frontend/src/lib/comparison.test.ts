import type { Bucket } from '../api/types';
import { alignEarlier, earlierName, earlierSeries } from './comparison';
import { differenceLabel, formatMoney, percentChange } from './money';

const hours = (starts: string[]): Bucket[] => starts.map((start, index) => ({ start, kwh: index + 1, cost: null }));

/** Every local hour of a Bucharest day, as the API writes their starts. */
function day(date: string, offsets: string[]): string[] {
  return offsets.map((offset, hour) => `${date}T${String(hour).padStart(2, '0')}:00:00${offset}`);
}

describe('alignEarlier', () => {
  it('pairs a 24-hour day with the 23-hour day before by wall-clock hour', () => {
    // 2026-03-29: 00, 01, 02 at +02:00, then 04..23 at +03:00 (03:00 does not exist)
    const spring = [
      ...day('2026-03-29', ['+02:00', '+02:00', '+02:00']),
      ...Array.from({ length: 20 }, (_, n) => `2026-03-29T${String(n + 4).padStart(2, '0')}:00:00+03:00`),
    ];
    const monday = day('2026-03-30', Array(24).fill('+03:00'));
    const paired = alignEarlier(hours(monday), hours(spring), true);
    expect(paired).toHaveLength(24);
    expect(paired[2]?.start).toBe('2026-03-29T02:00:00+02:00');
    expect(paired[3]).toBeNull(); // no 03:00 the day before
    expect(paired[4]?.start).toBe('2026-03-29T04:00:00+03:00');
    expect(paired.filter(Boolean)).toHaveLength(23);
  });

  it('pairs a repeated hour with its own occurrence on a 25-hour day', () => {
    const autumn = [
      ...day('2026-10-25', ['+03:00', '+03:00', '+03:00', '+03:00']),
      '2026-10-25T03:00:00+02:00',
      ...Array.from({ length: 20 }, (_, n) => `2026-10-25T${String(n + 4).padStart(2, '0')}:00:00+02:00`),
    ];
    const before = day('2026-10-24', Array(24).fill('+03:00'));
    const paired = alignEarlier(hours(autumn), hours(before), true);
    expect(paired).toHaveLength(25);
    expect(paired[3]?.start).toBe('2026-10-24T03:00:00+03:00');
    expect(paired[4]).toBeNull(); // the second 03:00 has no counterpart
    expect(paired[24]?.start).toBe('2026-10-24T23:00:00+03:00');
  });

  it('pairs days by position', () => {
    const week = hours(['2026-11-30T00:00:00+02:00', '2026-12-01T00:00:00+02:00']);
    const last = hours(['2026-11-23T00:00:00+02:00', '2026-11-24T00:00:00+02:00', '2026-11-25T00:00:00+02:00']);
    expect(alignEarlier(week, last, false).map((b) => b?.start)).toEqual([last[0].start, last[1].start]);
  });
});

describe('earlierSeries', () => {
  it('draws nothing beside a period when the earlier one used nothing', () => {
    const now = hours(['2026-12-01T00:00:00+02:00']);
    expect(earlierSeries(now, undefined)).toBeUndefined();
    expect(earlierSeries(now, { total_kwh: 0, hours: hours(['2026-11-30T00:00:00+02:00']) })).toBeUndefined();
    expect(earlierSeries(now, { total_kwh: 1, hours: hours(['2026-11-30T00:00:00+02:00']) })?.[0]?.kwh).toBe(1);
  });
});

describe('money and differences', () => {
  it('writes amounts in their currency and differences with their sign', () => {
    expect(formatMoney(1.5, 'EUR')).toBe('€1.50');
    expect(formatMoney(120, 'JPY')).toBe('JP¥120');
    expect(formatMoney(null, 'EUR')).toBe('–');
    expect(differenceLabel(1.2, 12.5)).toBe('+12.5% (+1.20 kWh)');
    expect(differenceLabel(-0.4, -3)).toBe('−3.0% (−0.40 kWh)');
    expect(differenceLabel(2, null)).toBe('+2.00 kWh');
    expect(percentChange(11, 10)).toBe(10);
    expect(percentChange(1, 0)).toBeNull();
    expect(earlierName('previous', 'day')).toBe('Yesterday');
    expect(earlierName('week', 'week')).toBe('Last week');
  });
});
