/** Costs as people read them: an amount in its currency, and how two periods differ. */

/** "€1.23" (the currency's own digits: "¥120", "KWD 0.125"); a dash when unknown. */
export function formatMoney(amount: number | null | undefined, currency: string | null | undefined): string {
  if (amount === null || amount === undefined || !currency || Number.isNaN(amount)) return '–';
  return new Intl.NumberFormat('en-GB', { style: 'currency', currency }).format(amount);
}

/** "+12.5% (+1.20 kWh)" or "−3.0% (−0.40 kWh)"; without a percentage from an empty period. */
export function differenceLabel(kwh: number, percent: number | null | undefined): string {
  const sign = (value: number) => (value > 0 ? '+' : value < 0 ? '−' : '±');
  const amount = `${sign(kwh)}${Math.abs(kwh).toFixed(2)} kWh`;
  if (percent === null || percent === undefined) return amount;
  return `${sign(percent)}${Math.abs(percent).toFixed(1)}% (${amount})`;
}

/** Percent of `now` against `before`, to a tenth; null when before is 0. */
export function percentChange(now: number, before: number): number | null {
  if (!before) return null;
  return Math.round(((now - before) / before) * 1000) / 10;
}
