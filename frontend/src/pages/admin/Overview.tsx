/** The administrator's first page: how the fleet is doing, and what needs a person. */

import { Anchor, Card, Group, Paper, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { Link } from 'react-router-dom';
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { useDevices } from '../../api/inventory';
import { useOpenAlertCount, useSummary } from '../../api/monitoring';
import { useConversations } from '../../api/support';
import type { Device, DeviceSummary } from '../../api/types';
import { QueryState } from '../../components/QueryState';
import { dateTimeLabel, formatKwh } from '../../lib/time';

const TOP_CONSUMERS = 10;

export interface FleetFigures {
  devices: number;
  online: number;
  offline: Array<{ device: Device; lastReadingAt: string }>;
  neverReported: number;
  unassigned: number;
  todayKwh: number;
  topToday: Array<{ id: string; name: string; kwh: number }>;
}

/** What the overview shows, from the device list and monitoring's summary. */
export function fleetFigures(devices: Device[], summary: DeviceSummary[]): FleetFigures {
  const byId = new Map(summary.map((row) => [row.device_id, row]));
  const offline: FleetFigures['offline'] = [];
  let online = 0;
  let neverReported = 0;
  for (const device of devices) {
    const row = byId.get(device.id);
    if (!row?.last_reading_at) neverReported += 1;
    else if (row.online) online += 1;
    else offline.push({ device, lastReadingAt: row.last_reading_at });
  }
  offline.sort((a, b) => a.lastReadingAt.localeCompare(b.lastReadingAt));
  const today = devices.map((device) => ({
    id: device.id,
    name: device.name,
    kwh: byId.get(device.id)?.today_kwh ?? 0,
  }));
  return {
    devices: devices.length,
    online,
    offline,
    neverReported,
    unassigned: devices.filter((device) => !device.owner_id).length,
    todayKwh: today.reduce((sum, row) => sum + row.kwh, 0),
    topToday: today
      .filter((row) => row.kwh > 0)
      .sort((a, b) => b.kwh - a.kwh)
      .slice(0, TOP_CONSUMERS),
  };
}

function StatCard({ label, value, detail, to }: { label: string; value: string; detail: string; to?: string }) {
  return (
    <Card withBorder radius="md" padding="md" data-testid="stat-card">
      <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
        {label}
      </Text>
      <Text size="xl" fw={700} mt={4}>
        {to ? (
          <Anchor component={Link} to={to} inherit>
            {value}
          </Anchor>
        ) : (
          value
        )}
      </Text>
      <Text size="sm" c="dimmed">
        {detail}
      </Text>
    </Card>
  );
}

function TopConsumers({ rows }: { rows: FleetFigures['topToday'] }) {
  if (rows.length === 0) {
    return <Text c="dimmed">No device has used anything yet today.</Text>;
  }
  return (
    <div
      data-testid="top-consumers"
      role="img"
      aria-label={`Today's biggest consumers: ${rows.map((row) => `${row.name} ${formatKwh(row.kwh)}`).join(', ')}`}
    >
      <ResponsiveContainer width="100%" height={36 * rows.length + 40}>
        <BarChart data={rows} layout="vertical" margin={{ left: 8, right: 24 }}>
          <CartesianGrid strokeDasharray="3 3" horizontal={false} />
          <XAxis type="number" unit=" kWh" />
          <YAxis type="category" dataKey="name" width={150} />
          <Tooltip formatter={(value: number) => formatKwh(value)} />
          <Bar dataKey="kwh" name="Today" fill="var(--mantine-color-blue-6)" isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}

function Offline({ rows }: { rows: FleetFigures['offline'] }) {
  if (rows.length === 0) {
    return <Text c="dimmed">Every meter that has reported is reporting.</Text>;
  }
  return (
    <Table.ScrollContainer minWidth={400}>
      <Table>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Device</Table.Th>
            <Table.Th>Last reading</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map(({ device, lastReadingAt }) => (
            <Table.Tr key={device.id} data-testid="offline-row">
              <Table.Td>
                <Anchor component={Link} to={`/devices/${device.id}`}>
                  {device.name}
                </Anchor>
              </Table.Td>
              <Table.Td>{dateTimeLabel(lastReadingAt)}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

export function Overview() {
  const devices = useDevices();
  const summary = useSummary();
  const openAlerts = useOpenAlertCount();
  const conversations = useConversations();
  const waiting = (conversations.data ?? []).filter((row) => row.state === 'waiting').length;
  // the count, not a list's length: the list stops at its limit
  const alertCount = openAlerts.data ? String(openAlerts.data.total) : '–';

  return (
    <Stack>
      <Title order={2}>Overview</Title>
      <QueryState query={devices} what="the fleet">
        {(list) => {
          const fleet = fleetFigures(list, summary.data ?? []);
          return (
            <>
              <SimpleGrid cols={{ base: 1, sm: 2, lg: 4 }}>
                <StatCard
                  label="Used today"
                  value={formatKwh(fleet.todayKwh)}
                  detail={`by ${fleet.devices} device${fleet.devices === 1 ? '' : 's'}`}
                />
                <StatCard
                  label="Meters reporting"
                  value={`${fleet.online} of ${fleet.devices}`}
                  detail={`${fleet.offline.length} offline, ${fleet.neverReported} without readings yet, ${fleet.unassigned} without owner`}
                  to="/admin/devices"
                />
                <StatCard
                  label="Open alerts"
                  value={alertCount}
                  detail="hours over a limit, not acknowledged"
                  to="/alerts"
                />
                <StatCard
                  label="Waiting for a person"
                  value={String(waiting)}
                  detail={`support conversation${waiting === 1 ? '' : 's'} waiting for an administrator`}
                  to="/admin/support"
                />
              </SimpleGrid>
              <Group align="flex-start" grow wrap="wrap">
                <Paper withBorder p="md" radius="md" miw={320}>
                  <Title order={4} mb="sm">
                    Today's biggest consumers
                  </Title>
                  <TopConsumers rows={fleet.topToday} />
                </Paper>
                <Paper withBorder p="md" radius="md" miw={320}>
                  <Title order={4} mb="sm">
                    Offline meters
                  </Title>
                  <Offline rows={fleet.offline} />
                </Paper>
              </Group>
            </>
          );
        }}
      </QueryState>
    </Stack>
  );
}
