/** Administrators: every user, searchable; create, edit, delete, and their devices. */

import { plainMessage } from '../../api/client';
import {
  Button,
  Group,
  Modal,
  Paper,
  Stack,
  Table,
  TextInput,
  Title,
  VisuallyHidden,
} from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useState } from 'react';
import { useDeleteUser, useSaveUser, useUsers } from '../../api/identity';
import { useDevices } from '../../api/inventory';
import type { User } from '../../api/types';
import { RowActions } from '../../components/RowActions';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { QueryState } from '../../components/QueryState';
import { UserDevicesModal } from '../../components/UserDevicesModal';
import { UserForm } from '../../components/UserForm';

type Editing = { user?: User } | null;

export function Users() {
  const [search, setSearch] = useState('');
  const [debounced] = useDebouncedValue(search.trim(), 250);
  const users = useUsers(debounced);
  const devices = useDevices();
  const save = useSaveUser();
  const remove = useDeleteUser();
  const [editing, setEditing] = useState<Editing>(null);
  const [deleting, setDeleting] = useState<User | null>(null);
  const [devicesOf, setDevicesOf] = useState<User | null>(null);

  const closeEditor = () => {
    setEditing(null);
    save.reset();
  };
  const closeDelete = () => {
    setDeleting(null);
    remove.reset();
  };
  const deviceCount = (user: User) =>
    devices.data?.filter((device) => device.owner_id === user.id).length ?? 0;

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>Users</Title>
        <Button onClick={() => setEditing({})}>New user</Button>
      </Group>
      <TextInput
        label="Search users"
        placeholder="Username, name or email"
        value={search}
        onChange={(event) => setSearch(event.currentTarget.value)}
        maw={360}
      />
      <Paper withBorder radius="md">
        <QueryState
          query={users}
          what="users"
          isEmpty={(list) => list.length === 0}
          empty={debounced ? `No user matches “${debounced}”.` : 'No users yet.'}
        >
          {(list) => (
            <Table.ScrollContainer minWidth={760}>
              <Table striped highlightOnHover aria-label="Users">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Username</Table.Th>
                    <Table.Th>Name</Table.Th>
                    <Table.Th>Email</Table.Th>
                    <Table.Th>Role</Table.Th>
                    <Table.Th>Time zone</Table.Th>
                    <Table.Th>Devices</Table.Th>
                    <Table.Th>
                      <VisuallyHidden>Actions</VisuallyHidden>
                    </Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {list.map((user) => (
                    <Table.Tr key={user.id} data-testid="user-row">
                      <Table.Td>{user.username}</Table.Td>
                      <Table.Td>{user.name}</Table.Td>
                      <Table.Td>{user.email}</Table.Td>
                      <Table.Td>{user.role === 'admin' ? 'Administrator' : 'Client'}</Table.Td>
                      <Table.Td>{user.timezone}</Table.Td>
                      <Table.Td>{deviceCount(user)}</Table.Td>
                      <Table.Td>
                        <RowActions
                          actions={[
                            { text: 'Devices', label: `Devices of ${user.username}`, onClick: () => setDevicesOf(user) },
                            { text: 'Edit', label: `Edit ${user.username}`, onClick: () => setEditing({ user }) },
                            { text: 'Delete', label: `Delete ${user.username}`, onClick: () => setDeleting(user), danger: true },
                          ]}
                        />
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          )}
        </QueryState>
      </Paper>

      <Modal
        opened={editing !== null}
        onClose={closeEditor}
        title={editing?.user ? `Edit ${editing.user.username}` : 'New user'}
      >
        {editing && (
          <UserForm
            key={editing.user?.id ?? 'new'}
            user={editing.user}
            submitting={save.isPending}
            error={save.error}
            onCancel={closeEditor}
            onSubmit={(input) =>
              save.mutate({ id: editing.user?.id, input }, { onSuccess: closeEditor })
            }
          />
        )}
      </Modal>
      <ConfirmDialog
        opened={deleting !== null}
        title="Delete user"
        message={`Delete ${deleting?.username ?? ''}? Their devices are unassigned and their support conversations removed. This cannot be undone.`}
        confirmLabel="Delete"
        loading={remove.isPending}
        error={remove.error ? plainMessage(remove.error) : null}
        onClose={closeDelete}
        onConfirm={() => deleting && remove.mutate(deleting.id, { onSuccess: closeDelete })}
      />
      <UserDevicesModal
        user={devicesOf}
        devices={devices.data ?? []}
        onClose={() => setDevicesOf(null)}
      />
    </Stack>
  );
}
