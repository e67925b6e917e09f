/** Administrators: the tariffs that price the devices' kWh, with their price rows. */

import { Button, Group, Modal, Paper, Stack, Table, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { plainMessage } from '../../api/client';
import { useDeleteTariff, useSaveTariff, useTariffs } from '../../api/tariffs';
import type { Tariff } from '../../api/types';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { QueryState } from '../../components/QueryState';
import { RowActions } from '../../components/RowActions';
import { TariffForm } from '../../components/TariffForm';
import { formatMoney } from '../../lib/money';
import { dateIn } from '../../lib/time';

const DAY_NAMES: Record<string, string> = { all: 'every day', weekdays: 'weekdays', weekends: 'weekends' };

/** "weekdays 07–23: €0.30" for each row of the latest prices in force from `today`. */
export function currentPrices(tariff: Tariff, today: string): string[] {
  const starts = [...new Set(tariff.prices.map((price) => price.valid_from))].sort();
  const current = starts.filter((start) => start <= today).at(-1) ?? starts[0];
  return tariff.prices
    .filter((price) => price.valid_from === current)
    .map((price) => {
      const hours = price.from_hour === 0 && price.to_hour === 24 ? '' : ` ${price.from_hour}–${price.to_hour}`;
      return `${DAY_NAMES[price.days]}${hours}: ${formatMoney(price.price_per_kwh, tariff.currency)}`;
    });
}

type Editing = { tariff?: Tariff } | null;

export function Tariffs() {
  const tariffs = useTariffs();
  const save = useSaveTariff();
  const remove = useDeleteTariff();
  const [editing, setEditing] = useState<Editing>(null);
  const [deleting, setDeleting] = useState<Tariff | null>(null);
  const today = dateIn('UTC');
  const closeEditor = () => {
    setEditing(null);
    save.reset();
  };
  const closeDelete = () => {
    setDeleting(null);
    remove.reset();
  };

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>Tariffs</Title>
        <Button onClick={() => setEditing({})}>New tariff</Button>
      </Group>
      <Text size="sm" c="dimmed">
        A tariff prices each hour at the site's local time. Prices from a day that has begun are kept as they were: add
        a new price from a later day to change them.
      </Text>
      <Paper withBorder radius="md">
        <QueryState query={tariffs} what="tariffs" isEmpty={(list) => list.length === 0} empty="No tariff yet.">
          {(list) => (
            <Table.ScrollContainer minWidth={640}>
              <Table aria-label="Tariffs">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Name</Table.Th>
                    <Table.Th>Prices now</Table.Th>
                    <Table.Th>Fixed per day</Table.Th>
                    <Table.Th>Devices</Table.Th>
                    <Table.Th />
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {list.map((tariff) => (
                    <Table.Tr key={tariff.id} data-testid="tariff-row">
                      <Table.Td>
                        {tariff.name} ({tariff.currency})
                      </Table.Td>
                      <Table.Td>
                        {currentPrices(tariff, today).map((line) => (
                          <Text size="sm" key={line}>
                            {line}
                          </Text>
                        ))}
                      </Table.Td>
                      <Table.Td>{tariff.daily_fixed_charge ? formatMoney(tariff.daily_fixed_charge, tariff.currency) : '–'}</Table.Td>
                      <Table.Td>{tariff.devices}</Table.Td>
                      <Table.Td>
                        <RowActions
                          actions={[
                            { text: 'Edit', label: `Edit ${tariff.name}`, onClick: () => setEditing({ tariff }) },
                            { text: 'Delete', label: `Delete ${tariff.name}`, onClick: () => setDeleting(tariff), danger: true },
                          ]}
                        />
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          )}
        </QueryState>
      </Paper>
      <Modal opened={editing !== null} onClose={closeEditor} title={editing?.tariff ? `Edit ${editing.tariff.name}` : 'New tariff'} size="xl">
        {editing && (
          <TariffForm
            key={editing.tariff?.id ?? 'new'}
            tariff={editing.tariff}
            today={today}
            submitting={save.isPending}
            error={save.error}
            onCancel={closeEditor}
            onSubmit={(input) => save.mutate({ id: editing.tariff?.id, input }, { onSuccess: closeEditor })}
          />
        )}
      </Modal>
      <ConfirmDialog
        opened={deleting !== null}
        title="Delete tariff"
        message={`Delete ${deleting?.name ?? ''}? Only a tariff no device uses can be deleted.`}
        confirmLabel="Delete"
        loading={remove.isPending}
        error={remove.error ? plainMessage(remove.error) : null}
        onClose={closeDelete}
        onConfirm={() => deleting && remove.mutate(deleting.id, { onSuccess: closeDelete })}
      />
    </Stack>
  );
}
