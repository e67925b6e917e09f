/** Whether a meter has reported recently, with when it last did. */

import { Badge, Tooltip } from '@mantine/core';
import type { DeviceSummary } from '../api/types';
import { dateTimeLabel } from '../lib/time';

export function OnlineBadge({ summary }: { summary?: DeviceSummary }) {
  if (!summary?.last_reading_at) {
    // A meter that never reported is not offline: it has not started yet.
    return (
      <Badge color="gray" variant="outline">
        {summary ? 'No readings yet' : 'No data'}
      </Badge>
    );
  }
  const last = `Last reading ${dateTimeLabel(summary.last_reading_at)}`;
  return (
    <Tooltip label={last}>
      <Badge color={summary.online ? 'green' : 'gray'} variant="light" aria-label={`${summary.online ? 'Online' : 'Offline'}. ${last}`}>
        {summary.online ? 'Online' : 'Offline'}
      </Badge>
    </Tooltip>
  );
}
