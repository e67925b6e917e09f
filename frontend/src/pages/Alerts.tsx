/** Over-limit alerts, newest first: a client's own, or every device's for administrators. */

import { Badge, Button, Group, Paper, Stack, Switch, Table, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { useDevices } from '../api/inventory';
import { useAcknowledgeAlert, useAlerts } from '../api/monitoring';
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
      <Text size="sm" c="dimmed">
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
          {(list) => (
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
                      <Table.Td>{deviceName(alert.device_id)}</Table.Td>
                      <Table.Td>{dateTimeLabel(alert.hour_start, user.timezone)}</Table.Td>
                      <Table.Td ta="right" c="red">
                        {formatKwh(alert.total_kwh)}
                      </Table.Td>
                      <Table.Td ta="right">{formatKwh(alert.limit_kwh)}</Table.Td>
                      <Table.Td>{dateTimeLabel(alert.raised_at, user.timezone)}</Table.Td>
                      <Table.Td>
                        {alert.acknowledged_at ? (
                          <Badge variant="light" color="gray">
                            Acknowledged
                          </Badge>
                        ) : (
                          <Button
                            size="compact-xs"
                            variant="light"
                            loading={acknowledge.isPending && acknowledge.variables === alert.id}
                            onClick={() => acknowledge.mutate(alert.id)}
                            aria-label={`Acknowledge the alert for ${deviceName(alert.device_id)}`}
                          >
                            Acknowledge
                          </Button>
                        )}
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          )}
        </QueryState>
      </Paper>
      {acknowledge.isError && (
        <Text c="red" size="sm" role="alert">
          {acknowledge.error.message}
        </Text>
      )}
    </Stack>
  );
}
