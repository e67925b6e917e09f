import { notifications } from '@mantine/notifications';
import { act, screen, waitFor } from '@testing-library/react';
import type { DeviceSummary } from '../api/types';
import { Overview } from '../pages/admin/Overview';
import { MyDevices } from '../pages/client/MyDevices';
import { ADMIN, CLIENT, FakeSocket, renderApp, stubFetch } from '../test/render';
import { DeviceStatusNotifier } from './DeviceStatusNotifier';

afterEach(() => {
  vi.unstubAllGlobals();
  notifications.clean(); // the store outlives each render
});

describe('DeviceStatusNotifier', () => {
  it('tells the client and fetches the summary again when a meter goes offline', async () => {
    let summary: DeviceSummary = {
      device_id: 'd1',
      today_kwh: 1.5,
      last_reading_at: '2026-11-23T08:00:00Z',
      online: true,
    };
    stubFetch({
      '/function/devices': () => [
        200,
        [{ id: 'd1', name: 'Kitchen meter', max_hourly_kwh: 2, timezone: 'UTC', address: null }],
      ],
      '/function/consumption/summary': () => [200, [summary]],
      '/function/alerts/count': () => [200, { total: 0, by_device: {} }],
    });
    const socket = new FakeSocket();
    renderApp(
      <>
        <DeviceStatusNotifier />
        <MyDevices />
      </>,
      { socket, user: CLIENT },
    );
    expect(await screen.findByText('Online')).toBeInTheDocument();

    summary = { ...summary, online: false };
    act(() =>
      socket.serverEmit('device:status', {
        device_id: 'd1',
        online: false,
        last_reading_at: summary.last_reading_at,
      }),
    );
    expect(await screen.findByText('Offline')).toBeInTheDocument();
    expect(screen.getByText('Meter offline')).toBeInTheDocument();
    expect(screen.getByText(/^Kitchen meter has not reported since /)).toBeInTheDocument();
  });

  it('spares administrators a toast per meter: the overview lists them', async () => {
    const calls = stubFetch({
      '/function/devices': () => [200, []],
      '/function/consumption/summary': () => [200, []],
      '/function/alerts/count': () => [200, { total: 0, by_device: {} }],
      '/function/conversations': () => [200, []],
    });
    const summaryCalls = () => calls.filter((call) => call.path.includes('summary')).length;
    const socket = new FakeSocket();
    renderApp(
      <>
        <DeviceStatusNotifier />
        <Overview />
      </>,
      { socket, user: ADMIN },
    );
    await waitFor(() => expect(summaryCalls()).toBe(1));
    act(() =>
      socket.serverEmit('device:status', { device_id: 'd9', online: false, last_reading_at: null }),
    );
    await waitFor(() => expect(summaryCalls()).toBe(2));
    expect(screen.queryByText('Meter offline')).not.toBeInTheDocument();
  });
});
