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
});
