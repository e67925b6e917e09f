/** Create or edit a device (administrators), with the API's field errors at each field. */

import { Button, Group, NumberInput, Select, Stack, Textarea, TextInput } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { useTariffs } from '../api/tariffs';
import type { Device, DeviceInput } from '../api/types';
import { formErrors } from './errors';
import { TimeZoneSelect } from './TimeZoneSelect';
import { ErrorMessage } from './ErrorMessage';

interface DeviceFormProps {
  device?: Device;
  onSubmit: (input: DeviceInput) => void;
  submitting?: boolean;
  error?: unknown;
  onCancel?: () => void;
}

export function DeviceForm({ device, onSubmit, submitting, error, onCancel }: DeviceFormProps) {
  const [name, setName] = useState(device?.name ?? '');
  const [description, setDescription] = useState(device?.description ?? '');
  const [address, setAddress] = useState(device?.address ?? '');
  const [limit, setLimit] = useState<number | string>(device?.max_hourly_kwh ?? '');
  const [timezone, setTimezone] = useState(device?.timezone ?? 'UTC');
  const [meterId, setMeterId] = useState(device?.meter_id ?? '');
  const [tariffId, setTariffId] = useState<string | null>(device?.tariff_id ?? null);
  const tariffs = useTariffs();
  const { fields, general } = formErrors(error);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    onSubmit({
      name,
      description,
      address,
      // Left empty, it is left out: the API says at the field that it is needed.
      max_hourly_kwh: limit === '' ? undefined : Number(limit),
      timezone,
      // Emptied, it is cleared; never set, it is left out.
      meter_id: meterId.trim() ? meterId.trim() : device?.meter_id ? null : undefined,
      // None chosen: cleared if it had one, else left out.
      tariff_id: tariffId ?? (device?.tariff_id ? null : undefined),
    });
  };

  return (
    <form onSubmit={submit} noValidate aria-label={device ? 'Edit device' : 'New device'}>
      <Stack gap="sm">
        <ErrorMessage message={general} />
        <TextInput
          label="Name"
          value={name}
          onChange={(event) => setName(event.currentTarget.value)}
          error={fields.name}
          required
        />
        <TextInput
          label="Meter number"
          description="The serial printed on the meter; readings may name the device by it"
          value={meterId}
          onChange={(event) => setMeterId(event.currentTarget.value)}
          error={fields.meter_id}
        />
        <TextInput
          label="Address"
          value={address}
          onChange={(event) => setAddress(event.currentTarget.value)}
          error={fields.address}
        />
        <Textarea
          label="Description"
          value={description}
          onChange={(event) => setDescription(event.currentTarget.value)}
          error={fields.description}
          autosize
          minRows={2}
        />
        <NumberInput
          label="Hourly limit (kWh)"
          value={limit}
          onChange={setLimit}
          error={fields.max_hourly_kwh}
          min={0}
          decimalScale={3}
          required
        />
        <TimeZoneSelect
          label="Site time zone"
          value={timezone}
          onChange={setTimezone}
          error={fields.timezone}
        />
        <Select
          label="Tariff"
          description="Prices its kWh; without one, the views show kWh only"
          placeholder={tariffs.isError ? 'Tariffs could not be loaded' : 'No tariff'}
          data={(tariffs.data ?? []).map((tariff) => ({ value: tariff.id, label: `${tariff.name} (${tariff.currency})` }))}
          value={tariffId}
          onChange={setTariffId}
          error={fields.tariff_id}
          clearable
          searchable
        />
        <Group justify="flex-end">
          {onCancel && (
            <Button variant="default" onClick={onCancel}>
              Cancel
            </Button>
          )}
          <Button type="submit" loading={submitting}>
            {device ? 'Save' : 'Create device'}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
