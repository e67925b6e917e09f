/** One device's consumption per hour for one day in the viewer's zone (23/24/25 hours). */

import { ActionIcon, Group, Paper, Stack, Text } from '@mantine/core';
import { DatePickerInput } from '@mantine/dates';
import { useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import { dayPath, useDayConsumption } from '../../api/monitoring';
import type { DayConsumption } from '../../api/types';
import { ChartKindControl, CsvButton, useCsvDownload } from '../../components/ChartControls';
import { ErrorMessage } from '../../components/ErrorMessage';
import { ConsumptionChart, type ChartKind } from '../../components/ConsumptionChart';
import { QueryState } from '../../components/QueryState';
import { addDays, dateIn, formatKwh, hourLabels } from '../../lib/time';

export function dstNote(hours: number): string | null {
  if (hours === 23) return 'This day has 23 hours: the clocks went forward.';
  if (hours === 25) return 'This day has 25 hours: the clocks went back, one hour comes twice.';
  return null;
}

export function DaySummary({ day }: { day: DayConsumption }) {
  const over = day.hours.filter((hour) => hour.kwh > day.max_hourly_kwh).length;
  const note = dstNote(day.hours.length);
  return (
    <Stack gap={4}>
      <Group gap="xl">
        <div>
          <Text size="xs" c="dimmed">
            Total
          </Text>
          <Text size="xl" fw={700} data-testid="day-total">
            {formatKwh(day.total_kwh, 3)}
          </Text>
        </div>
        <div>
          <Text size="xs" c="dimmed">
            Limit
          </Text>
          <Text fw={600}>{formatKwh(day.max_hourly_kwh, 1)} per hour</Text>
        </div>
        <div>
          <Text size="xs" c="dimmed">
            Hours over the limit
          </Text>
          <Text fw={600} c={over ? 'red' : undefined}>
            {over}
          </Text>
        </div>
      </Group>
      {note && (
        <Text size="sm" c="orange" data-testid="dst-note">
          {note}
        </Text>
      )}
    </Stack>
  );
}

export function DayView({ deviceId, deviceName, timeZone }: { deviceId: string; deviceName: string; timeZone: string }) {
  const today = dateIn(timeZone);
  // The day sits in the address (?date=YYYY-MM-DD), so it can be bookmarked and shared.
  const [params, setParams] = useSearchParams();
  const asked = params.get('date');
  const date = asked && /^\d{4}-\d{2}-\d{2}$/.test(asked) ? asked : today;
  const setDate = (next: string) =>
    setParams((current) => {
      const updated = new URLSearchParams(current);
      updated.set('date', next);
      return updated;
    }, { replace: true });
  const [kind, setKind] = useState<ChartKind>('bar');
  const csv = useCsvDownload();
  const consumption = useDayConsumption(deviceId, date, date === today);

  return (
    <Stack>
      <Group align="flex-end" gap="xs" wrap="wrap">
        <ActionIcon
          variant="default"
          size="lg"
          aria-label="Previous day"
          onClick={() => setDate(addDays(date, -1))}
        >
          ‹
        </ActionIcon>
        <DatePickerInput
          label="Day"
          value={date}
          onChange={(value) => value && setDate(value)}
          maxDate={today}
          valueFormat="ddd D MMM YYYY"
          w={180}
        />
        <ActionIcon
          variant="default"
          size="lg"
          aria-label="Next day"
          disabled={date >= today}
          onClick={() => setDate(addDays(date, 1))}
        >
          ›
        </ActionIcon>
        <ChartKindControl value={kind} onChange={setKind} />
        <CsvButton
          onClick={() => csv.download(dayPath(deviceId, date, 'csv'), `${deviceName}-${date}.csv`)}
        />
      </Group>
      <ErrorMessage message={csv.error} />
      <Paper withBorder p="md" radius="md">
        <QueryState query={consumption} what="consumption">
          {(day) => (
            <Stack>
              <DaySummary day={day} />
              {day.hours.length === 0 || day.total_kwh === 0 ? (
                <Text c="dimmed" ta="center" py="md">
                  No readings for this day yet.
                </Text>
              ) : null}
              <ConsumptionChart
                buckets={day.hours}
                labels={hourLabels(
                  day.hours.map((hour) => hour.start),
                  day.timezone,
                )}
                limitKwh={day.max_hourly_kwh}
                kind={kind}
                description={`kWh per hour on ${day.date} (${day.timezone}): ${day.hours.length} hours, total ${day.total_kwh.toFixed(3)} kWh, limit ${day.max_hourly_kwh} kWh per hour`}
              />
            </Stack>
          )}
        </QueryState>
      </Paper>
    </Stack>
  );
}
