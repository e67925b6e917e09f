/** What a day of one device adds up to: its total, its limit, the hours over it, DST. */

import { Group, Stack, Text } from '@mantine/core';
import type { DayConsumption } from '../../api/types';
import { PeriodFigures } from '../../components/PeriodFigures';
import { formatKwh } from '../../lib/time';

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
          <Text fw={600} c={over ? 'red.8' : undefined} data-testid="hours-over">
            {over}
          </Text>
        </div>
        <PeriodFigures
          totalCost={day.total_cost}
          fixedCost={day.fixed_cost}
          currency={day.currency}
          comparison={day.comparison}
          earlierName="Yesterday"
        />
      </Group>
      {note && (
        <Text size="sm" c="orange.9" data-testid="dst-note">
          {note}
        </Text>
      )}
    </Stack>
  );
}
