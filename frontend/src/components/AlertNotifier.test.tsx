import { act, screen, waitFor } from '@testing-library/react';
import type { Alert, SocketAlert } from '../api/types';
import { Alerts } from '../pages/Alerts';
import { CLIENT, FakeSocket, renderApp, stubFetch } from '../test/render';
import { AlertNotifier, alertMessage } from './AlertNotifier';

afterEach(() => vi.unstubAllGlobals());

const LISTED: Alert = {
  id: 'a1',
  device_id: 'd1',
  hour_start: '2024-05-01T12:00:00Z',
  total_kwh: 2.75,
  limit_kwh: 2,
  raised_at: '2024-05-01T12:40:00Z',
  acknowledged_at: null,
};
/** The same alert as the hub pushes it: with its device's name. */
const ALERT: SocketAlert = { ...LISTED, device_name: 'Kitchen meter' };

describe('AlertNotifier', () => {
  it('words the alert in the viewer’s time zone', () => {
    expect(alertMessage(ALERT, 'Europe/Berlin')).toBe(
      'Kitchen meter used 2.75 kWh in the hour from 14:00, over its limit of 2 kWh.',
    );
  });

  it('pops a notification when the hub pushes an alert, and refreshes the alert list', async () => {
    let raised: Alert[] = [];
    const calls = stubFetch({
      '/function/alerts': () => [200, raised],
      '/function/devices': () => [200, [{ id: 'd1', name: 'Kitchen meter' }]],
    });
    const socket = new FakeSocket();
    renderApp(
      <>
        <AlertNotifier />
        <Alerts />
      </>,
      { socket, user: CLIENT },
    );
    expect(await screen.findByText(/No alerts/)).toBeInTheDocument();
    const listCalls = () => calls.filter((call) => call.path.startsWith('/function/alerts')).length;
    const before = listCalls();

    raised = [LISTED];
    act(() => socket.serverEmit('alert', ALERT));
    expect(await screen.findByText('Over the hourly limit')).toBeInTheDocument();
    expect(
      screen.getByText('Kitchen meter used 2.75 kWh in the hour from 14:00, over its limit of 2 kWh.'),
    ).toBeInTheDocument();
    await waitFor(() => expect(listCalls()).toBeGreaterThan(before));
    expect(await screen.findByTestId('alert-row')).toHaveTextContent('Kitchen meter');
  });
});
