import { screen } from '@testing-library/react';
import type { Bucket, DayConsumption } from '../api/types';
import { hourLabels } from '../lib/time';
import { DaySummary } from '../pages/client/DayView';
import { renderApp } from '../test/render';
import { ConsumptionChart } from './ConsumptionChart';

/** `count` consecutive hours from `firstUtc`, using `kwh(index)`. */
function hoursFrom(firstUtc: string, count: number, kwh: (index: number) => number): Bucket[] {
  const first = Date.parse(firstUtc);
  return Array.from({ length: count }, (_, index) => ({
    start: new Date(first + index * 3_600_000).toISOString(),
    kwh: kwh(index),
    cost: null,
  }));
}

function day(date: string, hours: Bucket[], limit: number): DayConsumption {
  return {
    device_id: 'd1',
    date,
    timezone: 'Europe/Berlin',
    hours,
    total_kwh: hours.reduce((sum, hour) => sum + hour.kwh, 0),
    max_hourly_kwh: limit,
    total_cost: null,
    fixed_cost: null,
    currency: null,
    tariff_id: null,
  };
}

// Berlin's clocks go forward on 31 March 2024 (23 hours) and back on 27 October (25 hours).
const SPRING = hoursFrom('2024-03-30T23:00:00Z', 23, (index) => (index === 10 ? 3 : 0.5));
const AUTUMN = hoursFrom('2024-10-26T22:00:00Z', 25, () => 1);

describe('hour labels on daylight-saving days', () => {
  it('skips 02:00 on the day the clocks go forward', () => {
    const labels = hourLabels(SPRING.map((hour) => hour.start), 'Europe/Berlin');
    expect(labels).toHaveLength(23);
    expect(labels.slice(0, 4)).toEqual(['00:00', '01:00', '03:00', '04:00']);
    expect(labels).not.toContain('02:00');
  });

  it('shows 02:00 twice, told apart by offset, on the day they go back', () => {
    const labels = hourLabels(AUTUMN.map((hour) => hour.start), 'Europe/Berlin');
    expect(labels).toHaveLength(25);
    expect(labels.slice(1, 5)).toEqual(['01:00', '02:00 GMT+2', '02:00 GMT+1', '03:00']);
    expect(new Set(labels).size).toBe(25);
  });
});

describe('ConsumptionChart', () => {
  const labels = hourLabels(SPRING.map((hour) => hour.start), 'Europe/Berlin');

  it('draws one bar per hour of a 23-hour day, the hour over the limit in red, and the limit', () => {
    const { container } = renderApp(
      <ConsumptionChart buckets={SPRING} labels={labels} limitKwh={2} kind="bar" description="spring day" />,
    );
    expect(screen.getByRole('img', { name: 'spring day' })).toBeInTheDocument();
    expect(screen.getByTestId('consumption-chart')).toHaveAttribute('data-buckets', '23');
    const bars = container.querySelectorAll('.recharts-bar-rectangle path');
    expect(bars).toHaveLength(23);
    const red = [...bars].filter((bar) => bar.getAttribute('fill')?.includes('red'));
    expect(red).toHaveLength(1);
    expect(container.querySelector('.recharts-reference-line')).not.toBeNull();
    expect(screen.getByText('Limit 2 kWh')).toBeInTheDocument();
  });

  it('draws a line through 25 points on a 25-hour day', () => {
    const autumnLabels = hourLabels(AUTUMN.map((hour) => hour.start), 'Europe/Berlin');
    const { container } = renderApp(
      <ConsumptionChart buckets={AUTUMN} labels={autumnLabels} limitKwh={1.5} kind="line" description="autumn day" />,
    );
    expect(container.querySelectorAll('.recharts-line-dot')).toHaveLength(25);
    expect(screen.getByText('Limit 1.5 kWh')).toBeInTheDocument();
  });

  it('labels every one of 25 hours, the repeated one with its offset', () => {
    const autumnLabels = hourLabels(AUTUMN.map((hour) => hour.start), 'Europe/Berlin');
    const { container } = renderApp(
      <ConsumptionChart buckets={AUTUMN} labels={autumnLabels} limitKwh={1.5} kind="bar" description="autumn" />,
    );
    // jsdom's 800 px cannot hold 25 labels side by side: the hours become rows.
    expect(screen.getByTestId('consumption-chart')).toHaveAttribute('data-layout', 'rows');
    const ticks = [...container.querySelectorAll('.recharts-yAxis .recharts-cartesian-axis-tick text')];
    expect(ticks).toHaveLength(25);
    const twice = ticks.filter((tick) => tick.textContent?.startsWith('02:00'));
    expect(twice.map((tick) => tick.textContent?.replace(/\s/g, ''))).toEqual(['02:00GMT+2', '02:00GMT+1']);
  });

  it('names the limit in a legend, outside the plot, and draws partial periods lighter', () => {
    const { container } = renderApp(
      <ConsumptionChart
        buckets={SPRING}
        labels={labels}
        limitKwh={2}
        kind="bar"
        description="spring"
        partial={SPRING.map((_, index) => index === 22)}
      />,
    );
    expect(screen.getByTestId('limit-label')).toHaveTextContent('Limit 2 kWh');
    expect(container.querySelector('.recharts-reference-line .recharts-label')).toBeNull();
    expect(screen.getByTestId('consumption-chart')).toHaveAttribute('data-partial-buckets', '1');
    expect(screen.getByTestId('partial-legend')).toBeInTheDocument();
  });

  it('lists every hour as a table for those who cannot see the chart', () => {
    renderApp(<ConsumptionChart buckets={SPRING} labels={labels} limitKwh={2} kind="table" description="spring table" />);
    const rows = screen.getByRole('table', { name: 'spring table' }).querySelectorAll('tbody tr');
    expect(rows).toHaveLength(23);
    expect(rows[2]).toHaveTextContent('03:00');
  });
});

describe('DaySummary', () => {
  it('gives the total, the hours over the limit and why the day is short', () => {
    renderApp(<DaySummary day={day('2024-03-31', SPRING, 2)} />);
    expect(screen.getByTestId('day-total')).toHaveTextContent('14.000 kWh');
    expect(screen.getByTestId('dst-note')).toHaveTextContent('23 hours');
  });

  it('says a 25-hour day has an hour twice', () => {
    renderApp(<DaySummary day={day('2024-10-27', AUTUMN, 2)} />);
    expect(screen.getByTestId('day-total')).toHaveTextContent('25.000 kWh');
    expect(screen.getByTestId('dst-note')).toHaveTextContent('25 hours');
  });

  it('says nothing about daylight saving on an ordinary day', () => {
    renderApp(<DaySummary day={day('2024-05-02', hoursFrom('2024-05-01T22:00:00Z', 24, () => 1), 2)} />);
    expect(screen.queryByTestId('dst-note')).toBeNull();
  });
});
