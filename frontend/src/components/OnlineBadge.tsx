/**
 * Whether a meter has reported recently, with when it last did: an icon and a word that
 * never truncate (a badge's label is clipped with an ellipsis in narrow table cells).
 */

import { Group, Text, Tooltip } from '@mantine/core';
import { IconCircleCheckFilled, IconCircleDashed, IconPlugConnectedX, IconQuestionMark } from '@tabler/icons-react';
import type { DeviceSummary } from '../api/types';
import { dateTimeLabel } from '../lib/time';

interface Status {
  word: string;
  color: string;
  Icon: typeof IconCircleCheckFilled;
}

function statusOf(summary: DeviceSummary | undefined, unavailable: boolean): Status {
  if (!summary) {
    return unavailable
      ? { word: 'Unknown', color: 'gray.7', Icon: IconQuestionMark }
      : { word: 'No data', color: 'gray.7', Icon: IconCircleDashed };
  }
  // A meter that never reported is not offline: it has not started yet.
  if (!summary.last_reading_at) return { word: 'No readings yet', color: 'gray.7', Icon: IconCircleDashed };
  if (summary.online) return { word: 'Online', color: 'green.9', Icon: IconCircleCheckFilled };
  return { word: 'Offline', color: 'red.9', Icon: IconPlugConnectedX };
}

export function OnlineBadge({ summary, unavailable = false }: { summary?: DeviceSummary; unavailable?: boolean }) {
  const { word, color, Icon } = statusOf(summary, unavailable);
  const last = summary?.last_reading_at ? `Last reading ${dateTimeLabel(summary.last_reading_at)}` : null;
  const label = (
    <Group
      gap={4}
      wrap="nowrap"
      c={color}
      data-testid="device-status"
      data-status={word.toLowerCase()}
      aria-label={last ? `${word}. ${last}` : word}
      style={{ flexShrink: 0 }}
    >
      <Icon size={16} aria-hidden stroke={2} />
      <Text size="sm" fw={600} inherit style={{ whiteSpace: 'nowrap' }}>
        {word}
      </Text>
    </Group>
  );
  return last ? <Tooltip label={last}>{label}</Tooltip> : label;
}
