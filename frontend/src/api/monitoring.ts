/** Consumption, the live summary and alerts. */

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, query, send } from './client';
import type {
  Alert,
  AlertCount,
  DayConsumption,
  DeviceSummary,
  Granularity,
  RangeConsumption,
} from './types';

/** Readings keep arriving; what is shown for today refreshes on its own. */
const LIVE_REFRESH_MS = 15_000;

export function useSummary() {
  return useQuery({
    queryKey: ['summary'],
    queryFn: () => api<DeviceSummary[]>('/function/consumption/summary'),
    refetchInterval: LIVE_REFRESH_MS,
  });
}

export function dayPath(deviceId: string, date: string, format?: 'csv') {
  return `/function/consumption${query({ device_id: deviceId, date, format })}`;
}

export function rangePath(
  deviceId: string,
  from: string,
  to: string,
  granularity: Granularity,
  format?: 'csv',
) {
  return `/function/consumption${query({ device_id: deviceId, from, to, granularity, format })}`;
}

export function useDayConsumption(deviceId: string, date: string, live: boolean) {
  return useQuery({
    queryKey: ['consumption', deviceId, 'day', date],
    queryFn: () => api<DayConsumption>(dayPath(deviceId, date)),
    refetchInterval: live ? LIVE_REFRESH_MS : false,
  });
}

export function useRangeConsumption(
  deviceId: string,
  from: string | null,
  to: string | null,
  granularity: Granularity,
) {
  return useQuery({
    queryKey: ['consumption', deviceId, granularity, from, to],
    queryFn: () => api<RangeConsumption>(rangePath(deviceId, from!, to!, granularity)),
    enabled: Boolean(from && to),
  });
}

/** Fetch a CSV with the session's token and hand it to the browser as a download. */
export async function downloadCsv(path: string, filename: string): Promise<void> {
  const response = await send(path);
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  document.body.appendChild(link);
  link.click();
  link.remove();
  URL.revokeObjectURL(url);
}

export function useAlerts(unacknowledgedOnly = false) {
  return useQuery({
    queryKey: ['alerts', unacknowledgedOnly],
    queryFn: () =>
      api<Alert[]>(`/function/alerts${query({ unacknowledged: unacknowledgedOnly || undefined })}`),
  });
}

/** How many alerts are not acknowledged yet, in all and per device: the list is capped. */
export function useOpenAlertCount() {
  return useQuery({
    queryKey: ['alert-count', 'open'],
    queryFn: () => api<AlertCount>(`/function/alerts/count${query({ unacknowledged: true })}`),
  });
}

export function useAcknowledgeAlert() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api<Alert>(`/function/alerts/${id}/ack`, 'POST'),
    onSuccess: () => {
      client.invalidateQueries({ queryKey: ['alerts'] });
      client.invalidateQueries({ queryKey: ['alert-count'] });
    },
  });
}
