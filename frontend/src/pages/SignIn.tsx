/** Sign in with a username and password. */

import { Alert, Anchor, Button, PasswordInput, Stack, Text, TextInput } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link } from 'react-router-dom';
import { ApiError, plainMessage } from '../api/client';
import { login } from '../api/identity';
import { useAuth } from '../auth/AuthProvider';
import { AuthCard } from './AuthCard';
import { ErrorMessage } from '../components/ErrorMessage';

function signInMessage(error: unknown): string {
  if (!(error instanceof ApiError)) return 'Signing in failed. Try again.';
  if (error.code === 'invalid_credentials') return 'Wrong username or password.';
  if (error.code === 'too_many_attempts')
    return 'Too many failed attempts. Wait a little and try again.';
  return plainMessage(error);
}

export function SignIn() {
  const { signIn, endedReason } = useAuth();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const attempt = useMutation({
    mutationFn: () => login(username, password),
    onSuccess: signIn,
  });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    attempt.mutate();
  };

  return (
    <AuthCard title="Sign in">
      {endedReason && !attempt.isError && (
        <Alert color="yellow" role="status">
          {endedReason}
        </Alert>
      )}
      <ErrorMessage message={attempt.isError ? signInMessage(attempt.error) : null} />
      <form onSubmit={submit} aria-label="Sign in">
        <Stack gap="sm">
          <TextInput
            label="Username"
            value={username}
            onChange={(event) => setUsername(event.currentTarget.value)}
            autoComplete="username"
            required
            autoFocus
          />
          <PasswordInput
            label="Password"
            value={password}
            onChange={(event) => setPassword(event.currentTarget.value)}
            autoComplete="current-password"
            required
          />
          <Button type="submit" loading={attempt.isPending} fullWidth>
            Sign in
          </Button>
        </Stack>
      </form>
      <Text size="sm" ta="center">
        No account yet?{' '}
        <Anchor component={Link} to="/signup">
          Sign up
        </Anchor>
      </Text>
    </AuthCard>
  );
}
