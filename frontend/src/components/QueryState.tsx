/** The loading, error and empty states every list and chart shares. */

import { Alert, Button, Center, Loader, Stack, Text } from '@mantine/core';
import type { UseQueryResult } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { plainMessage } from '../api/client';

interface QueryStateProps<T> {
  query: UseQueryResult<T>;
  /** What is loading, e.g. "devices". */
  what: string;
  isEmpty?: (data: T) => boolean;
  empty?: ReactNode;
  children: (data: T) => ReactNode;
}

/** A failed load said in plain words, with the one thing to do about it. */
export function LoadFailed({ what, error, onRetry }: { what: string; error: unknown; onRetry: () => void }) {
  return (
    <Alert color="red" title={`Could not load ${what}`} role="alert" data-testid="load-failed">
      <Stack gap="xs" align="flex-start">
        <Text size="sm">{plainMessage(error)}</Text>
        <Button size="xs" variant="light" color="red" onClick={onRetry}>
          Try again
        </Button>
      </Stack>
    </Alert>
  );
}

export function QueryState<T>({ query, what, isEmpty, empty, children }: QueryStateProps<T>) {
  if (query.isPending) {
    return (
      <Center py="xl" role="status" aria-live="polite">
        <Loader size="sm" mr="sm" />
        <Text c="dimmed">Loading {what}…</Text>
      </Center>
    );
  }
  if (query.isError) {
    return <LoadFailed what={what} error={query.error} onRetry={() => query.refetch()} />;
  }
  if (isEmpty?.(query.data)) {
    return (
      <Center py="xl">
        <Text c="dimmed">{empty ?? `No ${what} yet.`}</Text>
      </Center>
    );
  }
  return <>{children(query.data)}</>;
}
