/** Where the caller's alerts go away from the page, and the log of what was sent. */

import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, query } from './client';
import type { NotificationPage, NotificationPreferences, NotificationPreferencesChange } from './types';

const PREFERENCES = '/function/notifications/preferences';

export function usePreferences() {
  return useQuery({
    queryKey: ['notification-preferences'],
    queryFn: () => api<NotificationPreferences>(PREFERENCES),
  });
}

export function useSavePreferences() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (change: NotificationPreferencesChange) =>
      api<NotificationPreferences>(PREFERENCES, 'PUT', change),
    // The answer may hold the new webhook secret: the cache keeps it without it.
    onSuccess: ({ webhook_secret: _shownOnce, ...saved }) =>
      client.setQueryData(['notification-preferences'], saved),
  });
}

export function useNotificationLog(page: number, pageSize: number) {
  return useQuery({
    queryKey: ['notifications', page, pageSize],
    queryFn: () =>
      api<NotificationPage>(`/function/notifications${query({ page, page_size: pageSize })}`),
    placeholderData: keepPreviousData,
  });
}
