/** The administrator's first page: how the fleet is doing, and what needs a person. */

import { Anchor, Card, Paper, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { Link } from 'react-router-dom';
import { useDevices } from '../../api/inventory';
import { useOpenAlertCount, useSummary, useTotals } from '../../api/monitoring';
import { useReasons } from '../../api/operations';
import { useConversations } from '../../api/support';
import type { Device, DeviceSummary, Money } from '../../api/types';
import { TopConsumersChart } from '../../components/LazyChart';
import { QueryState } from '../../components/QueryState';
import { formatMoney } from '../../lib/money';
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

/** "€12.40 + 31.00 lei": the fleet's cost today, one sum per currency its tariffs use. */
export function costLabel(costs: Money[] | undefined): string {
  if (!costs || costs.length === 0) return '–';
  return costs.map((cost) => formatMoney(cost.amount, cost.currency)).join(' + ');
}

function TopConsumers({ rows }: { rows: FleetFigures['topToday'] }) {
  if (rows.length === 0) {
    return <Text c="dimmed">No device has used anything yet today.</Text>;
  }
  return <TopConsumersChart rows={rows} />;
}

function Offline({ rows }: { rows: FleetFigures['offline'] }) {
  if (rows.length === 0) {
    return <Text c="dimmed">Every meter that has reported is reporting.</Text>;
  }
  return (
    <Table.ScrollContainer minWidth={280}>
      <Table aria-label="Offline meters">
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
  const totals = useTotals();
  // how many wait: the list's total, one row asked for
  const waiting = useConversations({ state: 'waiting', limit: 1 }).data?.total ?? 0;
  // the count, not a list's length: the list stops at its limit
  const alertCount = openAlerts.data ? String(openAlerts.data.total) : '–';
  // Computed once per visit, so that the query (and its cache key) stays the same.
  const [dayAgo] = useState(() => new Date(Date.now() - 24 * 3600 * 1000).toISOString());
  const refused = (useReasons(dayAgo).data ?? []).reduce((sum, row) => sum + row.count, 0);

  return (
    <Stack>
      <Title order={2}>Overview</Title>
      <QueryState query={devices} what="the fleet">
        {(list) => {
          const fleet = fleetFigures(list, summary.data?.items ?? []);
          return (
            <>
              <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }}>
                <StatCard
                  label="Used today"
                  value={formatKwh(fleet.todayKwh)}
                  detail={`by ${fleet.devices} device${fleet.devices === 1 ? '' : 's'}`}
                />
                <StatCard
                  label="Cost today"
                  value={costLabel(totals.data?.today_cost)}
                  detail="of the devices with a tariff, fixed charges included"
                  to="/admin/tariffs"
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
                  label="Refused readings"
                  value={String(refused)}
                  detail="messages refused in the last 24 hours"
                  to={`/admin/refused?since=${encodeURIComponent(dayAgo)}`}
                />
                <StatCard
                  label="Waiting for a person"
                  value={String(waiting)}
                  detail={`support conversation${waiting === 1 ? '' : 's'} waiting for an administrator`}
                  to="/admin/support"
                />
              </SimpleGrid>
              <SimpleGrid cols={{ base: 1, md: 2 }} data-testid="overview-panels">
                <Paper withBorder p="md" radius="md">
                  <Title order={3} size="h4" mb="sm">
                    Today's biggest consumers
                  </Title>
                  <TopConsumers rows={fleet.topToday} />
                </Paper>
                <Paper withBorder p="md" radius="md">
                  <Title order={3} size="h4" mb="sm">
                    Offline meters
                  </Title>
                  <Offline rows={fleet.offline} />
                </Paper>
              </SimpleGrid>
            </>
          );
        }}
      </QueryState>
    </Stack>
  );
}
