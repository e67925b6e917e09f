/** The signed-in user's own details, password and notification settings. */

import {
  Button,
  Divider,
  Group,
  Paper,
  PasswordInput,
  Stack,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState, type FormEvent } from 'react';
import { useMe, useUpdateMe } from '../api/identity';
import type { User, UserInput } from '../api/types';
import { formErrors } from '../components/errors';
import { QueryState } from '../components/QueryState';
import { TimeZoneSelect } from '../components/TimeZoneSelect';
import { ErrorMessage } from '../components/ErrorMessage';
import { NotificationSettings } from '../components/NotificationSettings';

function ProfileForm({ user }: { user: User }) {
  const save = useUpdateMe();
  const [name, setName] = useState(user.name);
  const [email, setEmail] = useState(user.email);
  const [timezone, setTimezone] = useState(user.timezone);
  const [password, setPassword] = useState('');
  const [currentPassword, setCurrentPassword] = useState('');
  const { fields, general } = formErrors(save.error);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const input: UserInput = { name, email, timezone };
    if (password) {
      input.password = password;
      input.current_password = currentPassword;
    }
    save.mutate(input, {
      onSuccess: () => {
        setPassword('');
        setCurrentPassword('');
        notifications.show({ title: 'Profile saved', message: 'Your changes are saved.' });
      },
    });
  };

  return (
    <form onSubmit={submit} noValidate aria-label="Profile">
      <Stack gap="sm">
        <ErrorMessage message={general} />
        <TextInput label="Username" value={user.username} disabled />
        <TextInput
          label="Name"
          value={name}
          onChange={(event) => setName(event.currentTarget.value)}
          error={fields.name}
          autoComplete="name"
        />
        <TextInput
          label="Email"
          type="email"
          value={email}
          onChange={(event) => setEmail(event.currentTarget.value)}
          error={fields.email}
          autoComplete="email"
        />
        <TimeZoneSelect
          value={timezone}
          onChange={setTimezone}
          error={fields.timezone}
          description="Days and hours of your charts follow this zone"
        />
        <Divider label="Change password" labelPosition="left" mt="sm" />
        <PasswordInput
          label="New password"
          description="Leave empty to keep your password"
          value={password}
          onChange={(event) => setPassword(event.currentTarget.value)}
          error={fields.password}
          autoComplete="new-password"
        />
        <PasswordInput
          label="Current password"
          value={currentPassword}
          onChange={(event) => setCurrentPassword(event.currentTarget.value)}
          error={fields.current_password}
          autoComplete="current-password"
          disabled={!password}
        />
        <Group justify="flex-end">
          <Button type="submit" loading={save.isPending}>
            Save
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

export function Profile() {
  const me = useMe();
  return (
    <Stack maw={560}>
      <Title order={2}>Profile</Title>
      <Paper withBorder p="md" radius="md">
        <QueryState query={me} what="your profile">
          {(user) => (
            <>
              <Text size="sm" c="dimmed" mb="sm">
                {user.role === 'admin' ? 'Administrator' : 'Client'}
              </Text>
              <ProfileForm user={user} />
            </>
          )}
        </QueryState>
      </Paper>
      <Title order={3} id="notification-settings">
        Notifications
      </Title>
      <Paper withBorder p="md" radius="md">
        <NotificationSettings />
      </Paper>
    </Stack>
  );
}
