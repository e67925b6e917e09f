/** kWh per bucket as bars or a line, with the device's hourly limit drawn across. */

import { Table } from '@mantine/core';
import {
  Bar,
  BarChart,
  CartesianGrid,
  Cell,
  Line,
  LineChart,
  ReferenceLine,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import type { Bucket } from '../api/types';

export type ChartKind = 'bar' | 'line' | 'table';

export interface ConsumptionChartProps {
  buckets: Bucket[];
  /** One label per bucket, in the viewer's time zone. */
  labels: string[];
  /** Drawn as a line when the buckets are hours (a day's limit per hour). */
  limitKwh?: number | null;
  kind: ChartKind;
  /** What the chart shows, for screen readers. */
  description: string;
  height?: number;
}

const OVER = 'var(--mantine-color-red-6)';
const UNDER = 'var(--mantine-color-blue-6)';

export function ConsumptionChart({
  buckets,
  labels,
  limitKwh,
  kind,
  description,
  height = 320,
}: ConsumptionChartProps) {
  const rows = buckets.map((bucket, index) => ({
    key: bucket.start,
    label: labels[index],
    kwh: bucket.kwh,
  }));
  const over = (kwh: number) => limitKwh != null && kwh > limitKwh;

  if (kind === 'table') {
    return (
      <Table striped aria-label={description} data-testid="consumption-table">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Period</Table.Th>
            <Table.Th ta="right">kWh</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((row) => (
            <Table.Tr key={row.key} c={over(row.kwh) ? 'red' : undefined}>
              <Table.Td>{row.label}</Table.Td>
              <Table.Td ta="right">{row.kwh.toFixed(3)}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    );
  }

  const limitLine =
    limitKwh != null ? (
      <ReferenceLine
        y={limitKwh}
        stroke={OVER}
        strokeDasharray="6 4"
        ifOverflow="extendDomain"
        label={{ value: `Limit ${limitKwh} kWh`, position: 'insideTopRight', fill: OVER }}
      />
    ) : null;
  const axes = [
    <CartesianGrid key="grid" strokeDasharray="3 3" vertical={false} />,
    <XAxis key="x" dataKey="label" interval="preserveStartEnd" minTickGap={8} fontSize={12} />,
    <YAxis key="y" unit=" kWh" width={72} fontSize={12} />,
    <Tooltip key="tip" formatter={(value: number) => [`${value.toFixed(3)} kWh`, 'Used']} />,
  ];

  return (
    <div role="img" aria-label={description} data-testid="consumption-chart" data-buckets={rows.length}>
      <ResponsiveContainer width="100%" height={height} initialDimension={{ width: 720, height }}>
        {kind === 'bar' ? (
          <BarChart data={rows} margin={{ top: 16, right: 8, left: 0, bottom: 0 }}>
            {axes}
            <Bar dataKey="kwh" name="kWh" isAnimationActive={false}>
              {rows.map((row) => (
                <Cell key={row.key} fill={over(row.kwh) ? OVER : UNDER} />
              ))}
            </Bar>
            {limitLine}
          </BarChart>
        ) : (
          <LineChart data={rows} margin={{ top: 16, right: 8, left: 0, bottom: 0 }}>
            {axes}
            <Line
              dataKey="kwh"
              name="kWh"
              stroke={UNDER}
              strokeWidth={2}
              dot={{ r: 3 }}
              isAnimationActive={false}
            />
            {limitLine}
          </LineChart>
        )}
      </ResponsiveContainer>
    </div>
  );
}
