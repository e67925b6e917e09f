/**
 * The moment the hub pushes an `alert`: a toast with what to do about it (view the hour,
 * acknowledge), a line in the bell, and every figure on screen that it changes (alert
 * lists, today's summary, the device's open chart) fetched again at once.
 */

import { Button, Group, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useQueryClient } from '@tanstack/react-query';
import { useCallback, useState } from 'react';
import { useNavigate } from 'react-router-dom';
import { api, plainMessage } from '../api/client';
import type { Alert, SocketAlert } from '../api/types';
import { useCurrentUser } from '../auth/AuthProvider';
import { dateIn, hourLabel } from '../lib/time';
import { useNotices } from '../notices/NoticeCenter';
import { useSocketEvent } from '../realtime/SocketProvider';

export function alertMessage(alert: SocketAlert, timeZone: string): string {
  const device = alert.device_name || 'A device';
  const from = hourLabel(alert.hour_start, timeZone);
  return `${device} used ${alert.total_kwh.toFixed(2)} kWh in the hour from ${from}, over its limit of ${alert.limit_kwh} kWh.`;
}

/** The toast's buttons; it lives outside the pages' providers, so it is handed what to do. */
function AlertActions({ onView, onAcknowledge }: { onView: () => void; onAcknowledge: () => Promise<void> }) {
  const [state, setState] = useState<'idle' | 'busy' | 'done'>('idle');
  const [error, setError] = useState<string | null>(null);
  const acknowledge = () => {
    setState('busy');
    setError(null);
    onAcknowledge().then(
      () => setState('done'),
      (failure) => {
        setError(plainMessage(failure));
        setState('idle');
      },
    );
  };
  return (
    <>
      <Group gap="xs" mt="xs">
        <Button size="compact-sm" variant="filled" color="red" onClick={onView}>
          View
        </Button>
        <Button
          size="compact-sm"
          variant="light"
          color="red"
          loading={state === 'busy'}
          disabled={state === 'done'}
          onClick={acknowledge}
        >
          {state === 'done' ? 'Acknowledged' : 'Acknowledge'}
        </Button>
      </Group>
      {error && (
        <Text size="xs" c="red.8" role="alert">
          {error}
        </Text>
      )}
    </>
  );
}

export function AlertNotifier() {
  const user = useCurrentUser();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const { add } = useNotices();

  const refresh = useCallback(
    (alert: Alert) => {
      queryClient.invalidateQueries({ queryKey: ['alerts'] });
      queryClient.invalidateQueries({ queryKey: ['alert-count'] });
      queryClient.invalidateQueries({ queryKey: ['summary'] });
      queryClient.invalidateQueries({ queryKey: ['totals'] });
      queryClient.invalidateQueries({ queryKey: ['consumption', alert.device_id] });
    },
    [queryClient],
  );

  const show = useCallback(
    (alert: SocketAlert) => {
      const id = `alert-${alert.id}`;
      const message = alertMessage(alert, user.timezone);
      const day = dateIn(user.timezone, new Date(alert.hour_start));
      const to = `/devices/${alert.device_id}?date=${day}`;
      add({
        id,
        title: 'Over the hourly limit',
        message,
        color: 'red',
        link: { to, label: 'View the day' },
        at: alert.raised_at,
      });
      notifications.show({
        id,
        title: 'Over the hourly limit',
        color: 'red',
        autoClose: 20_000,
        message: (
          <>
            <Text size="sm">{message}</Text>
            <AlertActions
              onView={() => {
                notifications.hide(id);
                navigate(to);
              }}
              onAcknowledge={async () => {
                await api<Alert>(`/function/alerts/${alert.id}/ack`, 'POST');
                refresh(alert);
                window.setTimeout(() => notifications.hide(id), 1_500);
              }}
            />
          </>
        ),
      });
      refresh(alert);
    },
    [add, navigate, refresh, user.timezone],
  );
  useSocketEvent<SocketAlert>('alert', show);
  return null;
}
