import { isDate, partialBuckets, periodOf, presets, shift } from './periods';

describe('periods', () => {
  it('takes only real calendar days from the address', () => {
    expect(isDate('2026-02-28')).toBe(true);
    expect(isDate('2024-02-29')).toBe(true);
    expect(isDate('2026-02-30')).toBe(false);
    expect(isDate('2026-13-01')).toBe(false);
    expect(isDate('yesterday')).toBe(false);
    expect(isDate(null)).toBe(false);
  });

  it('finds the week from Monday, the month and the year around a day, never past today', () => {
    const today = '2026-12-01'; // a Tuesday
    expect(periodOf('week', '2026-11-26', today)).toEqual({ from: '2026-11-23', to: '2026-11-29', granularity: 'day' });
    expect(periodOf('week', today, today)).toEqual({ from: '2026-11-30', to: today, granularity: 'day' });
    expect(periodOf('month', '2026-02-10', today)).toEqual({ from: '2026-02-01', to: '2026-02-28', granularity: 'day' });
    expect(periodOf('year', '2026-05-05', today)).toEqual({ from: '2026-01-01', to: today, granularity: 'month' });
    expect(periodOf('day', '2026-10-25', today)).toEqual({ from: '2026-10-25', to: '2026-10-25', granularity: 'hour' });
  });

  it('steps to the previous and next period', () => {
    expect(shift('day', '2026-03-01', -1)).toBe('2026-02-28');
    expect(shift('week', '2026-11-26', 1)).toBe('2026-12-03');
    expect(shift('month', '2026-01-31', 1)).toBe('2026-02-01');
    expect(shift('year', '2026-06-15', -1)).toBe('2025-01-01');
  });

  it('marks a month cut by the range, the running month and today as partial', () => {
    const today = '2026-12-01';
    const range = { from: '2026-11-02', to: today, granularity: 'month' as const };
    expect(partialBuckets(['2026-11-02T00:00:00+02:00', '2026-12-01T00:00:00+02:00'], range, today)).toEqual([true, true]);
    const whole = { from: '2026-01-01', to: '2026-12-31', granularity: 'month' as const };
    expect(partialBuckets(['2026-10-01T00:00:00+03:00', '2026-12-01T00:00:00+02:00'], whole, today)).toEqual([false, true]);
    const days = { from: '2026-11-30', to: today, granularity: 'day' as const };
    expect(partialBuckets(['2026-11-30T00:00:00+02:00', '2026-12-01T00:00:00+02:00'], days, today)).toEqual([false, true]);
    const hours = { from: today, to: today, granularity: 'hour' as const };
    const now = new Date('2026-12-01T10:30:00Z');
    expect(partialBuckets(['2026-12-01T09:00:00Z', '2026-12-01T10:00:00Z'], hours, today, now)).toEqual([false, true]);
  });

  it('offers last 7 days, this month and last 12 months', () => {
    const byLabel = Object.fromEntries(presets('2026-12-01').map((preset) => [preset.label, preset]));
    expect(byLabel['Last 7 days']).toMatchObject({ from: '2026-11-25', to: '2026-12-01', per: 'day' });
    expect(byLabel['This month']).toMatchObject({ from: '2026-12-01', to: '2026-12-01' });
    expect(byLabel['Last 12 months']).toMatchObject({ from: '2026-01-01', per: 'month' });
  });
});
