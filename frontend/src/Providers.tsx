/** Theme, notifications, data cache and session: everything a page needs around it. */

import { MantineProvider } from '@mantine/core';
import { Notifications } from '@mantine/notifications';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import { ApiError } from './api/client';
import { AuthProvider } from './auth/AuthProvider';

/** React Router v7's behaviour, taken now (and its warnings silenced). */
export const ROUTER_FUTURE = { v7_startTransition: true, v7_relativeSplatPath: true };

export function makeQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 10_000,
        // A 4xx will not get better by asking again.
        retry: (failures, error) =>
          !(error instanceof ApiError && error.status >= 400 && error.status < 500) && failures < 2,
      },
    },
  });
}

export function Providers({ children, client }: { children: ReactNode; client?: QueryClient }) {
  const [queryClient] = useState(() => client ?? makeQueryClient());
  return (
    <MantineProvider defaultColorScheme="light">
      {/* Below the header (app.css), never over its menu button, bell or Sign out. */}
      <Notifications position="top-right" zIndex={1000} limit={3} />
      <QueryClientProvider client={queryClient}>
        <AuthProvider>{children}</AuthProvider>
      </QueryClientProvider>
    </MantineProvider>
  );
}
