/** Over-limit alerts, newest first: a client's own, or every device's for administrators. */

import { Badge, Button, Card, Group, Paper, Stack, Switch, Table, Text, Title } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { useState } from 'react';
import { useDevices } from '../api/inventory';
import { useAcknowledgeAlert, useAlerts } from '../api/monitoring';
import { plainMessage } from '../api/client';
import type { Alert } from '../api/types';
import { useCurrentUser } from '../auth/AuthProvider';
import { QueryState } from '../components/QueryState';
import { dateTimeLabel, formatKwh } from '../lib/time';

export function Alerts() {
  const user = useCurrentUser();
  const [openOnly, setOpenOnly] = useState(false);
  const alerts = useAlerts(openOnly);
  const devices = useDevices();
  const acknowledge = useAcknowledgeAlert();
  const deviceName = (id: string) => devices.data?.find((device) => device.id === id)?.name ?? '—';
  // On a phone a table's last column (the action) ends up off-screen: cards instead.
  const phone = useMediaQuery('(max-width: 48em)');
  const nameOf = (alert: Alert) => deviceName(alert.device_id);
  const status = (alert: Alert) =>
    alert.acknowledged_at ? (
      <Badge variant="light" color="gray">
        Acknowledged
      </Badge>
    ) : (
      <Button
        size={phone ? 'xs' : 'compact-xs'}
        variant="light"
        loading={acknowledge.isPending && acknowledge.variables === alert.id}
        onClick={() => acknowledge.mutate(alert.id)}
        aria-label={`Acknowledge the alert for ${nameOf(alert)}`}
      >
        Acknowledge
      </Button>
    );

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>Alerts</Title>
        <Switch
          label="Only unacknowledged"
          checked={openOnly}
          onChange={(event) => setOpenOnly(event.currentTarget.checked)}
        />
      </Group>
      <Text size="sm" c="gray.7">
        An alert is raised once per device and hour when the hour's consumption goes over the
        device's limit. New ones pop up on any page the moment they are raised.
      </Text>
      <Paper withBorder radius="md">
        <QueryState
          query={alerts}
          what="alerts"
          isEmpty={(list) => list.length === 0}
          empty={openOnly ? 'Nothing left to acknowledge.' : 'No alerts. Every hour stayed under its limit.'}
        >
          {(list) =>
            phone ? (
              <Stack gap={0} component="ul" m={0} p={0} style={{ listStyle: 'none' }} aria-label="Alerts">
                {list.map((alert) => (
                  <Card key={alert.id} component="li" radius={0} withBorder data-testid="alert-row">
                    <Group justify="space-between" wrap="nowrap" align="flex-start">
                      <div style={{ minWidth: 0 }}>
                        <Text fw={600} style={{ overflowWrap: 'anywhere' }}>
                          {nameOf(alert)}
                        </Text>
                        <Text size="sm">
                          {dateTimeLabel(alert.hour_start, user.timezone)}:{' '}
                          <Text span c="red.8" fw={600} inherit>
                            {formatKwh(alert.total_kwh)}
                          </Text>{' '}
                          of {formatKwh(alert.limit_kwh)}
                        </Text>
                      </div>
                      {status(alert)}
                    </Group>
                  </Card>
                ))}
              </Stack>
            ) : (
            <Table.ScrollContainer minWidth={680}>
              <Table striped aria-label="Alerts">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Device</Table.Th>
                    <Table.Th>Hour</Table.Th>
                    <Table.Th ta="right">Used</Table.Th>
                    <Table.Th ta="right">Limit</Table.Th>
                    <Table.Th>Raised</Table.Th>
                    <Table.Th>Status</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {list.map((alert) => (
                    <Table.Tr key={alert.id} data-testid="alert-row">
                      <Table.Td>{nameOf(alert)}</Table.Td>
                      <Table.Td>{dateTimeLabel(alert.hour_start, user.timezone)}</Table.Td>
                      <Table.Td ta="right" c="red.8">
                        {formatKwh(alert.total_kwh)}
                      </Table.Td>
                      <Table.Td ta="right">{formatKwh(alert.limit_kwh)}</Table.Td>
                      <Table.Td>{dateTimeLabel(alert.raised_at, user.timezone)}</Table.Td>
                      <Table.Td>{status(alert)}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
            )
          }
        </QueryState>
      </Paper>
      {acknowledge.isError && (
        <Text c="red" size="sm" role="alert">
          {plainMessage(acknowledge.error)}
        </Text>
      )}
    </Stack>
  );
}
