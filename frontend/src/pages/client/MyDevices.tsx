/**
 * A client's meters at a glance, for one meter or a thousand: on top what all of them
 * used today, this week (against last week until the same hour) and this month, what
 * today cost, how many went over their limit today and how many are offline; then a
 * compact table (a list on phones) paged, searched and sorted by the API (today's kWh
 * and online state by monitoring's summary). `?status=offline` shows the quiet ones only
 * (where the "meters went offline" notice links to).
 */

import { Anchor, Badge, Box, Group, Paper, Progress, SegmentedControl, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { Link, useSearchParams } from 'react-router-dom';
import { MAX_PAGE } from '../../api/client';
import { useOpenAlertCount, useSummary, useTotals } from '../../api/monitoring';
import type { DeviceSummary } from '../../api/types';
import { Pager, SearchField, SortField, SortHeader, useListState, type ListState } from '../../components/ListControls';
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

/** Today's use against what the hourly limit allows so far: a labelled bar and its figure. */
function Allowance({ row }: { row: DeviceSummary }) {
  const share = todayShare(row.today_kwh, row.max_hourly_kwh, hoursSinceMidnight(row.timezone));
  const text = `${share.toFixed(0)}% of today's allowance`;
  return (
    <Stack gap={2} miw={120}>
      <Progress value={share} color={share >= 100 ? 'red' : share >= 80 ? 'orange' : 'blue'} aria-label={`Today's use is ${text}`} size="sm" />
      <Text size="xs" c="gray.7" data-testid="allowance">
        {text}
      </Text>
    </Stack>
  );
}

export function formatKw(kw: number): string {
  return `${kw < 10 ? kw.toFixed(2) : kw.toFixed(1)} kW`;
}

function Figure({ label, value, testId, tone }: { label: string; value: string; testId: string; tone?: string }) {
  return (
    <div>
      <Text size="xs" c="gray.7">
        {label}
      </Text>
      <Text size="xl" fw={700} c={tone} data-testid={testId}>
        {value}
      </Text>
    </div>
  );
}

/** What all the meters did today, and how many need a look: the summary on top. */
function Totals() {
  const totals = useTotals();
  if (totals.isError && totals.data === undefined) return <LoadFailed what="your totals" error={totals.error} onRetry={() => totals.refetch()} />;
  const data = totals.data;
  const count = (n: number | undefined) => (n === undefined ? '–' : String(n));
  return (
    <Paper withBorder radius="md" p="md" aria-label="All your meters" component="section">
      <SimpleGrid cols={{ base: 2, xs: 3, md: 7 }} spacing="md">
        <Figure label="Today" value={formatKwh(data?.today_kwh)} testId="total-today" />
        <Figure label="This week" value={formatKwh(data?.week_kwh)} testId="total-week" />
        <Figure label="Last week by now" value={formatKwh(data?.last_week_kwh)} testId="total-last-week" />
        <Figure label="This month" value={formatKwh(data?.month_kwh)} testId="total-month" />
        <Figure label="Meters" value={count(data?.devices)} testId="total-meters" />
        <Figure
          label="Over the limit today"
          value={count(data?.over_limit_today)}
          testId="total-over-limit"
          tone={data?.over_limit_today ? 'red.8' : undefined}
        />
        <Figure label="Offline" value={count(data?.offline)} testId="total-offline" tone={data?.offline ? 'red.8' : undefined} />
      </SimpleGrid>
      {data && data.today_cost.length > 0 && (
        <Text size="sm" mt="xs">
          Cost today{' '}
          <Text span fw={700} data-testid="total-cost-today">
            {data.today_cost.map((cost) => formatMoney(cost.amount, cost.currency)).join(' + ')}
          </Text>
        </Text>
      )}
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

const SORTS = [
  { value: 'name', label: 'Name (A–Z)' },
  { value: '-name', label: 'Name (Z–A)' },
  { value: 'meter_id', label: 'Meter number' },
  { value: '-today_kwh', label: "Today's use (most first)" },
  { value: 'today_kwh', label: "Today's use (least first)" },
  { value: 'online', label: 'Offline first' },
  { value: '-last_reading_at', label: 'Last reading (newest first)' },
];

function AlertsCell({ count }: { count: number }) {
  return count > 0 ? (
    <Badge color="red" variant="light" style={{ whiteSpace: 'normal', height: 'auto' }}>
      {count} to acknowledge
    </Badge>
  ) : (
    <Text size="sm" c="gray.7" span>
      None
    </Text>
  );
}

function Now({ row }: { row: DeviceSummary }) {
  if (!row.last_reading_at) return null;
  const points = row.last_hour ?? [];
  return (
    <Group gap="xs" wrap="nowrap" justify="flex-end" data-testid="live-power">
      <Text size="sm" span style={{ whiteSpace: 'nowrap' }}>
        {row.power_kw != null ? `${formatKw(row.power_kw)} · ${agoLabel(row.last_reading_at)}` : agoLabel(row.last_reading_at)}
      </Text>
      {points.length > 1 && <Sparkline values={points.map((point) => point.kw)} label={`Power of ${row.name} over the last hour`} />}
    </Group>
  );
}

function MeterTable({ rows, list, openAlertsOf }: { rows: DeviceSummary[]; list: ListState; openAlertsOf: (id: string) => number }) {
  return (
    <Table.ScrollContainer minWidth={900} type="native" tabIndex={0} aria-label="Your meters, scrolls sideways">
      <Table striped highlightOnHover aria-label="Your meters" verticalSpacing={6}>
        <Table.Thead>
          <Table.Tr>
            <SortHeader list={list} by="name">
              Name
            </SortHeader>
            <SortHeader list={list} by="meter_id">
              Meter number
            </SortHeader>
            <SortHeader list={list} by="today_kwh" align="right" descendingFirst>
              Today
            </SortHeader>
            <Table.Th ta="right">Now</Table.Th>
            <Table.Th>Allowance</Table.Th>
            <Table.Th ta="right">Limit / hour</Table.Th>
            <SortHeader list={list} by="online">
              Status
            </SortHeader>
            <Table.Th>Open alerts</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((row) => (
            <Table.Tr key={row.device_id} data-testid="device-row">
              <Table.Td>
                <Anchor component={Link} to={`/devices/${row.device_id}`} fw={600}>
                  {row.name}
                </Anchor>
              </Table.Td>
              <Table.Td data-testid="meter-number">{row.meter_id}</Table.Td>
              <Table.Td ta="right" data-testid="today-kwh">
                {formatKwh(row.today_kwh)}
              </Table.Td>
              <Table.Td ta="right">
                <Now row={row} />
              </Table.Td>
              <Table.Td>
                <Allowance row={row} />
              </Table.Td>
              <Table.Td ta="right">{formatKwh(row.max_hourly_kwh, 1)}</Table.Td>
              <Table.Td miw={150}>
                <OnlineBadge summary={row} />
              </Table.Td>
              <Table.Td>
                <AlertsCell count={openAlertsOf(row.device_id)} />
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

/** On a phone: one compact line pair per meter, no sideways scrolling. */
function MeterList({ rows, openAlertsOf }: { rows: DeviceSummary[]; openAlertsOf: (id: string) => number }) {
  return (
    <Stack gap={0} component="ul" m={0} p={0} style={{ listStyle: 'none' }} aria-label="Your meters">
      {rows.map((row) => {
        const alerts = openAlertsOf(row.device_id);
        return (
          <Box component="li" key={row.device_id} px="sm" py={8} className="compact-row" data-testid="device-row">
            <Group justify="space-between" wrap="nowrap" gap="xs">
              <Anchor component={Link} to={`/devices/${row.device_id}`} fw={600} style={{ minWidth: 0, overflowWrap: 'anywhere' }}>
                {row.name}
              </Anchor>
              <Text fw={700} data-testid="today-kwh" style={{ whiteSpace: 'nowrap' }}>
                {formatKwh(row.today_kwh)}
              </Text>
            </Group>
            <Group justify="space-between" wrap="nowrap" gap="xs">
              <Text size="sm" c="gray.7" data-testid="meter-number" style={{ minWidth: 0, overflowWrap: 'anywhere' }}>
                {row.meter_id ?? 'No meter number'}
                {alerts > 0 && (
                  <Text span c="red.9" fw={600}>
                    {' '}· {alerts} alert{alerts > 1 ? 's' : ''}
                  </Text>
                )}
              </Text>
              <OnlineBadge summary={row} />
            </Group>
          </Box>
        );
      })}
    </Stack>
  );
}

export function MyDevices() {
  const list = useListState('name');
  const [params, setParams] = useSearchParams();
  const show: Show = params.get('status') === 'offline' ? 'offline' : params.get('status') === 'alerts' ? 'alerts' : 'all';
  // the count, not a list's length: the list stops at its limit
  const openAlerts = useOpenAlertCount();
  const withAlerts = Object.keys(openAlerts.data?.by_device ?? {}).slice(0, MAX_PAGE);
  const summary = useSummary(
    {
      power: true,
      ...list.query,
      online: show === 'offline' ? false : undefined,
      deviceIds: show === 'alerts' ? withAlerts : undefined,
    },
    show !== 'alerts' || openAlerts.isSuccess,
  );
  const phone = useMediaQuery('(max-width: 48em)') ?? false;
  const openAlertsOf = (id: string) => openAlerts.data?.by_device[id] ?? 0;
  const nothingWithAlerts = show === 'alerts' && openAlerts.isSuccess && withAlerts.length === 0;

  return (
    <Stack>
      <Title order={2}>My devices</Title>
      <Totals />
      <Group align="flex-end" gap="sm" wrap="wrap">
        <SearchField list={list} label="Find a meter" placeholder="Name or meter number" />
        <SortField list={list} options={SORTS} />
        <SegmentedControl
          aria-label="Show"
          value={show}
          onChange={(next) =>
            setParams(
              (current) => {
                const kept = new URLSearchParams(current);
                kept.delete('page');
                if (next === 'all') kept.delete('status');
                else kept.set('status', next);
                return kept;
              },
              { replace: true },
            )
          }
          data={[
            { value: 'all', label: 'All' },
            { value: 'offline', label: 'Offline' },
            { value: 'alerts', label: 'With alerts' },
          ]}
        />
      </Group>
      {nothingWithAlerts ? (
        <Text c="gray.7">No meter has an open alert.</Text>
      ) : (
        <QueryState
          query={summary}
          what="your meters and today's figures"
          isEmpty={(page) => page.total === 0}
          empty={
            list.query.q
              ? `No meter matches “${list.query.q}”.`
              : show === 'offline'
                ? 'Every meter is reporting.'
                : 'No device is assigned to you yet. An administrator assigns meters to accounts.'
          }
        >
          {(page) => (
            <Paper withBorder radius="md" style={{ opacity: summary.isPlaceholderData ? 0.6 : 1 }}>
              {phone ? (
                <MeterList rows={page.items} openAlertsOf={openAlertsOf} />
              ) : (
                <MeterTable rows={page.items} list={list} openAlertsOf={openAlertsOf} />
              )}
              <Box p="xs">
                <Pager list={list} total={page.total} what="meters" />
              </Box>
            </Paper>
          )}
        </QueryState>
      )}
    </Stack>
  );
}
