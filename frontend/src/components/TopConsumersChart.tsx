/** Today's biggest consumers of the fleet as horizontal bars (loaded lazily: LazyChart). */

import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { formatKwh } from '../lib/time';

export interface TopConsumersChartProps {
  rows: Array<{ id: string; name: string; kwh: number }>;
}

export function TopConsumersChart({ rows }: TopConsumersChartProps) {
  return (
    <div
      data-testid="top-consumers"
      role="img"
      aria-label={`Today's biggest consumers: ${rows.map((row) => `${row.name} ${formatKwh(row.kwh)}`).join(', ')}`}
    >
      <ResponsiveContainer width="100%" height={36 * rows.length + 40}>
        <BarChart data={rows} layout="vertical" margin={{ left: 8, right: 24 }}>
          <CartesianGrid strokeDasharray="3 3" horizontal={false} />
          <XAxis type="number" unit=" kWh" />
          <YAxis type="category" dataKey="name" width={130} />
          <Tooltip formatter={(value: number) => formatKwh(value)} />
          <Bar dataKey="kwh" name="Today" fill="var(--mantine-color-blue-7)" isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}
