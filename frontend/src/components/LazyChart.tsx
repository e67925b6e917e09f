/**
 * The chart library is the app's largest piece: it is fetched only when a page draws a
 * chart, and the space the chart will take is held meanwhile so nothing jumps.
 */

import { Center, Loader } from '@mantine/core';
import { lazy, Suspense } from 'react';
import type { ConsumptionChartProps } from './ConsumptionChart';
import type { TopConsumersChartProps } from './TopConsumersChart';

const ConsumptionChartModule = lazy(() =>
  import('./ConsumptionChart').then((module) => ({ default: module.ConsumptionChart })),
);
const TopConsumersModule = lazy(() =>
  import('./TopConsumersChart').then((module) => ({ default: module.TopConsumersChart })),
);

function Holder({ height }: { height: number }) {
  return (
    <Center h={height} role="status" aria-label="Loading the chart">
      <Loader size="sm" />
    </Center>
  );
}

export function ConsumptionChart(props: ConsumptionChartProps) {
  return (
    <Suspense fallback={<Holder height={(props.height ?? 320) + 40} />}>
      <ConsumptionChartModule {...props} />
    </Suspense>
  );
}

export function TopConsumersChart(props: TopConsumersChartProps) {
  return (
    <Suspense fallback={<Holder height={36 * props.rows.length + 40} />}>
      <TopConsumersModule {...props} />
    </Suspense>
  );
}
