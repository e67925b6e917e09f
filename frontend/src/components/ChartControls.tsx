/** What both consumption views offer beside the chart: how to draw it, and its CSV. */

import { Button, SegmentedControl } from '@mantine/core';
import { useState } from 'react';
import { downloadCsv } from '../api/monitoring';
import type { ChartKind } from './ConsumptionChart';

export function ChartKindControl({ value, onChange }: { value: ChartKind; onChange: (kind: ChartKind) => void }) {
  return (
    <SegmentedControl
      aria-label="Chart type"
      value={value}
      onChange={(next) => onChange(next as ChartKind)}
      data={[
        { value: 'bar', label: 'Bars' },
        { value: 'line', label: 'Line' },
        { value: 'table', label: 'Table' },
      ]}
    />
  );
}

/** A CSV download and its failure, kept until the next try. */
export function useCsvDownload() {
  const [error, setError] = useState<string | null>(null);
  const download = (path: string, filename: string) => {
    setError(null);
    downloadCsv(path, filename).catch((failure: Error) => setError(failure.message));
  };
  return { download, error };
}

export function CsvButton({ onClick, disabled }: { onClick: () => void; disabled?: boolean }) {
  return (
    <Button variant="light" onClick={onClick} disabled={disabled}>
      Download CSV
    </Button>
  );
}
