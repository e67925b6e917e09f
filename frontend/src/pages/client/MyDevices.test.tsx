import { screen, within } from '@testing-library/react';
import type { DeviceSummary } from '../../api/types';
import { CLIENT, renderApp, stubFetch } from '../../test/render';
import { MyDevices } from './MyDevices';

afterEach(() => vi.unstubAllGlobals());

const row = (device_id: string, name: string, today_kwh: number): DeviceSummary => ({
  device_id,
  name,
  meter_id: `M-${device_id}`,
  owner_id: CLIENT.id,
  today_cost: null,
  currency: null,
  max_hourly_kwh: 2,
  timezone: 'UTC',
  today_kwh,
  last_reading_at: null,
  online: false,
  reading_kind: null,
  register_resets: 0,
  last_register_reset_at: null,
});

describe('MyDevices', () => {
  it('shows one page of meters with the whole list’s size and each meter’s open alerts', async () => {
    const calls = stubFetch({
      '/function/consumption/summary': () => [200, [row('d1', 'Boiler', 3), row('d2', 'Kitchen', 1)], { 'X-Total-Count': '1000' }],
      '/function/consumption/totals': () => [
        200,
        { timezone: 'UTC', devices: 1000, online: 990, offline: 10, over_limit_today: 3, today_kwh: 12, week_kwh: 40, month_kwh: 90, last_week_kwh: 36, today_cost: [], week_from: '2026-11-30', month_from: '2026-12-01' },
      ],
      '/function/alerts/count': () => [200, { total: 60, by_device: { d1: 60 } }],
    });
    renderApp(<MyDevices />, { user: CLIENT, route: '/devices?sort=-today_kwh&page=3' });
    const [boiler, kitchen] = await screen.findAllByTestId('device-row');
    expect(within(boiler).getByText('60 to acknowledge')).toBeInTheDocument();
    expect(within(kitchen).getByText('None')).toBeInTheDocument();
    expect(screen.getByTestId('page-range')).toHaveTextContent('101–150 of 1,000 meters');
    expect(await screen.findByTestId('total-over-limit')).toHaveTextContent('3');
    expect(screen.getByTestId('total-offline')).toHaveTextContent('10');
    const asked = calls.map((call) => call.path).find((path) => path.startsWith('/function/consumption/summary'));
    expect(asked).toContain('sort=-today_kwh');
    expect(asked).toContain('offset=100');
    expect(asked).toContain('limit=50');
  });

  it('shows this week against last week until the same hour, and what today cost', async () => {
    stubFetch({
      '/function/consumption/summary': () => [200, [row('d1', 'Boiler', 2)], { 'X-Total-Count': '1' }],
      '/function/alerts/count': () => [200, { total: 0, by_device: {} }],
      '/function/consumption/totals': () => [
        200,
        {
          timezone: 'UTC', devices: 1, online: 1, offline: 0, over_limit_today: 0,
          today_kwh: 2, week_kwh: 11, month_kwh: 11, last_week_kwh: 10,
          today_cost: [{ currency: 'EUR', amount: 0.85 }], week_from: '2026-11-30', month_from: '2026-12-01',
        },
      ],
    });
    renderApp(<MyDevices />, { user: CLIENT, route: '/devices' });
    expect(await screen.findByTestId('week-against-last')).toHaveTextContent('This week +10.0% (+1.00 kWh) against last week');
    expect(screen.getByTestId('total-last-week')).toHaveTextContent('10.00 kWh');
    expect(screen.getByTestId('total-cost-today')).toHaveTextContent('€0.85');
  });
});
