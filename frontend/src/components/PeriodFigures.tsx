/** A period's cost beside its kWh, and how it compares with the period before. */

import { Group, Text } from '@mantine/core';
import type { Comparison } from '../api/types';
import { differenceLabel, formatMoney } from '../lib/money';

interface PeriodFiguresProps {
  totalCost: number | null;
  fixedCost: number | null;
  currency: string | null;
  comparison?: Comparison;
  /** What the earlier period is called ("Yesterday", "Last week"). */
  earlierName: string;
}

/** "the 2026-03-29" or "2026-03-23 to 2026-03-29": the earlier period's dates. */
function earlierDates(comparison: Comparison): string {
  return comparison.date ?? `${comparison.from} to ${comparison.to}`;
}

export function PeriodFigures({ totalCost, fixedCost, currency, comparison, earlierName }: PeriodFiguresProps) {
  return (
    <Group gap="xl" wrap="wrap">
      {currency && (
        <div>
          <Text size="xs" c="dimmed">
            Cost
          </Text>
          <Text size="xl" fw={700} data-testid="total-cost">
            {formatMoney(totalCost, currency)}
          </Text>
          {fixedCost ? (
            <Text size="xs" c="dimmed">
              incl. {formatMoney(fixedCost, currency)} fixed charges
            </Text>
          ) : null}
        </div>
      )}
      {comparison && (
        <div data-testid="comparison">
          <Text size="xs" c="dimmed">
            {earlierName} ({earlierDates(comparison)})
          </Text>
          <Text fw={600} data-testid="earlier-total">
            {comparison.total_kwh.toFixed(3)} kWh
            {currency && comparison.total_cost !== null ? ` · ${formatMoney(comparison.total_cost, currency)}` : ''}
          </Text>
          <Text
            size="sm"
            c={comparison.difference_kwh > 0 ? 'red.8' : comparison.difference_kwh < 0 ? 'green.8' : 'dimmed'}
            data-testid="difference"
          >
            {differenceLabel(comparison.difference_kwh, comparison.difference_percent)} against {earlierName.toLowerCase()}
          </Text>
        </div>
      )}
    </Group>
  );
}
