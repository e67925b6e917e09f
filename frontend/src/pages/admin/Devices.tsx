/** Administrators: every device with its limit, site, owner, today's kWh and status. */

import { plainMessage } from '../../api/client';
import {
  Anchor,
  Button,
  Card,
  Group,
  Modal,
  Paper,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
  VisuallyHidden,
} from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { useState } from 'react';
import { Link } from 'react-router-dom';
import { useUsers } from '../../api/identity';
import { useDeleteDevice, useDevices, useSaveDevice } from '../../api/inventory';
import { useSummary } from '../../api/monitoring';
import type { Device, DeviceSummary } from '../../api/types';
import { RowActions } from '../../components/RowActions';
import { AssignDeviceModal } from '../../components/AssignDeviceModal';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { CredentialsModal } from '../../components/CredentialsModal';
import { DeviceForm } from '../../components/DeviceForm';
import { OnlineBadge } from '../../components/OnlineBadge';
import { LoadFailed, QueryState } from '../../components/QueryState';
import { dateTimeLabel, formatKwh } from '../../lib/time';

type Editing = { device?: Device } | null;

/** A register that went down (reset or replaced meter): counted from zero, shown here. */
function ResetNote({ summary }: { summary?: DeviceSummary }) {
  if (!summary?.register_resets || !summary.last_register_reset_at) return null;
  const times = summary.register_resets === 1 ? 'once' : `${summary.register_resets} times`;
  return (
    <Text size="xs" c="orange" data-testid="register-reset">
      Register reset {times}, last {dateTimeLabel(summary.last_register_reset_at)}
    </Text>
  );
}

function matches(device: Device, ownerName: string, needle: string): boolean {
  const text = `${device.name} ${device.meter_id ?? ''} ${device.address ?? ''} ${ownerName}`.toLowerCase();
  return text.includes(needle.toLowerCase());
}

