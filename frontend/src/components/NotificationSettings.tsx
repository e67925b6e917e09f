/** The profile's notification settings: a channel per severity, the webhook, quiet hours. */

import {
  Alert,
  Button,
  Code,
  CopyButton,
  Group,
  SegmentedControl,
  Stack,
  Switch,
  Text,
  TextInput,
} from '@mantine/core';
import { TimeInput } from '@mantine/dates';
import { notifications } from '@mantine/notifications';
import { useState, type FormEvent } from 'react';
import { usePreferences, useSavePreferences } from '../api/notifications';
import type { NotificationChannel, NotificationPreferences, Severity } from '../api/types';
import {
  CHANNELS,
  SEVERITIES,
  changeFrom,
  formFrom,
  severityLabel,
  usesWebhook,
  type SettingsForm,
} from '../lib/notificationSettings';
import { ErrorMessage } from './ErrorMessage';
import { formErrors } from './errors';
import { QueryState } from './QueryState';

function NewSecret({ secret, onDone }: { secret: string; onDone: () => void }) {
  return (
    <Alert color="yellow" title="Your webhook's signing secret" role="status">
      <Stack gap="xs">
        <Text size="sm">
          Copy it now into your receiver: it is shown this once. Every call carries
          X-EMS-Signature, made with it.
        </Text>
        <Code block data-testid="webhook-secret">
          {secret}
        </Code>
        <Group gap="xs">
          <CopyButton value={secret}>
            {({ copied, copy }) => (
              <Button size="xs" variant="light" onClick={copy}>
                {copied ? 'Copied' : 'Copy secret'}
              </Button>
            )}
          </CopyButton>
          <Button size="xs" variant="subtle" onClick={onDone}>
            I have kept it
          </Button>
        </Group>
      </Stack>
    </Alert>
  );
}

function SettingsFormView({ saved }: { saved: NotificationPreferences }) {
  const save = useSavePreferences();
  const [form, setForm] = useState<SettingsForm>(() => formFrom(saved));
  const [secret, setSecret] = useState<string | null>(null);
  const { fields, general } = formErrors(save.error);
  const held = saved.quiet_hours_hold_back.map((s) => severityLabel(s).toLowerCase()).join(' and ');

  const setChannel = (severity: Severity, channel: NotificationChannel) =>
    setForm({ ...form, channels: { ...form.channels, [severity]: channel } });

  const store = (rotate: boolean) => {
    const change = changeFrom(form);
    save.mutate(rotate ? { ...change, rotate_webhook_secret: true } : change, {
      onSuccess: (answer) => {
        setSecret(answer.webhook_secret ?? null);
        notifications.show({ title: 'Notifications saved', message: 'Your notification settings are saved.' });
      },
    });
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    store(false);
  };

  return (
    <form onSubmit={submit} noValidate aria-label="Notification settings">
      <Stack gap="sm">
        <ErrorMessage message={general} />
        <Text size="sm" c="gray.7">
          Every alert shows in the app. Choose where each kind also reaches you when no page is
          open{saved.email ? ` (e-mail goes to ${saved.email})` : ''}.
        </Text>
        {SEVERITIES.map((severity) => (
          <div key={severity.value}>
            <Text size="sm" fw={500} id={`channel-${severity.value}`}>
              {severity.label}
            </Text>
            <Text size="xs" c="gray.7" mb={4}>
              When {severity.hint}
            </Text>
            <SegmentedControl
              aria-labelledby={`channel-${severity.value}`}
              data={CHANNELS}
              value={form.channels[severity.value]}
              onChange={(value) => setChannel(severity.value, value as NotificationChannel)}
            />
          </div>
        ))}
        {fields.channels && (
          <Text c="red" size="sm">
            {fields.channels}
          </Text>
        )}
        <TextInput
          label="Webhook URL"
          description="https:// address of your home automation; each call is signed (docs: notifications)"
          placeholder="https://home.example.com/api/webhook/ems"
          value={form.webhookUrl}
          onChange={(event) => setForm({ ...form, webhookUrl: event.currentTarget.value })}
          error={fields.webhook_url}
          required={usesWebhook(form)}
        />
        {saved.webhook_secret_set && !secret && (
          <Group gap="xs">
            <Text size="sm" c="gray.7">
              A signing secret is set.
            </Text>
            <Button size="compact-xs" variant="light" onClick={() => store(true)} loading={save.isPending}>
              New secret
            </Button>
          </Group>
        )}
        {secret && <NewSecret secret={secret} onDone={() => setSecret(null)} />}
        <Switch
          label="Quiet hours"
          description={`In ${saved.timezone ?? 'your time zone'}; holds back ${held} by e-mail and webhook (they are listed as skipped)`}
          checked={form.quiet}
          onChange={(event) => setForm({ ...form, quiet: event.currentTarget.checked })}
        />
        {form.quiet && (
          <Group grow>
            <TimeInput
              label="Quiet from"
              value={form.quietStart}
              onChange={(event) => setForm({ ...form, quietStart: event.currentTarget.value })}
            />
            <TimeInput
              label="Quiet until"
              value={form.quietEnd}
              onChange={(event) => setForm({ ...form, quietEnd: event.currentTarget.value })}
            />
          </Group>
        )}
        {fields.quiet_hours && (
          <Text c="red" size="sm">
            {fields.quiet_hours}
          </Text>
        )}
        <Group justify="flex-end">
          <Button type="submit" loading={save.isPending}>
            Save notifications
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

export function NotificationSettings() {
  const preferences = usePreferences();
  return (
    <QueryState query={preferences} what="your notification settings">
      {(saved) => <SettingsFormView saved={saved} />}
    </QueryState>
  );
}
