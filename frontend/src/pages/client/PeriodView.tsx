/**
 * One device's consumption over a period picked with one control: a day by hour, a week
 * or a month by day, a year by month, or a chosen range (with presets), each with
 * previous/next. The period sits in the address (?view=&date=, ?from=&to=&per=), so it
 * can be bookmarked and shared.
 */

import { ActionIcon, Alert, Button, Group, Paper, SegmentedControl, Stack, Text } from '@mantine/core';
import { DatePickerInput, MonthPickerInput, YearPickerInput } from '@mantine/dates';
import { useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import { dayPath, rangePath, useDayConsumption, useRangeConsumption } from '../../api/monitoring';
import type { DayConsumption, RangeConsumption } from '../../api/types';
import { ChartKindControl, CsvButton, useCsvDownload } from '../../components/ChartControls';
import type { ChartKind } from '../../components/ConsumptionChart';
import { ErrorMessage } from '../../components/ErrorMessage';
import { ConsumptionChart } from '../../components/LazyChart';
import { PeriodFigures } from '../../components/PeriodFigures';
import type { Compare } from '../../api/monitoring';
import { earlierName, earlierSeries } from '../../lib/comparison';
import { QueryState } from '../../components/QueryState';
import {
  isCurrent,
  isDate,
  partialBuckets,
  periodOf,
  presets,
  shift,
  type Per,
  type Period,
  type View,
} from '../../lib/periods';
import { addDays, bucketLabel, dateIn, formatKwh, hourLabels } from '../../lib/time';
import { DaySummary } from './DayView';

const VIEWS: Array<{ value: View; label: string }> = [
  { value: 'day', label: 'Day' },
  { value: 'week', label: 'Week' },
  { value: 'month', label: 'Month' },
  { value: 'year', label: 'Year' },
  { value: 'range', label: 'Custom' },
];

interface PeriodViewProps {
  deviceId: string;
  deviceName: string;
  /** The zone the hours and days are shown in. */
  timeZone: string;
}

/** Each view beside its obvious counterpart: the week before, last month, last year. */
const COMPARE: Record<View, Compare> = { day: 'previous', week: 'week', month: 'month', year: 'year', range: 'previous' };

function RangeSummary({ range, partial, earlier }: { range: RangeConsumption; partial: boolean; earlier: string }) {
  return (
    <Group gap="xl" wrap="wrap" align="flex-start">
      <div>
        <Text size="xs" c="gray.7">
          Total from {range.from} to {range.to}
          {partial ? ' (so far)' : ''}
        </Text>
        <Text size="xl" fw={700} data-testid="range-total">
          {formatKwh(range.total_kwh, 3)}
        </Text>
      </div>
      <PeriodFigures
        totalCost={range.total_cost}
        fixedCost={range.fixed_cost}
        currency={range.currency}
        comparison={range.comparison}
        earlierName={earlier}
      />
    </Group>
  );
}

export function PeriodView({ deviceId, deviceName, timeZone }: PeriodViewProps) {
  const today = dateIn(timeZone);
  const [params, setParams] = useSearchParams();
  const askedView = params.get('view');
  const view: View = VIEWS.some((option) => option.value === askedView) ? (askedView as View) : 'day';
  const askedDate = params.get('date');
  const badDate = askedDate !== null && !isDate(askedDate);
  const anchor = badDate ? null : (askedDate ?? today);
  const per: Per = params.get('per') === 'month' ? 'month' : 'day';
  const askedFrom = params.get('from');
  const askedTo = params.get('to');
  const [from, to] =
    isDate(askedFrom) && isDate(askedTo) ? [askedFrom, askedTo] : [addDays(today, -29), today];
  const [picking, setPicking] = useState<[string | null, string | null] | null>(null);
  const [kind, setKind] = useState<ChartKind>('bar');
  const csv = useCsvDownload();

  const period: Period | null =
    view === 'range'
      ? { from, to, granularity: per }
      : anchor
        ? periodOf(view, anchor, today)
        : null;
  const live = period !== null && isCurrent(period, today);
  const day = useDayConsumption(deviceId, view === 'day' ? anchor : null, timeZone, live);
  const range = useRangeConsumption(
    deviceId,
    view !== 'day' && period ? period.from : null,
    view !== 'day' && period ? period.to : null,
    period?.granularity === 'month' ? 'month' : 'day',
    timeZone,
    live,
    COMPARE[view],
  );
  const earlier = earlierName(COMPARE[view], view);

  const update = (changes: Record<string, string | null>) =>
    setParams(
      (current) => {
        const next = new URLSearchParams(current);
        for (const [key, value] of Object.entries(changes)) {
          if (value === null) next.delete(key);
          else next.set(key, value);
        }
        return next;
      },
      { replace: true },
    );
  const setView = (next: View) => update({ view: next === 'day' ? null : next });
  const setAnchor = (next: string) => update({ date: next });

  const download = () => {
    if (!period) return;
    if (period.granularity === 'hour') {
      csv.download(dayPath(deviceId, period.from, timeZone, 'csv'), `${deviceName}-${period.from}.csv`);
    } else {
      csv.download(
        rangePath(deviceId, period.from, period.to, period.granularity, timeZone, 'csv'),
        `${deviceName}-${period.from}-${period.to}-${period.granularity}.csv`,
      );
    }
  };

  const stepper = (step: -1 | 1) => {
    if (view === 'range' || !anchor || !period) return null;
    const label = `${step < 0 ? 'Previous' : 'Next'} ${view}`;
    return (
      <ActionIcon
        variant="default"
        size="lg"
        aria-label={label}
        title={label}
        disabled={step > 0 && isCurrent(period, today)}
        onClick={() => setAnchor(shift(view, anchor, step))}
      >
        {step < 0 ? '‹' : '›'}
      </ActionIcon>
    );
  };

  const picker = () => {
    const value = anchor;
    const onPick = (next: string | null) => next && setAnchor(next);
    switch (view) {
      case 'day':
        return (
          <DatePickerInput label="Day" value={value} onChange={onPick} maxDate={today} valueFormat="ddd D MMM YYYY" placeholder="Pick a day" w={180} />
        );
      case 'week':
        return (
          <DatePickerInput label="Week of" value={period?.from ?? null} onChange={onPick} maxDate={today} valueFormat="ddd D MMM YYYY" placeholder="Pick a day" w={180} />
        );
      case 'month':
        return <MonthPickerInput label="Month" value={value} onChange={onPick} maxDate={today} valueFormat="MMMM YYYY" placeholder="Pick a month" w={180} />;
      case 'year':
        return <YearPickerInput label="Year" value={value} onChange={onPick} maxDate={today} placeholder="Pick a year" w={120} />;
      case 'range':
        return (
          <DatePickerInput
            type="range"
            label="Period"
            value={picking ?? [from, to]}
            onChange={(next) => {
              const [first, last] = next as [string | null, string | null];
              if (first && last) {
                setPicking(null);
                update({ from: first, to: last });
              } else setPicking([first, last]);
            }}
            maxDate={today}
            valueFormat="D MMM YYYY"
            w={260}
          />
        );
    }
  };

  return (
    <Stack>
      <SegmentedControl
        aria-label="Period"
        value={view}
        onChange={(next) => setView(next as View)}
        data={VIEWS}
        style={{ alignSelf: 'flex-start' }}
      />
      <Group align="flex-end" gap="xs" wrap="wrap">
        {stepper(-1)}
        {picker()}
        {stepper(1)}
        {view === 'range' && (
          <SegmentedControl
            aria-label="Per"
            value={per}
            onChange={(next) => update({ per: next })}
            data={[
              { value: 'day', label: 'Per day' },
              { value: 'month', label: 'Per month' },
            ]}
          />
        )}
        <ChartKindControl value={kind} onChange={setKind} />
        <CsvButton onClick={download} disabled={!period} busy={csv.busy} />
      </Group>
      {view === 'range' && (
        <Group gap="xs" aria-label="Presets" role="group">
          {presets(today).map((preset) => (
            <Button
              key={preset.label}
              size="compact-sm"
              variant={preset.from === from && preset.to === to && preset.per === per ? 'filled' : 'default'}
              onClick={() => update({ from: preset.from, to: preset.to, per: preset.per })}
            >
              {preset.label}
            </Button>
          ))}
        </Group>
      )}
      <ErrorMessage message={csv.error} />
      <Paper withBorder p="md" radius="md">
        {badDate ? (
          <Alert color="red" role="alert" title="Not a day" data-testid="bad-date">
            “{askedDate}” in the address is not a calendar day. Pick a day above, or go to{' '}
            <Button variant="subtle" size="compact-sm" onClick={() => setAnchor(today)}>
              today
            </Button>
          </Alert>
        ) : view === 'day' ? (
          <QueryState query={day} what="consumption">
            {(found: DayConsumption) => {
              const starts = found.hours.map((hour) => hour.start);
              const partial = partialBuckets(starts, period!, today);
              return (
                <Stack>
                  <DaySummary day={found} />
                  {found.total_kwh === 0 && (
                    <Text c="gray.7" ta="center">
                      No readings for this day yet.
                    </Text>
                  )}
                  <ConsumptionChart
                    key={`${found.date}-${found.timezone}`}
                    buckets={found.hours}
                    labels={hourLabels(starts, found.timezone)}
                    limitKwh={found.max_hourly_kwh}
                    kind={kind}
                    partial={partial}
                    loading={day.isPlaceholderData}
                    currency={found.currency}
                    earlier={earlierSeries(found.hours, found.comparison)}
                    earlierName={earlierName('previous', 'day')}
                    description={`kWh per hour on ${found.date} (${found.timezone}): ${found.hours.length} hours, total ${found.total_kwh.toFixed(3)} kWh, limit ${found.max_hourly_kwh} kWh per hour`}
                  />
                </Stack>
              );
            }}
          </QueryState>
        ) : (
          <QueryState query={range} what="consumption">
            {(found: RangeConsumption) => {
              const starts = found.buckets.map((bucket) => bucket.start);
              const partial = partialBuckets(starts, { from: found.from, to: found.to, granularity: found.granularity as Per }, today);
              return (
                <Stack>
                  <RangeSummary range={found} partial={partial.some(Boolean)} earlier={earlier} />
                  <ConsumptionChart
                    key={`${found.from}-${found.to}-${found.granularity}-${found.timezone}`}
                    buckets={found.buckets}
                    labels={starts.map((start) => bucketLabel(start, found.granularity, found.timezone))}
                    kind={kind}
                    partial={partial}
                    loading={range.isPlaceholderData}
                    currency={found.currency}
                    earlier={earlierSeries(found.buckets, found.comparison)}
                    earlierName={earlier}
                    description={`kWh per ${found.granularity} from ${found.from} to ${found.to}: total ${found.total_kwh.toFixed(3)} kWh`}
                  />
                </Stack>
              );
            }}
          </QueryState>
        )}
      </Paper>
    </Stack>
  );
}
