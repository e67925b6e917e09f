/**
 * Alarms, newest first, one page at a time: a client's own (early warnings and hours over
 * the limit), or every device's for administrators ("Alarms", with filters by client and
 * period, and clearing). Each can be acknowledged with a note; its audit trail shows who
 * did what and when.
 */

import {
  Badge,
  Button,
  Card,
  Group,
  Modal,
  MultiSelect,
  Pagination,
  Paper,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
  Textarea,
  Timeline,
  Title,
} from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { useState } from 'react';
import { plainMessage } from '../api/client';
import { useUsers } from '../api/identity';
import { useDevices } from '../api/inventory';
import { useAcknowledgeAlert, useAlertCount, useAlerts, useAlertTrail, useClearAlert } from '../api/monitoring';
import type { AlarmSeverity, AlarmState, Alert } from '../api/types';
import { useCurrentUser } from '../auth/AuthProvider';
import { ErrorMessage } from '../components/ErrorMessage';
import { QueryState } from '../components/QueryState';
import {
  type AlarmFilters,
  hoursLabel,
  NO_FILTERS,
  PAGE_SIZE,
  pageCount,
  SEVERITIES,
  severityOf,
  STATES,
  stateOf,
} from '../lib/alarms';
import { dateTimeLabel, formatKwh } from '../lib/time';

function SeverityBadge({ alert }: { alert: Alert }) {
  const severity = severityOf(alert.severity);
  return (
    <Badge variant="light" color={severity.color} data-testid="severity">
      {severity.label}
    </Badge>
  );
}

function StateBadge({ alert }: { alert: Alert }) {
  const state = stateOf(alert.state);
  return (
    <Badge variant="outline" color={state.color} data-testid="state">
      {state.label}
    </Badge>
  );
}

