import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { NotificationPreferences } from '../api/types';
import { CLIENT, renderApp, stubFetch } from '../test/render';
import { NotificationSettings } from './NotificationSettings';

afterEach(() => vi.unstubAllGlobals());

const SAVED: NotificationPreferences = {
  channels: { warning: 'app', over_limit: 'app', far_over_limit: 'app' },
  webhook_url: null,
  webhook_secret_set: false,
  quiet_hours: null,
  quiet_hours_hold_back: ['over_limit', 'warning'],
  email: CLIENT.email,
  timezone: CLIENT.timezone,
  updated_at: null,
};

describe('NotificationSettings', () => {
  it('shows a refused URL at its field, then the new secret once', async () => {
    const answers: Array<[number, unknown]> = [
      [422, { error: { code: 'validation_failed', message: 'bad', fields: { webhook_url: 'must be https://' } } }],
      [200, { ...SAVED, channels: { ...SAVED.channels, warning: 'webhook' }, webhook_url: 'https://h.example/x', webhook_secret_set: true, webhook_secret: 'whsec_shown-once' }],
    ];
    const calls = stubFetch({
      '/function/notifications/preferences': (init) => (init?.method === 'PUT' ? answers.shift()! : [200, SAVED]),
    });
    renderApp(<NotificationSettings />, { user: CLIENT });
    expect(await screen.findByText(/e-mail goes to ada@example.org/)).toBeInTheDocument();

    const warning = screen.getByRole('radiogroup', { name: 'Early warning' });
    await userEvent.click(within(warning).getByText('Webhook'));
    await userEvent.type(screen.getByLabelText(/^Webhook URL/), 'http://h.example/x');
    await userEvent.click(screen.getByRole('button', { name: 'Save notifications' }));
    expect(await screen.findByText('must be https://')).toBeInTheDocument();
    expect(screen.getByLabelText(/^Webhook URL/)).toHaveAttribute('aria-invalid', 'true');

    const url = screen.getByLabelText(/^Webhook URL/);
    await userEvent.clear(url);
    await userEvent.type(url, 'https://h.example/x');
    await userEvent.click(screen.getByRole('button', { name: 'Save notifications' }));
    expect(await screen.findByTestId('webhook-secret')).toHaveTextContent('whsec_shown-once');
    const puts = calls.filter((call) => call.init?.method === 'PUT');
    expect(JSON.parse(String(puts[1].init?.body))).toEqual({
      channels: { warning: 'webhook', over_limit: 'app', far_over_limit: 'app' },
      webhook_url: 'https://h.example/x',
      quiet_hours: null,
    });
    await userEvent.click(screen.getByRole('button', { name: 'I have kept it' }));
    expect(screen.queryByTestId('webhook-secret')).toBeNull();
    expect(screen.getByText('A signing secret is set.')).toBeInTheDocument();
  });
});
