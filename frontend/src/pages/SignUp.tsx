/** Create a client account, when the operator has self-registration on. */

import { Alert, Anchor, Button, PasswordInput, Stack, Text, TextInput } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link } from 'react-router-dom';
import { ApiError } from '../api/client';
import { login, register } from '../api/identity';
import { useAuth } from '../auth/AuthProvider';
import { formErrors } from '../components/errors';
import { TimeZoneSelect } from '../components/TimeZoneSelect';
import { AuthCard } from './AuthCard';
import { ErrorMessage } from '../components/ErrorMessage';

function browserTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

export function SignUp() {
  const { signIn } = useAuth();
  const [form, setForm] = useState({
    username: '',
    password: '',
    name: '',
    email: '',
    timezone: browserTimeZone(),
  });
  const attempt = useMutation({
    mutationFn: async () => {
      await register(form);
      return login(form.username, form.password);
    },
    onSuccess: signIn,
  });
  const closed = attempt.error instanceof ApiError && attempt.error.code === 'registration_closed';
  const { fields, general } = formErrors(attempt.error);
  const set = (key: keyof typeof form) => (value: string) =>
    setForm((current) => ({ ...current, [key]: value }));

  const submit = (event: FormEvent) => {
    event.preventDefault();
    attempt.mutate();
  };

  return (
    <AuthCard title="Sign up">
      {closed ? (
        <Alert color="yellow" title="Sign-up is closed" role="alert">
          This system does not take new accounts by themselves. Ask an administrator to create
          yours.
        </Alert>
      ) : (
        <ErrorMessage message={general} />
      )}
      <form onSubmit={submit} noValidate aria-label="Sign up">
        <Stack gap="sm">
          <TextInput
            label="Username"
            value={form.username}
            onChange={(event) => set('username')(event.currentTarget.value)}
            error={fields.username}
            autoComplete="username"
            required
          />
          <TextInput
            label="Name"
            value={form.name}
            onChange={(event) => set('name')(event.currentTarget.value)}
            error={fields.name}
            autoComplete="name"
            required
          />
          <TextInput
            label="Email"
            type="email"
            value={form.email}
            onChange={(event) => set('email')(event.currentTarget.value)}
            error={fields.email}
            autoComplete="email"
            required
          />
          <PasswordInput
            label="Password"
            description="8 to 128 characters"
            value={form.password}
            onChange={(event) => set('password')(event.currentTarget.value)}
            error={fields.password}
            autoComplete="new-password"
            required
          />
          <TimeZoneSelect value={form.timezone} onChange={set('timezone')} error={fields.timezone} />
          <Button type="submit" loading={attempt.isPending} disabled={closed} fullWidth>
            Create account
          </Button>
        </Stack>
      </form>
      <Text size="sm" ta="center">
        Already have an account?{' '}
        <Anchor component={Link} to="/signin">
          Sign in
        </Anchor>
      </Text>
    </AuthCard>
  );
}
