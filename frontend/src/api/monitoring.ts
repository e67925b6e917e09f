/** Consumption, the live summary and alerts. */

import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, apiPage, MAX_PAGE, query, send, type PageQuery } from './client';
import { type AlarmFilters, filterParams, OVER_LIMIT, PAGE_SIZE } from '../lib/alarms';
import type {
  Alert,
  AlertCount,
  AlertWithAudit,
  ConsumptionTotals,
  DayConsumption,
  DeviceSummary,
  Granularity,
  RangeConsumption,
} from './types';

/** Readings keep arriving; what is shown for today refreshes on its own. */
const LIVE_REFRESH_MS = 15_000;

export interface SummaryQuery extends PageQuery {
  /** each meter's live kW and its last hour too */
  power?: boolean;
  /** only the devices reporting (true) or not (false) */
  online?: boolean;
  /** only these devices (at most one page) */
  deviceIds?: string[];
}

/**
 * Today's figures per device, a page at a time: sorting by today's kWh or online state
 * is served here, where those figures live. Without a `limit`: the largest page.
 */
export function useSummary({ power, online, deviceIds, ...page }: SummaryQuery = {}, enabled = true) {
  const params = {
    power: power || undefined,
    online,
    device_ids: deviceIds?.join(','),
    limit: MAX_PAGE,
    ...page,
  };
  return useQuery({
    queryKey: ['summary', params],
    queryFn: () => apiPage<DeviceSummary>(`/function/consumption/summary${query(params)}`),
    refetchInterval: LIVE_REFRESH_MS,
    placeholderData: keepPreviousData,
    enabled,
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

/** The period a view is shown beside (see docs/api.md, "Comparisons"). */
export type Compare = 'previous' | 'week' | 'month' | 'year' | 'none';

/** The zone a view is asked in: the viewer's own when not given. */
export function dayPath(deviceId: string, date: string, tz?: string, format?: 'csv', compare?: Compare) {
  return `/function/consumption${query({ device_id: deviceId, date, tz, format, compare })}`;
}

export function rangePath(
  deviceId: string,
  from: string,
  to: string,
  granularity: Granularity,
  tz?: string,
  format?: 'csv',
  compare?: Compare,
) {
  return `/function/consumption${query({ device_id: deviceId, from, to, granularity, tz, format, compare })}`;
}

// Moving to another day or period keeps the chart that is there (dimmed) until the new
// figures arrive, instead of collapsing it into a loading box.

export function useDayConsumption(deviceId: string, date: string | null, tz: string, live: boolean) {
  return useQuery({
    queryKey: ['consumption', deviceId, 'day', date, tz],
    queryFn: () => api<DayConsumption>(dayPath(deviceId, date!, tz, undefined, 'previous')),
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
  compare: Compare = 'previous',
) {
  return useQuery({
    queryKey: ['consumption', deviceId, granularity, from, to, tz, compare],
    queryFn: () => api<RangeConsumption>(rangePath(deviceId, from!, to!, granularity, tz, undefined, compare)),
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

/** One page of alarms under the filters, newest first. */
export function useAlerts(filters: AlarmFilters, page = 1) {
  const params = filterParams(filters);
  return useQuery({
    queryKey: ['alerts', params, page],
    queryFn: () =>
      api<Alert[]>(`/function/alerts${query({ ...params, limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE })}`),
    placeholderData: keepPreviousData,
  });
}

/** How many alarms the filters hold over every page: the pager's total. */
export function useAlertCount(filters: AlarmFilters) {
  const params = filterParams(filters);
  return useQuery({
    queryKey: ['alert-count', params],
    queryFn: () => api<AlertCount>(`/function/alerts/count${query(params)}`),
  });
}

/** One alarm with its audit trail, while `id` is set. */
export function useAlertTrail(id: string | null) {
  return useQuery({
    queryKey: ['alerts', 'trail', id],
    queryFn: () => api<AlertWithAudit>(`/function/alerts/${id}`),
    enabled: Boolean(id),
  });
}

/** How many over-limit alarms are not acknowledged yet, in all and per device (not warnings). */
export function useOpenAlertCount() {
  return useQuery({
    queryKey: ['alert-count', 'open'],
    queryFn: () => api<AlertCount>(`/function/alerts/count${query({ state: 'open', severity: OVER_LIMIT })}`),
  });
}

function useAlarmTransition(action: 'ack' | 'clear') {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, note }: { id: string; note?: string }) =>
      api<Alert>(`/function/alerts/${id}/${action}`, 'POST', note ? { note } : undefined),
    onSuccess: () => {
      client.invalidateQueries({ queryKey: ['alerts'] });
      client.invalidateQueries({ queryKey: ['alert-count'] });
    },
  });
}

/** Acknowledge an alarm, with an optional note. */
export function useAcknowledgeAlert() {
  return useAlarmTransition('ack');
}

/** Clear an alarm (administrators), with an optional note. */
export function useClearAlert() {
  return useAlarmTransition('clear');
}
