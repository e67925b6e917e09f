import { act, screen } from '@testing-library/react';
import type { DeviceSummary } from '../api/types';
import { MyDevices } from '../pages/client/MyDevices';
import { CLIENT, FakeSocket, renderApp, stubFetch } from '../test/render';
import { LiveRefresh } from './LiveRefresh';

afterEach(() => vi.unstubAllGlobals());

describe('LiveRefresh', () => {
  it('fetches the summary again when the hub says a meter went offline', async () => {
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
      '/function/alerts': () => [200, []],
    });
    const socket = new FakeSocket();
    renderApp(
      <>
        <LiveRefresh />
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
  });
});
