/** Create or edit a device (administrators), with the API's field errors at each field. */

import { Button, Group, NumberInput, Stack, Textarea, TextInput } from '@mantine/core';
import { useState, type FormEvent } from 'react';
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
