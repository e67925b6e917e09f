/**
 * The moment the hub pushes an `alert` or an early warning (`alert:warning`): a toast with
 * what to do about it (view the hour, acknowledge), a line in the bell, and every figure on
 * screen that it changes (alert lists, today's summary, the device's open chart) fetched
 * again at once. A grouped repeat (the same alarm, another hour over) updates its toast and
 * its bell line instead of adding new ones.
 */

import { Button, Group, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useQueryClient } from '@tanstack/react-query';
import { useCallback, useRef, useState } from 'react';
import { useNavigate } from 'react-router-dom';
import { api, plainMessage } from '../api/client';
import type { Alert, SocketAlert } from '../api/types';
import { useCurrentUser } from '../auth/AuthProvider';
import { warningMessage } from '../lib/alarms';
import { dateIn, hourLabel } from '../lib/time';
import { useNotices } from '../notices/NoticeCenter';
import { useSocketEvent } from '../realtime/SocketProvider';

export function alertMessage(alert: SocketAlert, timeZone: string): string {
  const device = alert.device_name || 'A device';
  const from = hourLabel(alert.hour_start, timeZone);
  const text = `${device} used ${alert.total_kwh.toFixed(2)} kWh in the hour from ${from}, over its limit of ${alert.limit_kwh} kWh.`;
  if (alert.hours <= 1) return text;
  const latest = hourLabel(alert.raised_hour ?? alert.last_hour_start, timeZone);
  return `${text} Over again in the hour from ${latest}: ${alert.hours} hours so far.`;
}

/** How each kind of alarm is titled and coloured in its toast and bell line. */
function look(alert: SocketAlert) {
  if (alert.severity === 'warning') return { title: 'Heading over the hourly limit', color: 'yellow' };
  if (alert.severity === 'far_over_limit') return { title: 'Far over the hourly limit', color: 'grape' };
  return { title: 'Over the hourly limit', color: 'red' };
}

/** The toast's buttons; it lives outside the pages' providers, so it is handed what to do. */
function AlertActions({
  color,
  onView,
  onAcknowledge,
}: {
  color: string;
  onView: () => void;
  onAcknowledge: () => Promise<void>;
}) {
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
        <Button size="compact-sm" variant="filled" color={color} onClick={onView}>
          View
        </Button>
        <Button
          size="compact-sm"
          variant="light"
          color={color}
          loading={state === 'busy'}
          disabled={state === 'done'}
          onClick={acknowledge}
        >
          {state === 'done' ? 'Acknowledged' : 'Acknowledge'}
        </Button>
      </Group>
      {error && (
        <Text size="xs" c="red.9" role="alert">
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
  // toasts on screen now, so that a repeat updates its alarm's toast instead of adding one
  const showing = useRef(new Set<string>());

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
      const { title, color } = look(alert);
      const message =
        alert.severity === 'warning' ? warningMessage(alert, user.timezone) : alertMessage(alert, user.timezone);
      const day = dateIn(user.timezone, new Date(alert.raised_hour ?? alert.hour_start));
      const to = `/devices/${alert.device_id}?date=${day}`;
      add({ id, title, message, color, link: { to, label: 'View the day' }, at: alert.raised_at });
      const toast = {
        id,
        title,
        color,
        autoClose: 20_000,
        onClose: () => showing.current.delete(id),
        message: (
          <>
            <Text size="sm">{message}</Text>
            <AlertActions
              color={color}
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
      };
      if (showing.current.has(id)) {
        notifications.update(toast);
      } else {
        showing.current.add(id);
        notifications.show(toast);
      }
      refresh(alert);
    },
    [add, navigate, refresh, user.timezone],
  );
  useSocketEvent<SocketAlert>('alert', show);
  useSocketEvent<SocketAlert>('alert:warning', show);
  return null;
}
