/**
 * A client's meters at a glance: what all of them used today, this week (against last
 * week until the same hour) and this month, and what today cost;
 * then each meter's live power with its last hour, today's kWh against what the hourly
 * limit allows, its status and open alerts. `?status=offline` shows the quiet ones only
 * (where the "meters went offline" notice links to).
 */

import { Anchor, Badge, Card, Group, Paper, Progress, SegmentedControl, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { Link, useSearchParams } from 'react-router-dom';
import { useDevices } from '../../api/inventory';
import { useOpenAlertCount, useSummary, useTotals } from '../../api/monitoring';
import type { Device, DeviceSummary } from '../../api/types';
import { OnlineBadge } from '../../components/OnlineBadge';
import { LoadFailed, QueryState } from '../../components/QueryState';
import { Sparkline } from '../../components/Sparkline';
import { differenceLabel, formatMoney, percentChange } from '../../lib/money';
import { agoLabel, formatKwh } from '../../lib/time';

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

export function formatKw(kw: number): string {
  return `${kw < 10 ? kw.toFixed(2) : kw.toFixed(1)} kW`;
}

function LivePower({ summary }: { summary?: DeviceSummary }) {
  if (!summary?.last_reading_at) return null;
  const ago = agoLabel(summary.last_reading_at);
  const points = summary.last_hour ?? [];
  return (
    <Group justify="space-between" wrap="nowrap" gap="xs" data-testid="live-power">
      <Text size="sm">
        {summary.power_kw != null ? (
          <>
            Now <b>{formatKw(summary.power_kw)}</b> · {ago}
          </>
        ) : (
          <>Last reading {ago}</>
        )}
      </Text>
      {points.length > 1 && <Sparkline values={points.map((point) => point.kw)} label="Power over the last hour" />}
    </Group>
  );
}

function DeviceCard({
  device,
  summary,
  summaryFailed,
  openAlerts,
}: {
  device: Device;
  summary?: DeviceSummary;
  summaryFailed: boolean;
  openAlerts: number;
}) {
  const share = summary ? todayShare(summary.today_kwh, device.max_hourly_kwh, hoursSinceMidnight(device.timezone)) : null;
  const shareText = share === null ? null : `${share.toFixed(0)}% of today's allowance`;
  return (
    <Card withBorder radius="md" padding="md" data-testid="device-card">
      <Stack gap="xs">
        <Group justify="space-between" wrap="nowrap" align="flex-start">
          <Anchor component={Link} to={`/devices/${device.id}`} fw={600} style={{ minWidth: 0, overflowWrap: 'anywhere' }}>
            {device.name}
          </Anchor>
          <OnlineBadge summary={summary} unavailable={summaryFailed} />
        </Group>
        {device.address && (
          <Text size="sm" c="gray.7">
            {device.address}
          </Text>
        )}
        <LivePower summary={summary} />
        <Group justify="space-between" align="baseline">
          <div>
            <Text size="xs" c="gray.7">
              Today
            </Text>
            <Text size="xl" fw={700} data-testid="today-kwh">
              {summaryFailed && !summary ? 'Not available' : formatKwh(summary?.today_kwh)}
            </Text>
          </div>
          <div style={{ textAlign: 'right' }}>
            <Text size="xs" c="gray.7">
              Limit
            </Text>
            <Text fw={600}>{formatKwh(device.max_hourly_kwh, 1)} / hour</Text>
          </div>
        </Group>
        {share !== null && shareText && (
          <Stack gap={2}>
            <Progress
              value={share}
              color={share >= 100 ? 'red' : share >= 80 ? 'orange' : 'blue'}
              aria-label={`Today's use is ${shareText}`}
            />
            <Text size="xs" c="gray.7" data-testid="allowance">
              {shareText}
            </Text>
          </Stack>
        )}
        {openAlerts > 0 ? (
          <Badge color="red" variant="light" style={{ whiteSpace: 'normal', height: 'auto' }}>
            {openAlerts} hour{openAlerts > 1 ? 's' : ''} over the limit to acknowledge
          </Badge>
        ) : (
          <Text size="xs" c="gray.7">
            No open alerts
          </Text>
        )}
      </Stack>
    </Card>
  );
}

function Totals() {
  const totals = useTotals();
  if (totals.isError) return <LoadFailed what="your totals" error={totals.error} onRetry={() => totals.refetch()} />;
  const figure = (label: string, kwh: number | undefined, testId: string) => (
    <div>
      <Text size="xs" c="gray.7">
        {label}
      </Text>
      <Text size="xl" fw={700} data-testid={testId}>
        {formatKwh(kwh)}
      </Text>
    </div>
  );
  const data = totals.data;
  return (
    <Paper withBorder radius="md" p="md" aria-label="All your meters" component="section">
      <Group gap="xl" wrap="wrap">
        {figure('Today', data?.today_kwh, 'total-today')}
        {figure('This week', data?.week_kwh, 'total-week')}
        {figure('Last week by now', data?.last_week_kwh, 'total-last-week')}
        {figure('This month', data?.month_kwh, 'total-month')}
        {data && data.today_cost.length > 0 && (
          <div>
            <Text size="xs" c="gray.7">
              Cost today
            </Text>
            <Text size="xl" fw={700} data-testid="total-cost-today">
              {data.today_cost.map((cost) => formatMoney(cost.amount, cost.currency)).join(' + ')}
            </Text>
          </div>
        )}
        <Text size="sm" c="gray.7">
          {data ? `over ${data.devices} meter${data.devices === 1 ? '' : 's'}` : 'Loading…'}
        </Text>
      </Group>
      {data && (
        <Text size="sm" mt="xs" data-testid="week-against-last">
          This week {differenceLabel(data.week_kwh - data.last_week_kwh, percentChange(data.week_kwh, data.last_week_kwh))}{' '}
          against last week until the same hour
        </Text>
      )}
    </Paper>
  );
}

type Show = 'all' | 'offline' | 'alerts';

export function MyDevices() {
  const devices = useDevices();
  const summary = useSummary({ power: true });
  // the count, not a list's length: the list stops at its limit
  const openAlerts = useOpenAlertCount();
  const [params, setParams] = useSearchParams();
  const show: Show = params.get('status') === 'offline' ? 'offline' : params.get('status') === 'alerts' ? 'alerts' : 'all';
  const summaryById = new Map((summary.data ?? []).map((row) => [row.device_id, row]));
  const openAlertsOf = (id: string) => openAlerts.data?.by_device[id] ?? 0;
  const shown = (device: Device) => {
    if (show === 'offline') {
      const row = summaryById.get(device.id);
      return Boolean(row?.last_reading_at && !row.online);
    }
    if (show === 'alerts') return openAlertsOf(device.id) > 0;
    return true;
  };

  return (
    <Stack>
      <Title order={2}>My devices</Title>
      <Totals />
      {summary.isError && (
        <LoadFailed what="today's figures of your meters" error={summary.error} onRetry={() => summary.refetch()} />
      )}
      <QueryState
        query={devices}
        what="your devices"
        isEmpty={(list) => list.length === 0}
        empty="No device is assigned to you yet. An administrator assigns meters to accounts."
      >
        {(list) => {
          const visible = list.filter(shown);
          return (
            <Stack>
              <SegmentedControl
                aria-label="Show"
                value={show}
                onChange={(next) => setParams(next === 'all' ? {} : { status: next }, { replace: true })}
                data={[
                  { value: 'all', label: `All (${list.length})` },
                  { value: 'offline', label: 'Offline' },
                  { value: 'alerts', label: 'With alerts' },
                ]}
                style={{ alignSelf: 'flex-start' }}
              />
              {visible.length === 0 ? (
                <Text c="gray.7">{show === 'offline' ? 'Every meter is reporting.' : 'No meter has an open alert.'}</Text>
              ) : (
                <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }}>
                  {visible.map((device) => (
                    <DeviceCard
                      key={device.id}
                      device={device}
                      summary={summaryById.get(device.id)}
                      summaryFailed={summary.isError}
                      openAlerts={openAlertsOf(device.id)}
                    />
                  ))}
                </SimpleGrid>
              )}
            </Stack>
          );
        }}
      </QueryState>
    </Stack>
  );
}
