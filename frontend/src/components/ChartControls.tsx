/** What both consumption views offer beside the chart: how to draw it, and its CSV. */

import { Button, SegmentedControl } from '@mantine/core';
import { useState } from 'react';
import { plainMessage } from '../api/client';
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

/** A CSV download: busy while it comes, its failure kept until the next try. */
export function useCsvDownload() {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const download = (path: string, filename: string) => {
    setError(null);
    setBusy(true);
    downloadCsv(path, filename)
      .catch((failure: unknown) => setError(plainMessage(failure)))
      .finally(() => setBusy(false));
  };
  return { download, error, busy };
}

export function CsvButton({ onClick, disabled, busy }: { onClick: () => void; disabled?: boolean; busy?: boolean }) {
  return (
    <Button variant="light" onClick={onClick} disabled={disabled} loading={busy} data-busy={busy}>
      Download CSV
    </Button>
  );
}
