/**
 * kWh per bucket as bars or a line, with the device's hourly limit drawn across; or a
 * table. Every bucket keeps its label (a 25-hour day shows all 25, the repeated hour
 * with its offset on a second line); where the width cannot hold them side by side (a
 * phone), the buckets run down the page as rows, each label on its own line. The
 * limit is named in a legend above the plot where no bar can cover it, periods not
 * complete yet are drawn lighter, and dragging across the plot zooms into those buckets.
 * With a tariff, each bucket's cost shows in the tooltip and the table; an earlier period
 * (yesterday, last week...) is drawn beside it in grey as a second series.
 *
 * This module holds the chart library: pages load it through LazyConsumptionChart.
 */

import { Box, Button, Group, Loader, Table, Text } from '@mantine/core';
import { useState } from 'react';
import {
  Bar,
  BarChart,
  CartesianGrid,
  Cell,
  Line,
  LineChart,
  ReferenceArea,
  ReferenceLine,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import type { Bucket } from '../api/types';
import { formatMoney } from '../lib/money';

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
  /** Buckets whose period is not complete (today so far, a month cut by the range). */
  partial?: boolean[];
  /** New figures are on their way: the chart stays, dimmed, instead of jumping. */
  loading?: boolean;
  /** The currency of the buckets' costs; without one, only kWh shows. */
  currency?: string | null;
  /** The earlier period's bucket beside each bucket (null where it has none). */
  earlier?: Array<Bucket | null>;
  /** What the earlier period is called ("Yesterday", "Last week"). */
  earlierName?: string;
}

const OVER = 'var(--mantine-color-red-7)';
const UNDER = 'var(--mantine-color-blue-7)';
const GRID = 'var(--mantine-color-gray-3)';
const EARLIER = 'var(--mantine-color-gray-5)';
/** Below this much width per label, the buckets become rows. */
const ROWS_BELOW_PX = 38;
const ROW_PX = 24;

interface Row {
  key: string;
  label: string;
  kwh: number;
  cost: number | null;
  earlier: number | null;
  earlierCost: number | null;
  partial: boolean;
}

interface TickProps {
  x?: number;
  y?: number;
  payload?: { value: string };
}

/** "03:00 GMT+2" as "03:00" over "GMT+2" under a column; on one line beside a row. */
function BucketTick({ x = 0, y = 0, payload, rows }: TickProps & { rows: boolean }) {
  const [main, ...rest] = String(payload?.value ?? '').split(' ');
  const extra = rest.join(' ');
  if (rows) {
    return (
      <text x={x - 4} y={y} textAnchor="end" dominantBaseline="central" fontSize={12} fill="var(--mantine-color-gray-8)">
        {extra ? `${main} ${extra}` : main}
      </text>
    );
  }
  return (
    <text x={x} y={y + 12} textAnchor="middle" fontSize={12} fill="var(--mantine-color-gray-8)">
      <tspan x={x}>{main}</tspan>
      {extra && (
        <tspan x={x} dy={14} fontSize={10}>
          {extra}
        </tspan>
      )}
    </text>
  );
}

function Legend({
  limitKwh,
  partial,
  zoomed,
  onReset,
  earlierName,
}: {
  limitKwh?: number | null;
  partial: boolean;
  zoomed: boolean;
  onReset: () => void;
  earlierName?: string;
}) {
  return (
    <Group gap="md" justify="space-between" wrap="wrap" mb={4} data-testid="chart-legend">
      <Group gap="md" wrap="wrap">
        {earlierName && (
          <Group gap={6} wrap="nowrap" data-testid="earlier-legend">
            <Box w={12} h={12} bg={EARLIER} style={{ borderRadius: 2 }} aria-hidden />
            <Text size="sm">{earlierName}</Text>
          </Group>
        )}
        {limitKwh != null && (
          <Group gap={6} wrap="nowrap" data-testid="limit-label">
            <svg width="24" height="8" aria-hidden>
              <line x1="0" y1="4" x2="24" y2="4" stroke={OVER} strokeWidth="2" strokeDasharray="6 4" />
            </svg>
            <Text size="sm">Limit {limitKwh} kWh</Text>
          </Group>
        )}
        {limitKwh != null && (
          <Group gap={6} wrap="nowrap">
            <Box w={12} h={12} bg={OVER} style={{ borderRadius: 2 }} aria-hidden />
            <Text size="sm">Over the limit</Text>
          </Group>
        )}
        {partial && (
          <Group gap={6} wrap="nowrap" data-testid="partial-legend">
            <Box w={12} h={12} bg={UNDER} style={{ borderRadius: 2, opacity: 0.4 }} aria-hidden />
            <Text size="sm">Lighter: a partial period, so far</Text>
          </Group>
        )}
      </Group>
      {zoomed ? (
        <Button size="compact-xs" variant="default" onClick={onReset}>
          Reset zoom
        </Button>
      ) : (
        <Text size="xs" c="gray.7" visibleFrom="sm">
          Drag across the chart to zoom in
        </Text>
      )}
    </Group>
  );
}

