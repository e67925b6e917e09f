/**
 * What an alarm's severity and state look like, how a live alarm is worded, and the
 * query a filter form stands for: pure, so that the pages and toasts share them.
 */

import type { Alert, AlarmSeverity, AlarmState, SocketAlert } from '../api/types';
import { hourLabel } from './time';

export const SEVERITIES: { value: AlarmSeverity; label: string; color: string }[] = [
  { value: 'warning', label: 'Warning', color: 'yellow' },
  { value: 'over_limit', label: 'Over limit', color: 'red' },
  { value: 'far_over_limit', label: 'Far over limit', color: 'grape' },
];

export const STATES: { value: AlarmState; label: string; color: string }[] = [
  { value: 'open', label: 'Open', color: 'red' },
  { value: 'acknowledged', label: 'Acknowledged', color: 'gray' },
  { value: 'cleared', label: 'Cleared', color: 'teal' },
];

export function severityOf(value: AlarmSeverity) {
  return SEVERITIES.find((severity) => severity.value === value) ?? SEVERITIES[1];
}

export function stateOf(value: AlarmState) {
  return STATES.find((state) => state.value === value) ?? STATES[0];
}

/** The over-limit severities: what "hours over the limit" counts (warnings are not). */
export const OVER_LIMIT = 'over_limit,far_over_limit';

/** A grouped alarm's span: "14:00" or "14:00 to 17:00 (3 hours)". */
export function hoursLabel(alert: Alert, timeZone: string): string {
  const first = hourLabel(alert.hour_start, timeZone);
  if (alert.hours <= 1) return first;
  return `${first} to ${hourLabel(alert.last_hour_start, timeZone)} (${alert.hours} hours)`;
}

export function warningMessage(alert: SocketAlert, timeZone: string): string {
  const device = alert.device_name || 'A device';
  const from = hourLabel(alert.hour_start, timeZone);
  const projected = (alert.projected_kwh ?? alert.total_kwh).toFixed(2);
  return `${device} is heading for ${projected} kWh in the hour from ${from}, over its limit of ${alert.limit_kwh} kWh (${alert.total_kwh.toFixed(2)} kWh so far).`;
}

export interface AlarmFilters {
  state: AlarmState[];
  severity: AlarmSeverity[];
  deviceId: string | null;
  ownerId: string | null;
  from: string | null;
  to: string | null;
}

export const NO_FILTERS: AlarmFilters = {
  state: [],
  severity: [],
  deviceId: null,
  ownerId: null,
  from: null,
  to: null,
};

/** The list's (and its count's) query parameters for a filter form; empty ones left out. */
export function filterParams(filters: AlarmFilters): Record<string, string | undefined> {
  return {
    state: filters.state.join(',') || undefined,
    severity: filters.severity.join(',') || undefined,
    device_id: filters.deviceId || undefined,
    owner_id: filters.ownerId || undefined,
    from: filters.from || undefined,
    to: filters.to || undefined,
  };
}

export const PAGE_SIZE = 20;

/** How many pages hold `total` alarms (at least one, so the pager never shows page 0). */
export function pageCount(total: number, size: number = PAGE_SIZE): number {
  return Math.max(1, Math.ceil(total / size));
}
