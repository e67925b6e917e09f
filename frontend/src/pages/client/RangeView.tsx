/** One device's consumption over a longer period, per day or per month. */

import { Group, Paper, SegmentedControl, Stack, Text } from '@mantine/core';
import { DatePickerInput } from '@mantine/dates';
import { useState } from 'react';
import { rangePath, useRangeConsumption } from '../../api/monitoring';
import { ChartKindControl, CsvButton, useCsvDownload } from '../../components/ChartControls';
import { ErrorMessage } from '../../components/ErrorMessage';
import { ConsumptionChart, type ChartKind } from '../../components/ConsumptionChart';
import { QueryState } from '../../components/QueryState';
import { addDays, bucketLabel, dateIn, formatKwh } from '../../lib/time';

type Period = [string | null, string | null];

export function RangeView({ deviceId, deviceName, timeZone }: { deviceId: string; deviceName: string; timeZone: string }) {
  const today = dateIn(timeZone);
  const [period, setPeriod] = useState<Period>([addDays(today, -29), today]);
  const [granularity, setGranularity] = useState<'day' | 'month'>('day');
  const [kind, setKind] = useState<ChartKind>('bar');
  const csv = useCsvDownload();
  const [from, to] = period;
  const consumption = useRangeConsumption(deviceId, from, to, granularity);

  const download = () => {
    if (!from || !to) return;
    csv.download(
      rangePath(deviceId, from, to, granularity, 'csv'),
      `${deviceName}-${from}-${to}-${granularity}.csv`,
    );
  };

  return (
    <Stack>
      <Group align="flex-end" gap="xs" wrap="wrap">
        <DatePickerInput
          type="range"
          label="Period"
          value={period}
          onChange={(value) => setPeriod(value as Period)}
          maxDate={today}
          valueFormat="D MMM YYYY"
          w={260}
        />
        <SegmentedControl
          aria-label="Per"
          value={granularity}
          onChange={(value) => setGranularity(value as 'day' | 'month')}
          data={[
            { value: 'day', label: 'Per day' },
            { value: 'month', label: 'Per month' },
          ]}
        />
        <ChartKindControl value={kind} onChange={setKind} />
        <CsvButton onClick={download} disabled={!from || !to} />
      </Group>
      <ErrorMessage message={csv.error} />
      <Paper withBorder p="md" radius="md">
        {!from || !to ? (
          <Text c="dimmed">Pick the first and the last day of the period.</Text>
        ) : (
          <QueryState query={consumption} what="consumption">
            {(range) => (
              <Stack>
                <div>
                  <Text size="xs" c="dimmed">
                    Total from {range.from} to {range.to}
                  </Text>
                  <Text size="xl" fw={700} data-testid="range-total">
                    {formatKwh(range.total_kwh, 3)}
                  </Text>
                </div>
                <ConsumptionChart
                  buckets={range.buckets}
                  labels={range.buckets.map((bucket) =>
                    bucketLabel(bucket.start, range.granularity, range.timezone),
                  )}
                  kind={kind}
                  description={`kWh per ${range.granularity} from ${range.from} to ${range.to}: total ${range.total_kwh.toFixed(3)} kWh`}
                />
              </Stack>
            )}
          </QueryState>
        )}
      </Paper>
    </Stack>
  );
}
