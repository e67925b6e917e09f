/** A meter going offline or coming back: its status is fetched again, and a client is told. */

import { notifications } from '@mantine/notifications';
import { useQueryClient } from '@tanstack/react-query';
import { useCallback } from 'react';
import type { Device, DeviceStatus } from '../api/types';
import { useCurrentUser } from '../auth/AuthProvider';
import { dateTimeLabel } from '../lib/time';
import { useSocketEvent } from '../realtime/SocketProvider';

export function offlineMessage(name: string, lastReadingAt: string | null, timeZone: string): string {
  const since = lastReadingAt ? ` since ${dateTimeLabel(lastReadingAt, timeZone)}` : '';
  return `${name} has not reported${since}. Check its power and connection.`;
}

export function DeviceStatusNotifier() {
  const user = useCurrentUser();
  const queryClient = useQueryClient();
  const onStatus = useCallback(
    (status: DeviceStatus) => {
      queryClient.invalidateQueries({ queryKey: ['summary'] });
      // Administrators see every meter gone quiet on the overview; a toast each would drown them.
      if (status.online || user.role === 'admin') return;
      const device = queryClient
        .getQueryData<Device[]>(['devices'])
        ?.find((candidate) => candidate.id === status.device_id);
      notifications.show({
        id: `offline-${status.device_id}`,
        title: 'Meter offline',
        message: offlineMessage(device?.name ?? 'One of your meters', status.last_reading_at, user.timezone),
        color: 'gray',
      });
    },
    [queryClient, user.role, user.timezone],
  );
  useSocketEvent<DeviceStatus>('device:status', onStatus);
  return null;
}
