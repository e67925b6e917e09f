/** A searchable IANA time-zone picker. */

import { Select } from '@mantine/core';
import { useMemo } from 'react';
import { timeZones } from '../lib/time';

interface TimeZoneSelectProps {
  value: string;
  onChange: (zone: string) => void;
  label?: string;
  description?: string;
  error?: string;
}

export function TimeZoneSelect({
  value,
  onChange,
  label = 'Time zone',
  description,
  error,
}: TimeZoneSelectProps) {
  const zones = useMemo(() => {
    const known = timeZones();
    return known.includes(value) || !value ? known : [value, ...known];
  }, [value]);
  return (
    <Select
      label={label}
      description={description}
      data={zones}
      value={value}
      onChange={(zone) => zone && onChange(zone)}
      error={error}
      searchable
      allowDeselect={false}
      limit={200}
      nothingFoundMessage="No such time zone"
    />
  );
}
