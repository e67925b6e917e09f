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
  const data = query.data;
  if (data === undefined) {
    // not pending, so the first load failed
    return <LoadFailed what={what} error={query.error} onRetry={() => query.refetch()} />;
  }
  if (isEmpty?.(data)) {
    return (
      <Center py="xl">
        <Text c="dimmed">{empty ?? `No ${what} yet.`}</Text>
      </Center>
    );
  }
  // A failed refresh keeps what is shown (and the keyboard's place in it): it only says so.
  return (
    <>
      {query.isError ? <RefreshFailed what={what} /> : null}
      {children(data)}
    </>
  );
}

/** Said above figures that a live refresh could not update; the next refresh tries again. */
function RefreshFailed({ what }: { what: string }) {
  return (
    <Text size="sm" c="orange.9" role="status" data-testid="refresh-failed">
      Could not refresh {what}; showing them as last loaded. Trying again shortly.
    </Text>
  );
}
