/** A user's devices, with assigning and unassigning from the user's side. */

import { ActionIcon, Button, Group, Modal, Select, Stack, Table, Text } from '@mantine/core';
import { useState } from 'react';
import { MAX_PAGE, plainMessage } from '../api/client';
import { useAssignDevice, useDevicePage, useDevices } from '../api/inventory';
import type { User } from '../api/types';
import { ErrorMessage } from './ErrorMessage';

interface UserDevicesModalProps {
  user: User | null;
  onClose: () => void;
}

/** Their devices (asked for by owner), and the unassigned ones of the first page to add. */
export function UserDevicesModal({ user, onClose }: UserDevicesModalProps) {
  const theirs = useDevicePage({ owner_id: user?.id, limit: MAX_PAGE }, Boolean(user));
  const firstPage = useDevices();
  const assign = useAssignDevice();
  const [choice, setChoice] = useState<string | null>(null);
  // One tap on ✕ only asks; the meter stays assigned until the second, explicit one.
  const [confirming, setConfirming] = useState<string | null>(null);
  const owned = theirs.data?.items ?? [];
  const free = (firstPage.data ?? []).filter((device) => !device.owner_id);

  return (
    <Modal
      opened={Boolean(user)}
      onClose={() => {
        assign.reset();
        setConfirming(null);
        onClose();
      }}
      title={`Devices of ${user?.name ?? ''}`}
      size="lg"
    >
      <Stack>
        {owned.length === 0 ? (
          <Text c="dimmed" size="sm">
            No devices assigned.
          </Text>
        ) : (
          <Table aria-label="Assigned devices">
            <Table.Tbody>
              {owned.map((device) => (
                <Table.Tr key={device.id}>
                  <Table.Td>{device.name}</Table.Td>
                  <Table.Td>{device.address}</Table.Td>
                  <Table.Td ta="right">
                    {confirming === device.id ? (
                      <Group gap={4} wrap="nowrap" justify="flex-end" role="group" aria-label={`Unassign ${device.name}?`}>
                        <Text size="sm" span>
                          Unassign?
                        </Text>
                        <Button
                          size="compact-sm"
                          color="red"
                          loading={assign.isPending && assign.variables?.deviceId === device.id}
                          onClick={() =>
                            assign.mutate(
                              { deviceId: device.id, userId: null },
                              { onSuccess: () => setConfirming(null) },
                            )
                          }
                        >
                          Unassign
                        </Button>
                        <Button size="compact-sm" variant="default" onClick={() => setConfirming(null)}>
                          Keep
                        </Button>
                      </Group>
                    ) : (
                      <ActionIcon
                        variant="subtle"
                        color="red"
                        aria-label={`Unassign ${device.name}`}
                        title={`Unassign ${device.name}`}
                        onClick={() => setConfirming(device.id)}
                      >
                        ✕
                      </ActionIcon>
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
        <Group align="flex-end" wrap="nowrap">
          <Select
            label="Assign a free device"
            placeholder={free.length ? 'Pick a device' : 'Every device has an owner'}
            data={free.map((device) => ({ value: device.id, label: device.name }))}
            value={choice}
            onChange={setChoice}
            searchable
            style={{ flex: 1 }}
          />
          <Button
            disabled={!choice || !user}
            loading={assign.isPending}
            onClick={() =>
              choice &&
              user &&
              assign.mutate({ deviceId: choice, userId: user.id }, { onSuccess: () => setChoice(null) })
            }
          >
            Assign
          </Button>
        </Group>
        <ErrorMessage message={assign.isError ? plainMessage(assign.error) : null} />
      </Stack>
    </Modal>
  );
}
