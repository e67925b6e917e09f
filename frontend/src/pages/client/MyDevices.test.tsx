import { screen, within } from '@testing-library/react';
import type { Device } from '../../api/types';
import { CLIENT, renderApp, stubFetch } from '../../test/render';
import { MyDevices } from './MyDevices';

afterEach(() => vi.unstubAllGlobals());

const device = (id: string, name: string): Device => ({
  id,
  name,
  description: null,
  address: null,
  meter_id: null,
  tariff_id: null,
  max_hourly_kwh: 2,
  timezone: 'UTC',
  owner_id: CLIENT.id,
  created_at: '2026-01-01T00:00:00Z',
  updated_at: '2026-01-01T00:00:00Z',
});

describe('MyDevices', () => {
  it('counts each meter’s open alerts, past what one list of alerts holds', async () => {
    stubFetch({
      '/function/devices': () => [200, [device('d1', 'Boiler'), device('d2', 'Kitchen')]],
      '/function/consumption/summary': () => [200, []],
      '/function/alerts/count': () => [200, { total: 60, by_device: { d1: 60 } }],
    });
    renderApp(<MyDevices />, { user: CLIENT, route: '/devices' });
    const [boiler, kitchen] = await screen.findAllByTestId('device-card');
    expect(await within(boiler).findByText('60 hours over the limit to acknowledge')).toBeInTheDocument();
    expect(within(kitchen).getByText('No open alerts')).toBeInTheDocument();
  });

  it('shows this week against last week until the same hour, and what today cost', async () => {
    stubFetch({
      '/function/devices': () => [200, [device('d1', 'Boiler')]],
      '/function/consumption/summary': () => [200, []],
      '/function/alerts/count': () => [200, { total: 0, by_device: {} }],
      '/function/consumption/totals': () => [
        200,
        {
          timezone: 'UTC', devices: 1, today_kwh: 2, week_kwh: 11, month_kwh: 11, last_week_kwh: 10,
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
