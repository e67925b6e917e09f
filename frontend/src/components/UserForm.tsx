/** Create or edit a user (administrators), with the API's field errors at each field. */

import { Button, Group, PasswordInput, Select, Stack, TextInput } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import type { Role, User, UserInput } from '../api/types';
import { formErrors } from './errors';
import { TimeZoneSelect } from './TimeZoneSelect';
import { ErrorMessage } from './ErrorMessage';

interface UserFormProps {
  user?: User;
  onSubmit: (input: UserInput) => void;
  submitting?: boolean;
  error?: unknown;
  onCancel?: () => void;
}

export function UserForm({ user, onSubmit, submitting, error, onCancel }: UserFormProps) {
  const [username, setUsername] = useState(user?.username ?? '');
  const [name, setName] = useState(user?.name ?? '');
  const [email, setEmail] = useState(user?.email ?? '');
  const [role, setRole] = useState<Role>(user?.role ?? 'client');
  const [timezone, setTimezone] = useState(user?.timezone ?? 'UTC');
  const [password, setPassword] = useState('');
  const { fields, general } = formErrors(error);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const input: UserInput = { name, email, role, timezone };
    if (!user) input.username = username;
    if (password || !user) input.password = password;
    onSubmit(input);
  };

  return (
    <form onSubmit={submit} noValidate aria-label={user ? 'Edit user' : 'New user'}>
      <Stack gap="sm">
        <ErrorMessage message={general} />
        <TextInput
          label="Username"
          value={username}
          onChange={(event) => setUsername(event.currentTarget.value)}
          error={fields.username}
          disabled={Boolean(user)}
          required={!user}
          autoComplete="off"
        />
        <TextInput
          label="Name"
          value={name}
          onChange={(event) => setName(event.currentTarget.value)}
          error={fields.name}
          required
        />
        <TextInput
          label="Email"
          type="email"
          value={email}
          onChange={(event) => setEmail(event.currentTarget.value)}
          error={fields.email}
          required
        />
        <Select
          label="Role"
          data={[
            { value: 'client', label: 'Client' },
            { value: 'admin', label: 'Administrator' },
          ]}
          value={role}
          onChange={(value) => setRole(value === 'admin' ? 'admin' : 'client')}
          error={fields.role}
          allowDeselect={false}
        />
        <TimeZoneSelect value={timezone} onChange={setTimezone} error={fields.timezone} />
        <PasswordInput
          label={user ? 'New password' : 'Password'}
          description={user ? 'Leave empty to keep the current password' : '8 to 128 characters'}
          value={password}
          onChange={(event) => setPassword(event.currentTarget.value)}
          error={fields.password}
          required={!user}
          autoComplete="new-password"
        />
        <Group justify="flex-end">
          {onCancel && (
            <Button variant="default" onClick={onCancel}>
              Cancel
            </Button>
          )}
          <Button type="submit" loading={submitting}>
            {user ? 'Save' : 'Create user'}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
