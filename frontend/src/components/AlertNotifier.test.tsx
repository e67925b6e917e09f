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
  last_hour_start: '2024-05-01T12:00:00Z',
  hours: 1,
  projected_kwh: null,
  severity: 'over_limit',
  state: 'open',
  raised_at: '2024-05-01T12:40:00Z',
  acknowledged_at: null,
  acknowledged_by: null,
  acknowledged_note: null,
  cleared_at: null,
  cleared_by: null,
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

  it('shows an early warning as its own toast, and a grouped repeat updates the alarm’s toast', async () => {
    stubFetch({
      '/function/alerts': () => [200, []],
      '/function/devices': () => [200, [{ id: 'd1', name: 'Kitchen meter' }]],
    });
    const socket = new FakeSocket();
    renderApp(<AlertNotifier />, { socket, user: CLIENT });
    const warning: SocketAlert = { ...ALERT, id: 'w1', severity: 'warning', total_kwh: 1.2, projected_kwh: 2.4 };
    act(() => socket.serverEmit('alert:warning', warning));
    expect(await screen.findByText('Heading over the hourly limit')).toBeInTheDocument();
    expect(screen.getByText(/is heading for 2.40 kWh in the hour from 14:00/)).toBeInTheDocument();

    act(() => socket.serverEmit('alert', ALERT));
    expect(await screen.findByText('Over the hourly limit')).toBeInTheDocument();
    const repeat: SocketAlert = {
      ...ALERT,
      hours: 2,
      last_hour_start: '2024-05-01T13:00:00Z',
      raised_hour: '2024-05-01T13:00:00Z',
    };
    act(() => socket.serverEmit('alert', repeat));
    expect(await screen.findByText(/Over again in the hour from 15:00: 2 hours so far/)).toBeInTheDocument();
    expect(screen.getAllByText('Over the hourly limit')).toHaveLength(1);
  });
});
