/** Whether a meter has reported recently, with when it last did. */

import { Badge, Tooltip } from '@mantine/core';
import type { DeviceSummary } from '../api/types';
import { dateTimeLabel } from '../lib/time';

export function OnlineBadge({ summary }: { summary?: DeviceSummary }) {
  if (!summary) {
    return (
      <Badge color="gray" variant="light">
        No data
      </Badge>
    );
  }
  const last = summary.last_reading_at
    ? `Last reading ${dateTimeLabel(summary.last_reading_at)}`
    : 'No reading yet';
  return (
    <Tooltip label={last}>
      <Badge color={summary.online ? 'green' : 'gray'} variant="light" aria-label={`${summary.online ? 'Online' : 'Offline'}. ${last}`}>
        {summary.online ? 'Online' : 'Offline'}
      </Badge>
    </Tooltip>
  );
}
