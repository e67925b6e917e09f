/**
 * The notification settings form's logic: what it shows for what is saved, what it
 * sends for what was changed, and how a sent notification is described.
 */

import type {
  NotificationChannel,
  NotificationPreferences,
  NotificationPreferencesChange,
  SentNotification,
  Severity,
} from '../api/types';

export const SEVERITIES: { value: Severity; label: string; hint: string }[] = [
  { value: 'warning', label: 'Early warning', hint: 'the hour is heading over its limit' },
  { value: 'over_limit', label: 'Over the limit', hint: 'the hour went over its limit' },
  { value: 'far_over_limit', label: 'Far over the limit', hint: 'well past it: perhaps a fault' },
];

export const CHANNELS: { value: NotificationChannel; label: string }[] = [
  { value: 'app', label: 'In the app' },
  { value: 'email', label: 'E-mail' },
  { value: 'webhook', label: 'Webhook' },
];

export interface SettingsForm {
  channels: Record<Severity, NotificationChannel>;
  webhookUrl: string;
  quiet: boolean;
  quietStart: string;
  quietEnd: string;
}

export function formFrom(saved: NotificationPreferences): SettingsForm {
  return {
    channels: { ...saved.channels },
    webhookUrl: saved.webhook_url ?? '',
    quiet: saved.quiet_hours !== null,
    quietStart: saved.quiet_hours?.start ?? '22:00',
    quietEnd: saved.quiet_hours?.end ?? '07:00',
  };
}

/** The PUT body: the whole form, an empty URL and switched-off quiet hours as null. */
export function changeFrom(form: SettingsForm): NotificationPreferencesChange {
  const url = form.webhookUrl.trim();
  return {
    channels: form.channels,
    webhook_url: url === '' ? null : url,
    quiet_hours: form.quiet ? { start: form.quietStart, end: form.quietEnd } : null,
  };
}

/** Whether the webhook URL is needed by any severity (the form asks for it then). */
export function usesWebhook(form: SettingsForm): boolean {
  return Object.values(form.channels).includes('webhook');
}

const STATUS_LABELS: Record<SentNotification['status'], string> = {
  pending: 'Sending',
  sent: 'Sent',
  failed: 'Failed',
  skipped: 'Skipped',
};

export function statusLabel(status: SentNotification['status']): string {
  return STATUS_LABELS[status];
}

/** "Sent", "Skipped: quiet hours", "Failed after 5 attempts: ..." */
export function statusText(item: SentNotification): string {
  const label = STATUS_LABELS[item.status];
  if (item.status === 'failed') {
    const attempts = item.attempts === 1 ? '1 attempt' : `${item.attempts} attempts`;
    return `${label} after ${attempts}${item.detail ? `: ${item.detail}` : ''}`;
  }
  if (item.status === 'skipped' && item.detail) return `${label}: ${item.detail}`;
  return label;
}

export function severityLabel(severity: Severity): string {
  return SEVERITIES.find((entry) => entry.value === severity)?.label ?? severity;
}

export function channelLabel(channel: SentNotification['channel']): string {
  return CHANNELS.find((entry) => entry.value === channel)?.label ?? channel;
}
