import { screen } from '@testing-library/react';
import type { DeviceSummary } from '../api/types';
import { renderApp } from '../test/render';
import { OnlineBadge } from './OnlineBadge';

const summary = (fields: Partial<DeviceSummary>): DeviceSummary => ({
  device_id: 'd1',
  name: 'Kitchen',
  meter_id: null,
  owner_id: null,
  max_hourly_kwh: 2,
  timezone: 'UTC',
  today_cost: null,
  currency: null,
  reading_kind: 'interval',
  register_resets: 0,
  last_register_reset_at: null,
  today_kwh: 0,
  last_reading_at: null,
  online: false,
  ...fields,
});

describe('OnlineBadge', () => {
  it('tells a meter that never reported from one that went quiet', () => {
    renderApp(<OnlineBadge summary={summary({})} />);
    expect(screen.getByText('No readings yet')).toBeInTheDocument();
    expect(screen.queryByText('Offline')).not.toBeInTheDocument();
  });

  it('says offline, and since when, once a meter that reported goes quiet', () => {
    renderApp(<OnlineBadge summary={summary({ last_reading_at: '2026-11-20T08:10:00Z' })} />);
    expect(screen.getByLabelText(/^Offline\. Last reading /)).toHaveTextContent('Offline');
  });

  it('says online while readings arrive', () => {
    renderApp(
      <OnlineBadge summary={summary({ last_reading_at: '2026-11-23T08:10:00Z', online: true })} />,
    );
    expect(screen.getByLabelText(/^Online\. Last reading /)).toHaveTextContent('Online');
  });
});
