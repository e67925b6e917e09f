/** What was sent away from the page (e-mail, webhook), skipped or failed, newest first. */

import { Anchor, Badge, Card, Group, Pagination, Paper, Stack, Table, Text, Title } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { useState } from 'react';
import { Link } from 'react-router-dom';
import { useNotificationLog } from '../api/notifications';
import type { SentNotification } from '../api/types';
import { useCurrentUser } from '../auth/AuthProvider';
import { QueryState } from '../components/QueryState';
import { channelLabel, severityLabel, statusLabel, statusText } from '../lib/notificationSettings';
import { dateTimeLabel, formatKwh } from '../lib/time';

const PAGE_SIZE = 20;
const STATUS_COLORS: Record<SentNotification['status'], string> = {
  sent: 'green',
  pending: 'blue',
  skipped: 'gray',
  failed: 'red',
};

function StatusBadge({ item }: { item: SentNotification }) {
  return (
    <>
      <Badge variant="light" color={STATUS_COLORS[item.status]}>
        {statusLabel(item.status)}
      </Badge>
      {item.status !== 'sent' && (
        <Text size="xs" c="gray.7" maw={260} style={{ overflowWrap: 'anywhere' }}>
          {statusText(item)}
        </Text>
      )}
    </>
  );
}

export function Notifications() {
  const user = useCurrentUser();
  // On a phone a wide table scrolls sideways: cards instead, as on the Alerts page.
  const phone = useMediaQuery('(max-width: 48em)');
  const [page, setPage] = useState(1);
  const log = useNotificationLog(page, PAGE_SIZE);
  const pages = Math.max(1, Math.ceil((log.data?.total ?? 0) / PAGE_SIZE));

  return (
    <Stack>
      <Title order={2}>Notifications</Title>
      <Text size="sm" c="gray.7">
        Every alert that went to your e-mail or webhook, or was held back. Choose where alerts go in
        your{' '}
        <Anchor component={Link} to="/profile#notification-settings" underline="always">
          profile
        </Anchor>
        .
      </Text>
      <Paper withBorder radius="md">
        <QueryState
          query={log}
          what="notifications"
          isEmpty={(answer) => answer.items.length === 0}
          empty="Nothing sent yet: your alerts show in the app only, or none was raised."
        >
          {(answer) =>
            phone ? (
              <Stack gap={0} component="ul" m={0} p={0} style={{ listStyle: 'none' }} aria-label="Notifications">
                {answer.items.map((item) => (
                  <Card key={item.id} component="li" radius={0} withBorder data-testid="notification-row">
                    <Group justify="space-between" wrap="nowrap" align="flex-start">
                      <div style={{ minWidth: 0 }}>
                        <Text fw={600}>{item.device_name || '—'}</Text>
                        <Text size="sm">
                          {severityLabel(item.severity)} · {channelLabel(item.channel)}
                        </Text>
                        <Text size="xs" c="gray.7" style={{ overflowWrap: 'anywhere' }}>
                          {dateTimeLabel(item.sent_at ?? item.created_at, user.timezone)} · {item.destination}
                        </Text>
                      </div>
                      <div style={{ flexShrink: 0 }}>
                        <StatusBadge item={item} />
                      </div>
                    </Group>
                  </Card>
                ))}
              </Stack>
            ) : (
            <Table.ScrollContainer minWidth={760}>
              <Table striped aria-label="Notifications">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>When</Table.Th>
                    <Table.Th>Device</Table.Th>
                    <Table.Th>Alert</Table.Th>
                    <Table.Th>Channel</Table.Th>
                    <Table.Th>To</Table.Th>
                    <Table.Th>Status</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {answer.items.map((item) => (
                    <Table.Tr key={item.id} data-testid="notification-row">
                      <Table.Td>{dateTimeLabel(item.sent_at ?? item.created_at, user.timezone)}</Table.Td>
                      <Table.Td>{item.device_name || '—'}</Table.Td>
                      <Table.Td>
                        {severityLabel(item.severity)}
                        <Text size="xs" c="gray.7">
                          {formatKwh(item.total_kwh)} of {formatKwh(item.limit_kwh)}
                        </Text>
                      </Table.Td>
                      <Table.Td>{channelLabel(item.channel)}</Table.Td>
                      <Table.Td style={{ overflowWrap: 'anywhere' }}>{item.destination}</Table.Td>
                      <Table.Td>
                        <StatusBadge item={item} />
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
            )
          }
        </QueryState>
      </Paper>
      {pages > 1 && (
        <Group justify="center">
          <Pagination total={pages} value={page} onChange={setPage} aria-label="Pages" />
        </Group>
      )}
    </Stack>
  );
}
