/** One chat message: who wrote it (bot, AI, administrator, client or you), when, and if read. */

import { Badge, Group, Paper, Text } from '@mantine/core';
import type { ChatMessage } from '../api/types';
import { dateTimeLabel } from '../lib/time';
import { KIND_BADGE, senderKind } from './senders';

interface MessageBubbleProps {
  message: ChatMessage;
  selfId: string;
}

export function MessageBubble({ message, selfId }: MessageBubbleProps) {
  const kind = senderKind(message.sender, selfId);
  const badge = KIND_BADGE[kind];
  const mine = kind === 'self';
  return (
    <Group justify={mine ? 'flex-end' : 'flex-start'} wrap="nowrap">
      <Paper
        component="article"
        withBorder
        p="xs"
        radius="md"
        maw="85%"
        bg={mine ? 'var(--mantine-color-blue-light)' : undefined}
        data-testid="chat-message"
        data-sender-kind={kind}
        aria-label={`${mine ? 'You' : message.sender.name} (${badge.label})`}
      >
        <Group gap={6} mb={4} wrap="wrap">
          <Text size="xs" fw={600}>
            {mine ? 'You' : message.sender.name}
          </Text>
          {!mine && (
            <Badge size="xs" variant="light" color={badge.color}>
              {badge.label}
            </Badge>
          )}
        </Group>
        <Text size="sm" style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>
          {message.text}
        </Text>
        <Group gap={6} justify="flex-end" mt={4}>
          <Text size="xs" c="dimmed" component="time" dateTime={message.sent_at}>
            {dateTimeLabel(message.sent_at)}
          </Text>
          {mine && (
            <Text size="xs" c={message.read_at ? 'blue.9' : 'dimmed'} data-testid="read-receipt">
              {message.read_at ? '✓✓ Read' : '✓ Sent'}
            </Text>
          )}
        </Group>
      </Paper>
    </Group>
  );
}
