import { notifications } from '@mantine/notifications';
import { act, screen, waitFor } from '@testing-library/react';
import type { DeviceSummary } from '../api/types';
import { Overview } from '../pages/admin/Overview';
import { MyDevices } from '../pages/client/MyDevices';
import { ADMIN, CLIENT, FakeSocket, renderApp, stubFetch } from '../test/render';
import { BURST_MS, DeviceStatusNotifier } from './DeviceStatusNotifier';

afterEach(() => {
  vi.unstubAllGlobals();
  notifications.clean(); // the store outlives each render
});

const AFTER_BURST = { timeout: BURST_MS + 2_000 };

function summaryOf(device_id: string): DeviceSummary {
  return {
    device_id,
    name: device_id,
    meter_id: null,
    owner_id: null,
    max_hourly_kwh: 2,
    timezone: 'UTC',
    today_cost: null,
    currency: null,
    reading_kind: null,
    register_resets: 0,
    last_register_reset_at: null,
    today_kwh: 0,
    last_reading_at: null,
    online: false,
  };
}

function meters(count: number) {
  return Array.from({ length: count }, (_, index) => ({
    id: `d${index + 1}`,
    name: `Meter ${index + 1}`,
    max_hourly_kwh: 2,
    timezone: 'UTC',
    address: null,
  }));
}

describe('DeviceStatusNotifier', () => {
  it('tells the client and fetches the summary again when a meter goes offline', async () => {
    let summary: DeviceSummary = {
      device_id: 'd1',
      name: 'Kitchen meter',
      meter_id: null,
      owner_id: null,
      max_hourly_kwh: 2,
      timezone: 'UTC',
      reading_kind: 'interval',
      register_resets: 0,
      last_register_reset_at: null,
      today_kwh: 1.5,
      today_cost: null,
      currency: null,
      last_reading_at: '2026-11-23T08:00:00Z',
      online: true,
    };
    stubFetch({
      '/function/devices': () => [200, [{ ...meters(1)[0], name: 'Kitchen meter' }]],
      '/function/consumption/summary': () => [200, [summary]],
      '/function/alerts/count': () => [200, { total: 0, by_device: {} }],
      '/function/consumption/totals': () => [200, { devices: 1, today_kwh: 1.5, week_kwh: 2, month_kwh: 3, last_week_kwh: 2, today_cost: [] }],
      '/function/alerts': () => [200, []],
    });
    const socket = new FakeSocket();
    renderApp(
      <>
        <DeviceStatusNotifier />
        <MyDevices />
      </>,
      { socket, user: CLIENT },
    );
    expect(await screen.findByTestId('device-status')).toHaveAttribute('data-status', 'online');

    summary = { ...summary, online: false };
    act(() =>
      socket.serverEmit('device:status', { device_id: 'd1', online: false, last_reading_at: summary.last_reading_at }),
    );
    await waitFor(() => expect(screen.getByTestId('device-status')).toHaveAttribute('data-status', 'offline'));
    expect(await screen.findByText('Meter offline', {}, AFTER_BURST)).toBeInTheDocument();
    expect(screen.getByText(/^Kitchen meter has not reported since /)).toBeInTheDocument();
  });

  it('tells of a burst of meters going quiet in one notice, with a link to them', async () => {
    stubFetch({
      '/function/devices': () => [200, []],
      '/function/consumption/summary': () => [
        200,
        meters(40).map((meter) => ({ ...summaryOf(meter.id), name: meter.name })),
        { 'X-Total-Count': '40' },
      ],
      '/function/consumption/totals': () => [200, { devices: 40, today_kwh: 0, week_kwh: 0, month_kwh: 0, last_week_kwh: 0, today_cost: [] }],
      '/function/alerts': () => [200, []],
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
    expect(await screen.findByText('Meter 40')).toBeInTheDocument();
    act(() => {
      for (const meter of meters(40)) {
        socket.serverEmit('device:status', { device_id: meter.id, online: false, last_reading_at: null });
      }
    });
    expect(await screen.findByText('40 meters went offline', {}, AFTER_BURST)).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'See them' })).toHaveAttribute('href', '/devices?status=offline');
    expect(screen.queryByText('Meter offline')).not.toBeInTheDocument();
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
    act(() => socket.serverEmit('device:status', { device_id: 'd9', online: false, last_reading_at: null }));
    await waitFor(() => expect(summaryCalls()).toBe(2));
    await new Promise((resolve) => setTimeout(resolve, BURST_MS + 200));
    expect(screen.queryByText('Meter offline')).not.toBeInTheDocument();
  });
});
