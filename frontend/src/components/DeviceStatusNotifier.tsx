/**
 * Meters going offline or coming back: their status is fetched again, and the owner is
 * told once per burst. When a site loses power 200 meters go quiet within seconds;
 * one notice says so ("200 meters went offline") instead of 200 toasts.
 */

import { Anchor, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useQueryClient, type QueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useRef } from 'react';
import { Link } from 'react-router-dom';
import type { DeviceStatus } from '../api/types';
import { useCurrentUser } from '../auth/AuthProvider';
import { dateTimeLabel } from '../lib/time';
import { useNotices } from '../notices/NoticeCenter';
import { useSocketEvent } from '../realtime/SocketProvider';

/** Every device name the app holds already: device lists and summaries, paged or not. */
export function cachedDeviceNames(queryClient: QueryClient): Map<string, string> {
  const names = new Map<string, string>();
  for (const key of ['devices', 'summary']) {
    for (const [, data] of queryClient.getQueriesData<unknown>({ queryKey: [key] })) {
      const rows = Array.isArray(data) ? data : ((data as { items?: unknown[] } | undefined)?.items ?? []);
      for (const row of rows as Array<{ id?: string; device_id?: string; name?: string }>) {
        const id = row.device_id ?? row.id;
        if (id && row.name) names.set(id, row.name);
      }
    }
  }
  return names;
}

/** Statuses arriving closer together than this are one burst. */
export const BURST_MS = 1_500;

export function offlineMessage(name: string, lastReadingAt: string | null, timeZone: string): string {
  const since = lastReadingAt ? ` since ${dateTimeLabel(lastReadingAt, timeZone)}` : '';
  return `${name} has not reported${since}. Check its power and connection.`;
}

/** The words of one burst: a meter by name, or how many went quiet. */
export function burstNotice(names: string[], lastReadingAt: string | null, timeZone: string) {
  if (names.length === 1) {
    return { title: 'Meter offline', message: offlineMessage(names[0], lastReadingAt, timeZone) };
  }
  return {
    title: `${names.length} meters went offline`,
    message: 'They stopped reporting at about the same time: a power or network cut at the site is likely.',
  };
}

export function DeviceStatusNotifier() {
  const user = useCurrentUser();
  const queryClient = useQueryClient();
  const { add } = useNotices();
  const burst = useRef<DeviceStatus[]>([]);
  const timer = useRef<number>();

  const flush = useCallback(() => {
    const statuses = burst.current;
    burst.current = [];
    if (statuses.length === 0) return;
    const known = cachedDeviceNames(queryClient);
    const names = statuses.map((status) => known.get(status.device_id) ?? 'One of your meters');
    const { title, message } = burstNotice(names, statuses[0].last_reading_at, user.timezone);
    const link =
      user.role === 'admin'
        ? { to: '/admin', label: 'See them on the overview' }
        : { to: '/devices?status=offline', label: names.length > 1 ? 'See them' : 'See it' };
    const id = `offline-${Date.now()}`;
    add({ id, title, message, color: 'gray', link, at: new Date().toISOString() });
    // Administrators see every meter gone quiet on the overview and in the bell.
    if (user.role === 'admin') return;
    notifications.show({
      id,
      title,
      color: 'gray',
      message: (
        <>
          <Text size="sm">{message}</Text>
          <Anchor component={Link} to={link.to} size="sm" onClick={() => notifications.hide(id)}>
            {link.label}
          </Anchor>
        </>
      ),
    });
  }, [add, queryClient, user.role, user.timezone]);

  const onStatus = useCallback(
    (status: DeviceStatus) => {
      queryClient.invalidateQueries({ queryKey: ['summary'] });
      if (status.online) return;
      burst.current.push(status);
      window.clearTimeout(timer.current);
      timer.current = window.setTimeout(flush, BURST_MS);
    },
    [queryClient, flush],
  );
  useEffect(() => () => window.clearTimeout(timer.current), []);
  useSocketEvent<DeviceStatus>('device:status', onStatus);
  return null;
}
