import type { Alert, SocketAlert } from '../api/types';
import { NO_FILTERS, filterParams, hoursLabel, pageCount, severityOf, warningMessage } from './alarms';

const ALARM: Alert = {
  id: 'a1',
  device_id: 'd1',
  hour_start: '2024-05-01T12:00:00Z',
  last_hour_start: '2024-05-01T15:00:00Z',
  hours: 3,
  total_kwh: 2.75,
  limit_kwh: 2,
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

describe('alarms', () => {
  it('shows a grouped alarm as its span of hours', () => {
    expect(hoursLabel(ALARM, 'Europe/Berlin')).toBe('14:00 to 17:00 (3 hours)');
    expect(hoursLabel({ ...ALARM, hours: 1 }, 'Europe/Berlin')).toBe('14:00');
  });

  it('words a warning with its projection and what was used so far', () => {
    const warning: SocketAlert = {
      ...ALARM,
      hours: 1,
      severity: 'warning',
      total_kwh: 1.2,
      projected_kwh: 2.4,
      device_name: 'Kitchen meter',
    };
    expect(warningMessage(warning, 'UTC')).toBe(
      'Kitchen meter is heading for 2.40 kWh in the hour from 12:00, over its limit of 2 kWh (1.20 kWh so far).',
    );
  });

  it('turns a filter form into query parameters, leaving out what is empty', () => {
    expect(filterParams(NO_FILTERS)).toEqual({
      state: undefined,
      severity: undefined,
      device_id: undefined,
      owner_id: undefined,
      from: undefined,
      to: undefined,
    });
    expect(
      filterParams({ ...NO_FILTERS, state: ['open', 'acknowledged'], severity: ['far_over_limit'], from: '2024-05-01' }),
    ).toMatchObject({ state: 'open,acknowledged', severity: 'far_over_limit', from: '2024-05-01' });
  });

  it('counts pages and names severities', () => {
    expect([pageCount(0), pageCount(20), pageCount(21)]).toEqual([1, 1, 2]);
    expect(severityOf('far_over_limit').label).toBe('Far over limit');
  });
});
