/** A tiny line of recent values, drawn as plain SVG: no chart library on the device list. */

export function Sparkline({ values, label, width = 96, height = 28 }: { values: number[]; label: string; width?: number; height?: number }) {
  const top = Math.max(...values, 0.001);
  const step = values.length > 1 ? width / (values.length - 1) : width;
  const points = values.map((value, index) => `${(index * step).toFixed(1)},${(height - 2 - (value / top) * (height - 4)).toFixed(1)}`);
  return (
    <svg width={width} height={height} role="img" aria-label={label} data-testid="sparkline" data-points={values.length}>
      <polyline points={points.join(' ')} fill="none" stroke="var(--mantine-color-blue-7)" strokeWidth={1.5} strokeLinejoin="round" />
    </svg>
  );
}
