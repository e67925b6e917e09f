/**
 * Create or edit a tariff: its currency, a fixed charge per day, and price rows, each
 * from a day, on some days of the week, for a band of local hours. The API checks the
 * rows whole (no overlap, no gap) and names the row that is wrong; the message shows
 * at that row's field.
 */

import { ActionIcon, Button, Group, NumberInput, Paper, Select, Stack, Text, TextInput } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import type { Tariff, TariffInput } from '../api/types';
import { ErrorMessage } from './ErrorMessage';
import { formErrors } from './errors';

type Days = 'all' | 'weekdays' | 'weekends';

export interface PriceRow {
  valid_from: string;
  days: Days;
  from_hour: number | string;
  to_hour: number | string;
  price_per_kwh: number | string;
}

const DAYS = [
  { value: 'all', label: 'Every day' },
  { value: 'weekdays', label: 'Weekdays' },
  { value: 'weekends', label: 'Weekends' },
];

const blankRow = (validFrom: string): PriceRow => ({
  valid_from: validFrom,
  days: 'all',
  from_hour: 0,
  to_hour: 24,
  price_per_kwh: '',
});

/** The body the API takes from the form's rows; empty numbers are left for it to name. */
export function tariffInput(name: string, currency: string, fixed: number | string, rows: PriceRow[]): TariffInput {
  const number = (value: number | string) => (value === '' ? undefined : Number(value));
  return {
    name,
    currency: currency.trim().toUpperCase(),
    daily_fixed_charge: fixed === '' ? null : Number(fixed),
    prices: rows.map((row) => ({
      valid_from: row.valid_from,
      days: row.days,
      from_hour: number(row.from_hour) as number,
      to_hour: number(row.to_hour) as number,
      price_per_kwh: number(row.price_per_kwh) as number,
    })),
  };
}

interface TariffFormProps {
  tariff?: Tariff;
  /** The day a new price row starts on by default. */
  today: string;
  onSubmit: (input: TariffInput) => void;
  submitting?: boolean;
  error?: unknown;
  onCancel?: () => void;
}

export function TariffForm({ tariff, today, onSubmit, submitting, error, onCancel }: TariffFormProps) {
  const [name, setName] = useState(tariff?.name ?? '');
  const [currency, setCurrency] = useState(tariff?.currency ?? 'EUR');
  const [fixed, setFixed] = useState<number | string>(tariff?.daily_fixed_charge ?? '');
  const [rows, setRows] = useState<PriceRow[]>(
    tariff ? tariff.prices.map((price) => ({ ...price, days: price.days as Days })) : [blankRow(today)],
  );
  const { fields, general } = formErrors(error);
  const change = (index: number, patch: Partial<PriceRow>) =>
    setRows((current) => current.map((row, at) => (at === index ? { ...row, ...patch } : row)));

  const submit = (event: FormEvent) => {
    event.preventDefault();
    onSubmit(tariffInput(name, currency, fixed, rows));
  };
  const at = (index: number, field: string) => fields[`prices[${index}].${field}`];

  return (
    <form onSubmit={submit} noValidate aria-label={tariff ? 'Edit tariff' : 'New tariff'}>
      <Stack gap="sm">
        <ErrorMessage message={general} />
        <TextInput label="Name" value={name} onChange={(e) => setName(e.currentTarget.value)} error={fields.name} required />
        <Group grow align="flex-start">
          <TextInput
            label="Currency"
            description="ISO 4217 code, such as EUR or RON"
            value={currency}
            onChange={(e) => setCurrency(e.currentTarget.value)}
            error={fields.currency}
            maxLength={3}
            required
          />
          <NumberInput
            label="Fixed charge per day"
            value={fixed}
            onChange={setFixed}
            error={fields.daily_fixed_charge}
            min={0}
            decimalScale={6}
          />
        </Group>
        <Text fw={600} size="sm">
          Prices
        </Text>
        <Text size="xs" c="dimmed">
          The rows from one day must price every hour of every day once. Hours are the site's local time; a band
          whose end is before its start runs past midnight (22 to 6).
        </Text>
        {rows.map((row, index) => (
          <Paper key={index} withBorder p="xs" radius="sm" data-testid="price-row" aria-label={`Price ${index + 1}`} component="fieldset">
            <ErrorMessage message={fields[`prices[${index}]`]} />
            <Group align="flex-start" gap="xs" wrap="wrap">
              <TextInput
                label="From day"
                type="date"
                value={row.valid_from}
                onChange={(e) => change(index, { valid_from: e.currentTarget.value })}
                error={at(index, 'valid_from')}
                w={150}
              />
              <Select
                label="Days"
                data={DAYS}
                value={row.days}
                onChange={(value) => change(index, { days: (value ?? 'all') as Days })}
                error={at(index, 'days')}
                allowDeselect={false}
                w={130}
              />
              <NumberInput label="From hour" value={row.from_hour} onChange={(value) => change(index, { from_hour: value })} error={at(index, 'from_hour')} min={0} max={23} w={95} />
              <NumberInput label="To hour" value={row.to_hour} onChange={(value) => change(index, { to_hour: value })} error={at(index, 'to_hour')} min={1} max={24} w={95} />
              <NumberInput
                label={`Price per kWh (${currency || '?'})`}
                value={row.price_per_kwh}
                onChange={(value) => change(index, { price_per_kwh: value })}
                error={at(index, 'price_per_kwh')}
                min={0}
                decimalScale={6}
                w={150}
              />
              <ActionIcon
                variant="light"
                color="red"
                mt={26}
                aria-label={`Remove price ${index + 1}`}
                disabled={rows.length === 1}
                onClick={() => setRows((current) => current.filter((_, at) => at !== index))}
              >
                ×
              </ActionIcon>
            </Group>
          </Paper>
        ))}
        <ErrorMessage message={fields.prices} />
        <Button variant="default" onClick={() => setRows((current) => [...current, blankRow(current.at(-1)?.valid_from ?? today)])} style={{ alignSelf: 'flex-start' }}>
          Add price
        </Button>
        <Group justify="flex-end">
          {onCancel && (
            <Button variant="default" onClick={onCancel}>
              Cancel
            </Button>
          )}
          <Button type="submit" loading={submitting}>
            {tariff ? 'Save' : 'Create tariff'}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