export function ConsumptionChart({
  buckets,
  labels,
  limitKwh,
  kind,
  description,
  height = 320,
  partial = [],
  loading = false,
  currency = null,
  earlier,
  earlierName,
}: ConsumptionChartProps) {
  const [width, setWidth] = useState(720);
  const [zoom, setZoom] = useState<[number, number] | null>(null);
  const [drag, setDrag] = useState<{ from: number; to: number } | null>(null);

  const all: Row[] = buckets.map((bucket, index) => ({
    key: bucket.start,
    label: labels[index],
    kwh: bucket.kwh,
    cost: bucket.cost ?? null,
    earlier: earlier?.[index]?.kwh ?? null,
    earlierCost: earlier?.[index]?.cost ?? null,
    partial: Boolean(partial[index]),
  }));
  const priced = Boolean(currency);
  const compared = Boolean(earlier && earlierName);
  const [first, last] = zoom && zoom[1] < all.length ? zoom : [0, all.length - 1];
  const rows = all.slice(first, last + 1);
  const over = (kwh: number) => limitKwh != null && kwh > limitKwh;
  const partialCount = rows.filter((row) => row.partial).length;

  if (kind === 'table') {
    return (
      <Table striped aria-label={description} data-testid="consumption-table">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Period</Table.Th>
            <Table.Th ta="right">kWh</Table.Th>
            {priced && <Table.Th ta="right">Cost</Table.Th>}
            {compared && <Table.Th ta="right">{earlierName} kWh</Table.Th>}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {all.map((row) => (
            <Table.Tr key={row.key} c={over(row.kwh) ? 'red.8' : undefined}>
              <Table.Td>
                {row.label}
                {row.partial ? ' (so far)' : ''}
              </Table.Td>
              <Table.Td ta="right">{row.kwh.toFixed(3)}</Table.Td>
              {priced && <Table.Td ta="right">{formatMoney(row.cost, currency)}</Table.Td>}
              {compared && <Table.Td ta="right">{row.earlier === null ? '–' : row.earlier.toFixed(3)}</Table.Td>}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    );
  }

  const asRows = rows.length > 0 && (width - 80) / rows.length < ROWS_BELOW_PX;
  const twoLines = labels.some((label) => label.includes(' '));
  const plotHeight = asRows ? rows.length * ROW_PX + 40 : height;
  const limitLine =
    limitKwh != null ? (
      <ReferenceLine
        {...(asRows ? { x: limitKwh } : { y: limitKwh })}
        stroke={OVER}
        strokeDasharray="6 4"
        strokeWidth={2}
        ifOverflow="extendDomain"
      />
    ) : null;
  const indexOf = (state: { activeTooltipIndex?: number } | null) =>
    state && typeof state.activeTooltipIndex === 'number' ? state.activeTooltipIndex : null;
  const pointer = {
    onMouseDown: (state: { activeTooltipIndex?: number } | null) => {
      const index = indexOf(state);
      if (index !== null) setDrag({ from: index, to: index });
    },
    onMouseMove: (state: { activeTooltipIndex?: number } | null) => {
      const index = indexOf(state);
      if (drag && index !== null) setDrag({ ...drag, to: index });
    },
    onMouseUp: () => {
      if (drag && drag.from !== drag.to) {
        const [a, b] = [drag.from, drag.to].sort((x, y) => x - y);
        setZoom([first + a, first + b]);
      }
      setDrag(null);
    },
  };
  const selection =
    drag && drag.from !== drag.to ? (
      <ReferenceArea
        {...(asRows
          ? { y1: rows[Math.min(drag.from, drag.to)]?.label, y2: rows[Math.max(drag.from, drag.to)]?.label }
          : { x1: rows[Math.min(drag.from, drag.to)]?.label, x2: rows[Math.max(drag.from, drag.to)]?.label })}
        fill="var(--mantine-color-blue-2)"
        fillOpacity={0.5}
      />
    ) : null;
  const bucketAxis = { dataKey: 'label', interval: 0 as const, tickLine: false, tick: <BucketTick rows={asRows} /> };
  const kwhAxis = { unit: ' kWh', fontSize: 12, tick: { fill: 'var(--mantine-color-gray-8)' } };
  const axes = [
    <CartesianGrid key="grid" strokeDasharray="3 3" vertical={asRows} horizontal={!asRows} stroke={GRID} />,
    asRows ? (
      <YAxis key="buckets" type="category" width={twoLines ? 96 : 56} {...bucketAxis} />
    ) : (
      <XAxis key="buckets" height={twoLines ? 40 : 28} {...bucketAxis} />
    ),
    asRows ? (
      <XAxis key="kwh" type="number" height={24} {...kwhAxis} />
    ) : (
      <YAxis key="kwh" width={72} {...kwhAxis} />
    ),
    <Tooltip
      key="tip"
      formatter={(value: number, name, item) => {
        const row = item?.payload as Row | undefined;
        const isEarlier = name === 'earlier';
        const cost = isEarlier ? row?.earlierCost : row?.cost;
        const money = priced && cost != null ? ` · ${formatMoney(cost, currency)}` : '';
        const sofar = !isEarlier && row?.partial ? ' so far' : '';
        return [`${value.toFixed(3)} kWh${money}${sofar}`, isEarlier ? earlierName : 'Used'];
      }}
    />,
  ];

  return (
    <Box
      pos="relative"
      data-testid="consumption-chart"
      data-buckets={rows.length}
      data-partial-buckets={partialCount}
      data-loading={loading}
      data-layout={asRows ? 'rows' : 'columns'}
      data-earlier={compared ? earlierName : undefined}
      aria-busy={loading}
      style={{ userSelect: 'none' }}
    >
      <Legend
        limitKwh={limitKwh}
        partial={partialCount > 0}
        zoomed={zoom !== null}
        onReset={() => setZoom(null)}
        earlierName={compared ? earlierName : undefined}
      />
      <div
        role="img"
        aria-label={description}
        style={{ opacity: loading ? 0.45 : 1, transition: 'opacity 150ms' }}
      >
        <ResponsiveContainer
          width="100%"
          height={plotHeight}
          initialDimension={{ width: 720, height: plotHeight }}
          onResize={(next) => setWidth(next)}
        >
          {kind === 'bar' ? (
            <BarChart data={rows} layout={asRows ? 'vertical' : 'horizontal'} margin={{ top: 8, right: 12, left: 0, bottom: 0 }} {...pointer}>
              {axes}
              {compared && <Bar dataKey="earlier" name="earlier" fill={EARLIER} isAnimationActive={false} />}
              <Bar dataKey="kwh" name="kWh" isAnimationActive={false}>
                {rows.map((row) => (
                  <Cell
                    key={row.key}
                    className={row.partial ? 'bucket-partial' : undefined}
                    fill={over(row.kwh) ? OVER : UNDER}
                    fillOpacity={row.partial ? 0.4 : 1}
                  />
                ))}
              </Bar>
              {limitLine}
              {selection}
            </BarChart>
          ) : (
            <LineChart data={rows} layout={asRows ? 'vertical' : 'horizontal'} margin={{ top: 8, right: 12, left: 0, bottom: 0 }} {...pointer}>
              {axes}
              {compared && (
                <Line dataKey="earlier" name="earlier" stroke={EARLIER} strokeDasharray="4 3" strokeWidth={2} dot={false} isAnimationActive={false} />
              )}
              <Line
                dataKey="kwh"
                name="kWh"
                stroke={UNDER}
                strokeWidth={2}
                dot={(props: { cx?: number; cy?: number; index?: number }) => {
                  const row = rows[props.index ?? 0];
                  return (
                    <circle
                      key={row?.key ?? props.index}
                      className={`recharts-line-dot${row?.partial ? ' bucket-partial' : ''}`}
                      cx={props.cx}
                      cy={props.cy}
                      r={row?.partial ? 4 : 3}
                      stroke={UNDER}
                      strokeWidth={2}
                      fill={row?.partial ? 'var(--mantine-color-white)' : UNDER}
                    />
                  );
                }}
                isAnimationActive={false}
              />
              {limitLine}
              {selection}
            </LineChart>
          )}
        </ResponsiveContainer>
      </div>
      {loading && (
        <Loader size="sm" pos="absolute" top="50%" left="50%" aria-label="Loading new figures" style={{ transform: 'translate(-50%, -50%)' }} />
      )}
    </Box>
  );
}