/** Acknowledge or clear, with an optional note. */
function NoteDialog({
  alert,
  action,
  deviceName,
  onClose,
}: {
  alert: Alert | null;
  action: 'acknowledge' | 'clear';
  deviceName: string;
  onClose: () => void;
}) {
  const [note, setNote] = useState('');
  const acknowledge = useAcknowledgeAlert();
  const clear = useClearAlert();
  const mutation = action === 'acknowledge' ? acknowledge : clear;
  const verb = action === 'acknowledge' ? 'Acknowledge' : 'Clear';
  const close = () => {
    setNote('');
    mutation.reset();
    onClose();
  };
  const submit = () => {
    if (!alert) return;
    mutation.mutate({ id: alert.id, note: note.trim() || undefined }, { onSuccess: close });
  };
  return (
    <Modal opened={alert !== null} onClose={close} title={`${verb} the alarm for ${deviceName}`} centered>
      <Stack>
        <Textarea
          label="Note (optional)"
          description="Say what was done about it; it is kept in the alarm's history."
          maxLength={500}
          autosize
          minRows={2}
          value={note}
          onChange={(event) => setNote(event.currentTarget.value)}
        />
        <ErrorMessage message={mutation.isError ? plainMessage(mutation.error) : null} />
        <Group justify="flex-end">
          <Button variant="default" onClick={close}>
            Cancel
          </Button>
          <Button onClick={submit} loading={mutation.isPending} color={action === 'clear' ? 'teal' : undefined}>
            {verb}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

const ACTIONS: Record<string, string> = {
  raised: 'Raised',
  repeated: 'Another hour over the limit',
  escalated: 'Escalated to far over the limit',
  reopened: 'Reopened',
  acknowledged: 'Acknowledged',
  cleared: 'Cleared',
};

function TrailDialog({ alertId, onClose }: { alertId: string | null; onClose: () => void }) {
  const user = useCurrentUser();
  const trail = useAlertTrail(alertId);
  const who = (actor: { role: string; name: string }) =>
    actor.role === 'system' ? 'faas-ems' : `${actor.name || 'someone'} (${actor.role === 'admin' ? 'administrator' : 'client'})`;
  return (
    <Modal opened={alertId !== null} onClose={onClose} title="The alarm's history" centered>
      <QueryState query={trail} what="the history">
        {(alarm) => (
          <Timeline active={alarm.audit.length} bulletSize={14} lineWidth={2} data-testid="audit-trail">
            {alarm.audit.map((step, index) => (
              <Timeline.Item key={index} title={ACTIONS[step.action] ?? step.action} data-testid="audit-step">
                <Text size="sm" c="gray.7">
                  {dateTimeLabel(step.at, user.timezone)} · {who(step.actor)}
                </Text>
                {step.note && (
                  <Text size="sm" fs="italic">
                    “{step.note}”
                  </Text>
                )}
              </Timeline.Item>
            ))}
          </Timeline>
        )}
      </QueryState>
    </Modal>
  );
}

/** Administrators only: clients cannot list users (nor filter by one). */
function ClientFilter({ value, onChange }: { value: string | null; onChange: (id: string | null) => void }) {
  const users = useUsers();
  const clients = (users.data ?? []).filter((person) => person.role === 'client');
  return (
    <Select
      label="Client"
      placeholder="Any"
      clearable
      searchable
      data={clients.map((person) => ({ value: person.id, label: person.name || person.username }))}
      value={value}
      onChange={onChange}
      w={200}
    />
  );
}

function Filters({ filters, onChange }: { filters: AlarmFilters; onChange: (next: AlarmFilters) => void }) {
  const user = useCurrentUser();
  const devices = useDevices();
  const admin = user.role === 'admin';
  return (
    <Group align="flex-end" gap="sm" wrap="wrap" data-testid="alarm-filters">
      <MultiSelect
        label="State"
        placeholder={filters.state.length ? undefined : 'Any'}
        data={STATES.map(({ value, label }) => ({ value, label }))}
        value={filters.state}
        onChange={(state) => onChange({ ...filters, state: state as AlarmState[] })}
        w={220}
      />
      <MultiSelect
        label="Severity"
        placeholder={filters.severity.length ? undefined : 'Any'}
        data={SEVERITIES.map(({ value, label }) => ({ value, label }))}
        value={filters.severity}
        onChange={(severity) => onChange({ ...filters, severity: severity as AlarmSeverity[] })}
        w={260}
      />
      <Select
        label="Device"
        placeholder="Any"
        clearable
        searchable
        data={(devices.data ?? []).map((device) => ({ value: device.id, label: device.name }))}
        value={filters.deviceId}
        onChange={(deviceId) => onChange({ ...filters, deviceId })}
        w={200}
      />
      {admin && <ClientFilter value={filters.ownerId} onChange={(ownerId) => onChange({ ...filters, ownerId })} />}
      <TextInput
        label="From"
        type="date"
        value={filters.from ?? ''}
        onChange={(event) => onChange({ ...filters, from: event.currentTarget.value || null })}
      />
      <TextInput
        label="To"
        type="date"
        value={filters.to ?? ''}
        onChange={(event) => onChange({ ...filters, to: event.currentTarget.value || null })}
      />
      <Button variant="subtle" onClick={() => onChange(NO_FILTERS)}>
        Reset
      </Button>
    </Group>
  );
}

export function Alerts() {
  const user = useCurrentUser();
  const admin = user.role === 'admin';
  const [filters, setFilters] = useState<AlarmFilters>(NO_FILTERS);
  const [page, setPage] = useState(1);
  const alerts = useAlerts(filters, page);
  const count = useAlertCount(filters);
  const devices = useDevices();
  const [acknowledging, setAcknowledging] = useState<Alert | null>(null);
  const [clearing, setClearing] = useState<Alert | null>(null);
  const [trailOf, setTrailOf] = useState<string | null>(null);
  const deviceName = (id: string) => devices.data?.find((device) => device.id === id)?.name ?? '—';
  // On a phone a table's last column (the action) ends up off-screen: cards instead.
  const phone = useMediaQuery('(max-width: 48em)');
  const nameOf = (alert: Alert) => deviceName(alert.device_id);
  const total = count.data?.total ?? 0;
  const changeFilters = (next: AlarmFilters) => {
    setFilters(next);
    setPage(1);
  };

  const actions = (alert: Alert) => (
    <Group gap={6} wrap="nowrap">
      <StateBadge alert={alert} />
      {alert.state === 'open' && (
        <Button
          size={phone ? 'xs' : 'compact-xs'}
          variant="light"
          onClick={() => setAcknowledging(alert)}
          aria-label={`Acknowledge the alert for ${nameOf(alert)}`}
        >
          Acknowledge
        </Button>
      )}
      {admin && alert.state !== 'cleared' && (
        <Button
          size={phone ? 'xs' : 'compact-xs'}
          variant="subtle"
          color="teal"
          onClick={() => setClearing(alert)}
          aria-label={`Clear the alert for ${nameOf(alert)}`}
        >
          Clear
        </Button>
      )}
      <Button
        size={phone ? 'xs' : 'compact-xs'}
        variant="subtle"
        color="gray"
        onClick={() => setTrailOf(alert.id)}
        aria-label={`History of the alert for ${nameOf(alert)}`}
      >
        History
      </Button>
    </Group>
  );
  const used = (alert: Alert) => (
    <>
      <Text span c={alert.severity === 'warning' ? 'orange.9' : 'red.8'} fw={600} inherit>
        {formatKwh(alert.total_kwh)}
      </Text>
      {alert.severity === 'warning' && alert.projected_kwh !== null && (
        <Text span c="gray.7" inherit>
          {' '}
          (heading for {formatKwh(alert.projected_kwh)})
        </Text>
      )}
    </>
  );

  return (
    <Stack>
      <Title order={2}>{admin ? 'Alarms' : 'Alerts'}</Title>
      <Text size="sm" c="gray.7">
        A warning comes while an hour is heading over its limit; an alert once it is over (far
        over: more than half again the limit). Repeated hours of a device within a few hours are
        one alarm. New ones pop up on any page the moment they are raised.
      </Text>
      <Filters filters={filters} onChange={changeFilters} />
      <Paper withBorder radius="md">
        <QueryState
          query={alerts}
          what="alerts"
          isEmpty={(list) => list.length === 0}
          empty={filters === NO_FILTERS ? 'No alerts. Every hour stayed under its limit.' : 'No alarm matches these filters.'}
        >
          {(list) =>
            phone ? (
              <Stack gap={0} component="ul" m={0} p={0} style={{ listStyle: 'none' }} aria-label="Alerts">
                {list.map((alert) => (
                  <Card key={alert.id} component="li" radius={0} withBorder data-testid="alert-row">
                    <Stack gap={4}>
                      <Group justify="space-between" wrap="nowrap">
                        <Text fw={600} style={{ overflowWrap: 'anywhere' }}>
                          {nameOf(alert)}
                        </Text>
                        <SeverityBadge alert={alert} />
                      </Group>
                      <Text size="sm">
                        {dateTimeLabel(alert.hour_start, user.timezone)}
                        {alert.hours > 1 && ` (${alert.hours} hours)`}: {used(alert)} of {formatKwh(alert.limit_kwh)}
                      </Text>
                      {actions(alert)}
                    </Stack>
                  </Card>
                ))}
              </Stack>
            ) : (
              <Table.ScrollContainer minWidth={860}>
                <Table striped aria-label="Alerts">
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>Device</Table.Th>
                      <Table.Th>Severity</Table.Th>
                      <Table.Th>Hours</Table.Th>
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
                        <Table.Td>
                          <SeverityBadge alert={alert} />
                        </Table.Td>
                        <Table.Td>
                          {dateTimeLabel(alert.hour_start, user.timezone)}
                          {alert.hours > 1 && (
                            <Text size="xs" c="gray.7">
                              {hoursLabel(alert, user.timezone)}
                            </Text>
                          )}
                        </Table.Td>
                        <Table.Td ta="right">{used(alert)}</Table.Td>
                        <Table.Td ta="right">{formatKwh(alert.limit_kwh)}</Table.Td>
                        <Table.Td>{dateTimeLabel(alert.raised_at, user.timezone)}</Table.Td>
                        <Table.Td>{actions(alert)}</Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </Table.ScrollContainer>
            )
          }
        </QueryState>
      </Paper>
      {total > PAGE_SIZE && (
        <Group justify="space-between">
          <Text size="sm" c="gray.7" data-testid="alarm-total">
            {total} alarms
          </Text>
          <Pagination total={pageCount(total)} value={page} onChange={setPage} aria-label="Pages of alarms" />
        </Group>
      )}
      <NoteDialog
        alert={acknowledging}
        action="acknowledge"
        deviceName={acknowledging ? nameOf(acknowledging) : ''}
        onClose={() => setAcknowledging(null)}
      />
      <NoteDialog
        alert={clearing}
        action="clear"
        deviceName={clearing ? nameOf(clearing) : ''}
        onClose={() => setClearing(null)}
      />
      <TrailDialog alertId={trailOf} onClose={() => setTrailOf(null)} />
    </Stack>
  );
}
