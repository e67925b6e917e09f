/** Administrators: users a page at a time, searched and sorted; create, edit, delete, and their devices. */

import { plainMessage } from '../../api/client';
import {
  Box,
  Button,
  Group,
  Modal,
  Paper,
  Stack,
  Table,
  Title,
  VisuallyHidden,
} from '@mantine/core';
import { useState } from 'react';
import { useDeleteUser, useSaveUser, useUserPage } from '../../api/identity';
import { Pager, SearchField, SortField, SortHeader, useListState } from '../../components/ListControls';
import type { User } from '../../api/types';
import { RowActions } from '../../components/RowActions';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { QueryState } from '../../components/QueryState';
import { UserDevicesModal } from '../../components/UserDevicesModal';
import { UserForm } from '../../components/UserForm';

type Editing = { user?: User } | null;

const SORTS = [
  { value: 'username', label: 'Username' },
  { value: 'name', label: 'Name (A–Z)' },
  { value: '-name', label: 'Name (Z–A)' },
  { value: 'email', label: 'Email' },
  { value: 'role', label: 'Administrators first' },
  { value: '-created_at', label: 'Newest first' },
];

export function Users() {
  const list = useListState('username');
  const users = useUserPage(list.query);
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

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>Users</Title>
        <Button onClick={() => setEditing({})}>New user</Button>
      </Group>
      <Group align="flex-end" gap="sm" wrap="wrap">
        <SearchField list={list} label="Search users" placeholder="Username, name or email" />
        <SortField list={list} options={SORTS} />
      </Group>
      <Paper withBorder radius="md">
        <QueryState
          query={users}
          what="users"
          isEmpty={(page) => page.total === 0}
          empty={list.query.q ? `No user matches “${list.query.q}”.` : 'No users yet.'}
        >
          {({ items, total }) => (
            <>
            <Table.ScrollContainer minWidth={760} type="native" tabIndex={0} aria-label="Users, scrolls sideways">
              <Table striped highlightOnHover aria-label="Users">
                <Table.Thead>
                  <Table.Tr>
                    <SortHeader list={list} by="username">
                      Username
                    </SortHeader>
                    <SortHeader list={list} by="name">
                      Name
                    </SortHeader>
                    <SortHeader list={list} by="email">
                      Email
                    </SortHeader>
                    <SortHeader list={list} by="role">
                      Role
                    </SortHeader>
                    <Table.Th>Time zone</Table.Th>
                    <Table.Th>
                      <VisuallyHidden>Actions</VisuallyHidden>
                    </Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {items.map((user) => (
                    <Table.Tr key={user.id} data-testid="user-row">
                      <Table.Td>{user.username}</Table.Td>
                      <Table.Td>{user.name}</Table.Td>
                      <Table.Td>{user.email}</Table.Td>
                      <Table.Td>{user.role === 'admin' ? 'Administrator' : 'Client'}</Table.Td>
                      <Table.Td>{user.timezone}</Table.Td>
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
            <Box p="xs">
              <Pager list={list} total={total} what="users" />
            </Box>
            </>
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
      <UserDevicesModal user={devicesOf} onClose={() => setDevicesOf(null)} />
    </Stack>
  );
}
