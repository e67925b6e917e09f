import type { NotificationPreferences, SentNotification } from '../api/types';
import { changeFrom, formFrom, statusText, usesWebhook } from './notificationSettings';

const saved: NotificationPreferences = {
  channels: { warning: 'app', over_limit: 'email', far_over_limit: 'webhook' },
  webhook_url: 'https://hooks.example.com/ems',
  webhook_secret_set: true,
  quiet_hours: null,
  quiet_hours_hold_back: ['over_limit', 'warning'],
  email: 'ana@example.org',
  timezone: 'Europe/Bucharest',
  updated_at: '2026-12-01T19:00:00+00:00',
};

function sent(fields: Partial<SentNotification>): SentNotification {
  return {
    id: 'n1',
    alert_id: 'a1',
    device_id: 'd1',
    device_name: 'Boiler',
    severity: 'over_limit',
    channel: 'email',
    destination: 'ana@example.org',
    status: 'sent',
    detail: null,
    attempts: 1,
    hour_start: '2026-12-01T18:00:00+00:00',
    total_kwh: 3,
    limit_kwh: 2,
    created_at: '2026-12-01T19:00:01+00:00',
    sent_at: '2026-12-01T19:00:01+00:00',
    ...fields,
  };
}

describe('notification settings', () => {
  it('shows what is saved, with evening-to-morning quiet hours offered when none are set', () => {
    const form = formFrom(saved);
    expect(form.channels).toEqual(saved.channels);
    expect(form.webhookUrl).toBe('https://hooks.example.com/ems');
    expect(form).toMatchObject({ quiet: false, quietStart: '22:00', quietEnd: '07:00' });
    expect(formFrom({ ...saved, quiet_hours: { start: '23:30', end: '06:15' } })).toMatchObject({
      quiet: true,
      quietStart: '23:30',
      quietEnd: '06:15',
    });
  });

  it('sends an empty URL and switched-off quiet hours as null, and the span when on', () => {
    const form = { ...formFrom(saved), webhookUrl: '  ' };
    expect(changeFrom(form)).toEqual({ channels: saved.channels, webhook_url: null, quiet_hours: null });
    const quiet = { ...form, webhookUrl: ' https://x.example/h ', quiet: true, quietStart: '21:00' };
    expect(changeFrom(quiet)).toMatchObject({
      webhook_url: 'https://x.example/h',
      quiet_hours: { start: '21:00', end: '07:00' },
    });
  });

  it('asks for the webhook URL only while a severity uses it', () => {
    const form = formFrom(saved);
    expect(usesWebhook(form)).toBe(true);
    expect(usesWebhook({ ...form, channels: { ...form.channels, far_over_limit: 'email' } })).toBe(false);
  });

  it('says why a notification was skipped or failed', () => {
    expect(statusText(sent({}))).toBe('Sent');
    expect(statusText(sent({ status: 'skipped', detail: 'quiet hours' }))).toBe('Skipped: quiet hours');
    expect(statusText(sent({ status: 'failed', attempts: 5, detail: 'the receiver answered 503' }))).toBe(
      'Failed after 5 attempts: the receiver answered 503',
    );
    expect(statusText(sent({ status: 'failed', attempts: 1, detail: null }))).toBe('Failed after 1 attempt');
  });
});
