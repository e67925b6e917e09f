/**
 * Administrators: the fleet a page at a time (searched and sorted by inventory), each
 * device with its limit, site, owner, and today's kWh and status (monitoring's summary
 * for the devices on the page).
 */

import { plainMessage } from '../../api/client';
import {
  Anchor,
  Box,
  Button,
  Card,
  Group,
  Modal,
  Paper,
  Stack,
  Table,
  Text,
  Title,
  VisuallyHidden,
} from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { useState } from 'react';
import { Link } from 'react-router-dom';
import { useUsers } from '../../api/identity';
import { useDeleteDevice, useDevicePage, useSaveDevice } from '../../api/inventory';
import { useSummary } from '../../api/monitoring';
import type { Device, DeviceSummary } from '../../api/types';
import { Pager, SearchField, SortField, SortHeader, useListState } from '../../components/ListControls';
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
    <Text size="xs" c="orange.9" data-testid="register-reset">
      Register reset {times}, last {dateTimeLabel(summary.last_register_reset_at)}
    </Text>
  );
}

const SORTS = [
  { value: 'name', label: 'Name (A–Z)' },
  { value: '-name', label: 'Name (Z–A)' },
  { value: 'meter_id', label: 'Meter number' },
  { value: 'address', label: 'Address' },
  { value: 'owner_id', label: 'Owner (assigned first)' },
  { value: '-created_at', label: 'Newest first' },
  { value: 'created_at', label: 'Oldest first' },
];

export function Devices() {
  const list = useListState('name');
  const devices = useDevicePage(list.query);
  const users = useUsers('');
  const onPage = (devices.data?.items ?? []).map((device) => device.id);
  const summary = useSummary({ deviceIds: onPage }, onPage.length > 0);
  const save = useSaveDevice();
  const remove = useDeleteDevice();
  const [editing, setEditing] = useState<Editing>(null);
  const [deleting, setDeleting] = useState<Device | null>(null);
  const [assigning, setAssigning] = useState<Device | null>(null);
  const [keys, setKeys] = useState<Device | null>(null);

  const userById = new Map((users.data ?? []).map((user) => [user.id, user]));
  const summaryById = new Map((summary.data?.items ?? []).map((row) => [row.device_id, row]));
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
      <Group align="flex-end" gap="sm" wrap="wrap">
        <SearchField list={list} label="Find devices" placeholder="Name, meter number or address" />
        <SortField list={list} options={SORTS} />
      </Group>
      {summary.isError && (
        <LoadFailed what="today's figures and status" error={summary.error} onRetry={() => summary.refetch()} />
      )}
      <Paper withBorder radius="md">
        <QueryState
          query={devices}
          what="devices"
          isEmpty={(page) => page.total === 0}
          empty={list.query.q ? `No device matches “${list.query.q}”.` : 'No devices yet.'}
        >
          {({ items, total }) => (
            <>
            {phone ? (
              <Stack gap={0} component="ul" m={0} p={0} style={{ listStyle: 'none' }} aria-label="Devices">
                {items.map((device) => (
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
            <Table.ScrollContainer minWidth={1000} type="native" tabIndex={0} aria-label="Devices, scrolls sideways">
              <Table striped highlightOnHover aria-label="Devices">
                <Table.Thead>
                  <Table.Tr>
                    <SortHeader list={list} by="name">
                      Name
                    </SortHeader>
                    <SortHeader list={list} by="meter_id">
                      Meter number
                    </SortHeader>
                    <SortHeader list={list} by="address">
                      Address
                    </SortHeader>
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
                  {items.map((device) => (
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
            )}
            <Box p="xs">
              <Pager list={list} total={total} what="devices" />
            </Box>
            </>
          )}
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
