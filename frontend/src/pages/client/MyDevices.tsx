/** A client's meters at a glance: today's kWh against what the hourly limit allows. */

import { Anchor, Badge, Card, Group, Progress, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { Link } from 'react-router-dom';
import { useDevices } from '../../api/inventory';
import { useOpenAlertCount, useSummary } from '../../api/monitoring';
import type { Device, DeviceSummary } from '../../api/types';
import { OnlineBadge } from '../../components/OnlineBadge';
import { QueryState } from '../../components/QueryState';
import { formatKwh } from '../../lib/time';

/** Share of the day's ceiling (the limit, every hour of the day so far) used today. */
export function todayShare(todayKwh: number, limitKwh: number, hoursSoFar: number): number {
  const ceiling = limitKwh * Math.max(hoursSoFar, 1);
  return ceiling > 0 ? Math.min(100, (todayKwh / ceiling) * 100) : 0;
}

function hoursSinceMidnight(timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    hour: 'numeric',
    minute: 'numeric',
    hourCycle: 'h23',
  }).formatToParts(new Date());
  const hour = Number(parts.find((part) => part.type === 'hour')?.value ?? 0);
  const minute = Number(parts.find((part) => part.type === 'minute')?.value ?? 0);
  return hour + minute / 60;
}

function DeviceCard({
  device,
  summary,
  openAlerts,
}: {
  device: Device;
  summary?: DeviceSummary;
  openAlerts: number;
}) {
  const today = summary?.today_kwh ?? 0;
  const share = todayShare(today, device.max_hourly_kwh, hoursSinceMidnight(device.timezone));
  return (
    <Card withBorder radius="md" padding="md" data-testid="device-card">
      <Stack gap="xs">
        <Group justify="space-between" wrap="nowrap">
          <Anchor component={Link} to={`/devices/${device.id}`} fw={600}>
            {device.name}
          </Anchor>
          <OnlineBadge summary={summary} />
        </Group>
        {device.address && (
          <Text size="sm" c="dimmed">
            {device.address}
          </Text>
        )}
        <Group justify="space-between" align="baseline">
          <div>
            <Text size="xs" c="dimmed">
              Today
            </Text>
            <Text size="xl" fw={700} data-testid="today-kwh">
              {formatKwh(summary?.today_kwh)}
            </Text>
          </div>
          <div style={{ textAlign: 'right' }}>
            <Text size="xs" c="dimmed">
              Limit
            </Text>
            <Text fw={600}>{formatKwh(device.max_hourly_kwh, 1)} / hour</Text>
          </div>
        </Group>
        <Progress
          value={share}
          color={share >= 100 ? 'red' : share >= 80 ? 'orange' : 'blue'}
          aria-label={`Today's use is ${share.toFixed(0)}% of what the hourly limit allows so far`}
        />
        {openAlerts > 0 ? (
          <Badge color="red" variant="light">
            {openAlerts} hour{openAlerts > 1 ? 's' : ''} over the limit to acknowledge
          </Badge>
        ) : (
          <Text size="xs" c="dimmed">
            No open alerts
          </Text>
        )}
      </Stack>
    </Card>
  );
}

export function MyDevices() {
  const devices = useDevices();
  const summary = useSummary();
  const openAlerts = useOpenAlertCount();
  const summaryById = new Map((summary.data ?? []).map((row) => [row.device_id, row]));

  return (
    <Stack>
      <Title order={2}>My devices</Title>
      <QueryState
        query={devices}
        what="your devices"
        isEmpty={(list) => list.length === 0}
        empty="No device is assigned to you yet. An administrator assigns meters to accounts."
      >
        {(list) => (
          <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }}>
            {list.map((device) => (
              <DeviceCard
                key={device.id}
                device={device}
                summary={summaryById.get(device.id)}
                openAlerts={openAlerts.data?.by_device[device.id] ?? 0}
              />
            ))}
          </SimpleGrid>
        )}
      </QueryState>
    </Stack>
  );
}
