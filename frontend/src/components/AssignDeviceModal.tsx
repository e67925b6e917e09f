/** Assign a device to a client, or unassign it (from the device's side). */

import { plainMessage } from '../api/client';
import { Button, Group, Modal, Select, Stack, Text } from '@mantine/core';
import { useState } from 'react';
import { useAssignDevice } from '../api/inventory';
import type { Device, User } from '../api/types';
import { ErrorMessage } from './ErrorMessage';

interface AssignDeviceModalProps {
  device: Device | null;
  users: User[];
  onClose: () => void;
}

export function AssignDeviceModal({ device, users, onClose }: AssignDeviceModalProps) {
  const assign = useAssignDevice();
  // The parent keys this modal by device, so each device starts from its own owner.
  const [owner, setOwner] = useState<string | null>(device?.owner_id ?? null);

  const save = (userId: string | null) =>
    device && assign.mutate({ deviceId: device.id, userId }, { onSuccess: onClose });

  return (
    <Modal opened={Boolean(device)} onClose={onClose} title={`Owner of ${device?.name ?? ''}`}>
      <Stack>
        <Select
          label="Owner"
          placeholder="Nobody"
          data={users.map((user) => ({ value: user.id, label: `${user.name} (${user.username})` }))}
          value={owner}
          onChange={setOwner}
          searchable
          clearable
          nothingFoundMessage="No such user"
        />
        <ErrorMessage message={assign.isError ? plainMessage(assign.error) : null} />
        {device?.owner_id && (
          <Text size="xs" c="dimmed">
            Unassigning keeps the device and its readings; the client no longer sees it.
          </Text>
        )}
        <Group justify="space-between">
          <Button
            variant="light"
            color="red"
            disabled={!device?.owner_id}
            onClick={() => save(null)}
            loading={assign.isPending && assign.variables?.userId === null}
          >
            Unassign
          </Button>
          <Button
            onClick={() => save(owner)}
            disabled={!owner || owner === device?.owner_id}
            loading={assign.isPending && assign.variables?.userId !== null}
          >
            Assign
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
