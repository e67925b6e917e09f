/** Pops a notification the moment the hub pushes an `alert`, and refreshes what shows alerts. */

import { notifications } from '@mantine/notifications';
import { useQueryClient } from '@tanstack/react-query';
import { useCallback } from 'react';
import type { SocketAlert } from '../api/types';
import { useCurrentUser } from '../auth/AuthProvider';
import { hourLabel } from '../lib/time';
import { useSocketEvent } from '../realtime/SocketProvider';

export function alertMessage(alert: SocketAlert, timeZone: string): string {
  const device = alert.device_name || 'A device';
  const from = hourLabel(alert.hour_start, timeZone);
  return `${device} used ${alert.total_kwh.toFixed(2)} kWh in the hour from ${from}, over its limit of ${alert.limit_kwh} kWh.`;
}

export function AlertNotifier() {
  const user = useCurrentUser();
  const queryClient = useQueryClient();
  const show = useCallback(
    (alert: SocketAlert) => {
      notifications.show({
        id: `alert-${alert.id}`,
        title: 'Over the hourly limit',
        message: alertMessage(alert, user.timezone),
        color: 'red',
        autoClose: 20_000,
      });
      queryClient.invalidateQueries({ queryKey: ['alerts'] });
      queryClient.invalidateQueries({ queryKey: ['alert-count'] });
      queryClient.invalidateQueries({ queryKey: ['summary'] });
    },
    [queryClient, user.timezone],
  );
  useSocketEvent<SocketAlert>('alert', show);
  return null;
}
