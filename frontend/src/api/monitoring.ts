/** Consumption, the live summary and alerts. */

import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, query, send } from './client';
import type {
  Alert,
  AlertCount,
  ConsumptionTotals,
  DayConsumption,
  DeviceSummary,
  Granularity,
  RangeConsumption,
} from './types';

/** Readings keep arriving; what is shown for today refreshes on its own. */
const LIVE_REFRESH_MS = 15_000;

/** Today's figures per device; `power` adds each meter's live kW and its last hour. */
export function useSummary({ power = false }: { power?: boolean } = {}) {
  return useQuery({
    queryKey: ['summary', { power }],
    queryFn: () => api<DeviceSummary[]>(`/function/consumption/summary${query({ power: power || undefined })}`),
    refetchInterval: LIVE_REFRESH_MS,
  });
}

/** Today, this week and this month over all of the caller's meters. */
export function useTotals() {
  return useQuery({
    queryKey: ['totals'],
    queryFn: () => api<ConsumptionTotals>('/function/consumption/totals'),
    refetchInterval: LIVE_REFRESH_MS,
  });
}

/** The zone a view is asked in: the viewer's own when not given. */
export function dayPath(deviceId: string, date: string, tz?: string, format?: 'csv') {
  return `/function/consumption${query({ device_id: deviceId, date, tz, format })}`;
}

export function rangePath(
  deviceId: string,
  from: string,
  to: string,
  granularity: Granularity,
  tz?: string,
  format?: 'csv',
) {
  return `/function/consumption${query({ device_id: deviceId, from, to, granularity, tz, format })}`;
}

// Moving to another day or period keeps the chart that is there (dimmed) until the new
// figures arrive, instead of collapsing it into a loading box.

export function useDayConsumption(deviceId: string, date: string | null, tz: string, live: boolean) {
  return useQuery({
    queryKey: ['consumption', deviceId, 'day', date, tz],
    queryFn: () => api<DayConsumption>(dayPath(deviceId, date!, tz)),
    enabled: Boolean(date),
    refetchInterval: live ? LIVE_REFRESH_MS : false,
    placeholderData: keepPreviousData,
  });
}

export function useRangeConsumption(
  deviceId: string,
  from: string | null,
  to: string | null,
  granularity: Granularity,
  tz: string,
  live: boolean,
) {
  return useQuery({
    queryKey: ['consumption', deviceId, granularity, from, to, tz],
    queryFn: () => api<RangeConsumption>(rangePath(deviceId, from!, to!, granularity, tz)),
    enabled: Boolean(from && to),
    refetchInterval: live ? LIVE_REFRESH_MS : false,
    placeholderData: keepPreviousData,
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