export function Devices() {
  const devices = useDevices();
  const users = useUsers('');
  const summary = useSummary();
  const save = useSaveDevice();
  const remove = useDeleteDevice();
  const [filter, setFilter] = useState('');
  const [editing, setEditing] = useState<Editing>(null);
  const [deleting, setDeleting] = useState<Device | null>(null);
  const [assigning, setAssigning] = useState<Device | null>(null);
  const [keys, setKeys] = useState<Device | null>(null);

  const userById = new Map((users.data ?? []).map((user) => [user.id, user]));
  const summaryById = new Map((summary.data ?? []).map((row) => [row.device_id, row]));
  const ownerName = (device: Device) =>
    device.owner_id ? (userById.get(device.owner_id)?.name ?? 'Unknown user') : '';

  const phone = useMediaQuery('(max-width: 48em)');
  const actionsOf = (device: Device) => (
    <RowActions
      actions={[
        { text: 'Owner', label: `Owner of ${device.name}`, onClick: () => setAssigning(device) },
        { text: 'Edit', label: `Edit ${device.name}`, onClick: () => setEditing({ device }) },
        { text: 'Credentials', label: `Credentials of ${device.name}`, onClick: () => setKeys(device) },
        { text: 'Delete', label: `Delete ${device.name}`, onClick: () => setDeleting(device), danger: true },
      ]}
    />
  );
  const owner = (device: Device) =>
    device.owner_id ? (
      ownerName(device)
    ) : (
      <Text c="gray.7" size="sm" span>
        Unassigned
      </Text>
    );

  const shown = (device: Device) => !filter || matches(device, ownerName(device), filter);
  const closeEditor = () => {
    setEditing(null);
    save.reset();
  };
  const closeDelete = () => {
    setDeleting(null);
    remove.reset();
  };

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>Devices</Title>
        <Button onClick={() => setEditing({})}>New device</Button>
      </Group>
      <TextInput
        label="Filter devices"
        placeholder="Name, meter number, address or owner"
        value={filter}
        onChange={(event) => setFilter(event.currentTarget.value)}
        maw={360}
      />
      {summary.isError && (
        <LoadFailed what="today's figures and status" error={summary.error} onRetry={() => summary.refetch()} />
      )}
      <Paper withBorder radius="md">
        <QueryState query={devices} what="devices" isEmpty={(list) => list.length === 0}>
          {(list) =>
            phone ? (
              <Stack gap={0} component="ul" m={0} p={0} style={{ listStyle: 'none' }} aria-label="Devices">
                {list.filter(shown).map((device) => (
                  <Card key={device.id} component="li" radius={0} withBorder data-testid="device-row">
                    <Stack gap={4}>
                      <Group justify="space-between" wrap="nowrap" align="flex-start">
                        <Anchor component={Link} to={`/devices/${device.id}`} fw={600} style={{ minWidth: 0, overflowWrap: 'anywhere' }}>
                          {device.name}
                        </Anchor>
                        <OnlineBadge summary={summaryById.get(device.id)} unavailable={summary.isError} />
                      </Group>
                      <ResetNote summary={summaryById.get(device.id)} />
                      <Text size="sm" c="gray.7">
                        {[device.meter_id && `Meter ${device.meter_id}`, device.address, device.timezone]
                          .filter(Boolean)
                          .join(' · ')}
                      </Text>
                      <Text size="sm">
                        Today {formatKwh(summaryById.get(device.id)?.today_kwh)} · limit{' '}
                        {formatKwh(device.max_hourly_kwh, 1)} / hour · {owner(device)}
                      </Text>
                      {actionsOf(device)}
                    </Stack>
                  </Card>
                ))}
              </Stack>
            ) : (
            <Table.ScrollContainer minWidth={1000}>
              <Table striped highlightOnHover aria-label="Devices">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Name</Table.Th>
                    <Table.Th>Meter number</Table.Th>
                    <Table.Th>Address</Table.Th>
                    <Table.Th>Site time zone</Table.Th>
                    <Table.Th ta="right">Limit per hour</Table.Th>
                    <Table.Th>Owner</Table.Th>
                    <Table.Th ta="right">Today</Table.Th>
                    <Table.Th>Status</Table.Th>
                    <Table.Th>
                      <VisuallyHidden>Actions</VisuallyHidden>
                    </Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {list
                    .filter(shown)
                    .map((device) => (
                      <Table.Tr key={device.id} data-testid="device-row">
                        <Table.Td>
                          <Anchor component={Link} to={`/devices/${device.id}`}>
                            {device.name}
                          </Anchor>
                        </Table.Td>
                        <Table.Td>{device.meter_id}</Table.Td>
                        <Table.Td>{device.address}</Table.Td>
                        <Table.Td>{device.timezone}</Table.Td>
                        <Table.Td ta="right">{formatKwh(device.max_hourly_kwh, 1)}</Table.Td>
                        <Table.Td>
                          {owner(device)}
                        </Table.Td>
                        <Table.Td ta="right">
                          {formatKwh(summaryById.get(device.id)?.today_kwh)}
                        </Table.Td>
                        {/* wide enough for the status's longest text ("No readings yet") */}
                        <Table.Td miw={170}>
                          <OnlineBadge summary={summaryById.get(device.id)} unavailable={summary.isError} />
                          <ResetNote summary={summaryById.get(device.id)} />
                        </Table.Td>
                        <Table.Td>
                          {actionsOf(device)}
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

      <Modal
        opened={editing !== null}
        onClose={closeEditor}
        title={editing?.device ? `Edit ${editing.device.name}` : 'New device'}
      >
        {editing && (
          <DeviceForm
            key={editing.device?.id ?? 'new'}
            device={editing.device}
            submitting={save.isPending}
            error={save.error}
            onCancel={closeEditor}
            onSubmit={(input) =>
              save.mutate({ id: editing.device?.id, input }, { onSuccess: closeEditor })
            }
          />
        )}
      </Modal>
      <ConfirmDialog
        opened={deleting !== null}
        title="Delete device"
        message={`Delete ${deleting?.name ?? ''}? Its owner no longer sees it. This cannot be undone.`}
        confirmLabel="Delete"
        loading={remove.isPending}
        error={remove.error ? plainMessage(remove.error) : null}
        onClose={closeDelete}
        onConfirm={() => deleting && remove.mutate(deleting.id, { onSuccess: closeDelete })}
      />
      <CredentialsModal key={keys?.id ?? 'none'} device={keys} onClose={() => setKeys(null)} />
      <AssignDeviceModal
        key={assigning?.id ?? 'none'}
        device={assigning}
        users={(users.data ?? []).filter((user) => user.role === 'client')}
        onClose={() => setAssigning(null)}
      />
    </Stack>
  );
}
