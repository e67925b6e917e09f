import { screen } from '@testing-library/react';
import type { Device, DeviceSummary } from '../../api/types';
import { ADMIN, renderApp, stubFetch } from '../../test/render';
import { fleetFigures, Overview } from './Overview';

afterEach(() => vi.unstubAllGlobals());

const device = (id: string, name: string, owner_id: string | null = 'u1'): Device => ({
  id,
  name,
  description: null,
  address: null,
  max_hourly_kwh: 2,
  timezone: 'UTC',
  meter_id: null,
  tariff_id: null,
  owner_id,
  created_at: '2026-01-01T00:00:00Z',
  updated_at: '2026-01-01T00:00:00Z',
});

const DEVICES = [
  device('d1', 'Kitchen'),
  device('d2', 'Garage', null),
  device('d3', 'Heat pump'),
  device('d4', 'Boiler'),
];

const TOTALS = {
  timezone: 'UTC', devices: 4, today_kwh: 4.75, week_kwh: 9, month_kwh: 9, last_week_kwh: 7,
  today_cost: [{ currency: 'EUR', amount: 1.2 }, { currency: 'RON', amount: 3 }],
  week_from: '2026-11-30', month_from: '2026-12-01',
};

const SUMMARY: DeviceSummary[] = [
  { device_id: 'd1', name: 'Kitchen', meter_id: null, owner_id: null, max_hourly_kwh: 2, timezone: 'UTC', today_cost: 1.2, currency: 'EUR', today_kwh: 4.5, last_reading_at: '2026-11-23T09:50:00Z', online: true, reading_kind: null, register_resets: 0, last_register_reset_at: null },
  { device_id: 'd2', name: 'Garage', meter_id: null, owner_id: null, max_hourly_kwh: 2, timezone: 'UTC', today_cost: null, currency: null, today_kwh: 0.25, last_reading_at: '2026-11-22T18:00:00Z', online: false, reading_kind: null, register_resets: 0, last_register_reset_at: null },
  { device_id: 'd3', name: 'Heat pump', meter_id: null, owner_id: null, max_hourly_kwh: 2, timezone: 'UTC', today_cost: null, currency: null, today_kwh: 0, last_reading_at: null, online: false, reading_kind: null, register_resets: 0, last_register_reset_at: null },
];

describe('fleetFigures', () => {
  it('tells online, offline and never-reported meters apart and ranks today', () => {
    const fleet = fleetFigures(DEVICES, SUMMARY);
    expect(fleet).toMatchObject({ devices: 4, online: 1, neverReported: 2, unassigned: 1 });
    expect(fleet.offline.map((row) => row.device.name)).toEqual(['Garage']);
    expect(fleet.todayKwh).toBeCloseTo(4.75);
    expect(fleet.topToday.map((row) => row.name)).toEqual(['Kitchen', 'Garage']);
  });
});

describe('Overview', () => {
  it('shows the fleet, open alerts and waiting conversations, with links to act on them', async () => {
    stubFetch({
      '/function/devices': () => [200, DEVICES],
      '/function/consumption/summary': () => [200, SUMMARY],
      '/function/consumption/totals': () => [200, TOTALS],
      // more than a list of alerts holds: the figure is the count, not a list's length
      '/function/alerts/count': () => [200, { total: 57, by_device: { d1: 50, d2: 7 } }],
      '/function/dead-letters': () => [
        200,
        [
          { reason: 'unknown device 4711', count: 2 },
          { reason: 'measurement_value is negative', count: 1 },
        ],
      ],
      // the page asked for is one row: the figure is the list's total
      '/function/conversations': () => [200, [{ id: 'c1', state: 'waiting' }], { 'X-Total-Count': '1' }],
    });
    renderApp(<Overview />, { user: ADMIN, route: '/admin' });
    expect(await screen.findByRole('link', { name: '1 of 4' })).toHaveAttribute('href', '/admin/devices');
    expect(await screen.findByRole('link', { name: '57' })).toHaveAttribute('href', '/alerts');
    expect(screen.getByRole('link', { name: '1' })).toHaveAttribute('href', '/admin/support');
    const refused = screen.getByRole('link', { name: '3' });
    expect(refused.getAttribute('href')).toMatch(/^\/admin\/refused\?since=\d{4}-/);
    expect(screen.getByText('4.75 kWh')).toBeInTheDocument();
    // the fleet's cost today, one sum per currency
    expect(await screen.findByRole('link', { name: /^€1.20 \+ RON.3.00$/ })).toHaveAttribute('href', '/admin/tariffs');
    expect(screen.getByText('1 offline, 2 without readings yet, 1 without owner')).toBeInTheDocument();
    expect(screen.getByTestId('offline-row')).toHaveTextContent('Garage');
    // The chart's code arrives on its own (it is loaded only where charts appear).
    expect(await screen.findByRole('img', { name: /Kitchen 4.50 kWh, Garage 0.25 kWh/ })).toBeInTheDocument();
  });
});
