/** Administrators: credentials of meter gateways, each posting readings for several devices. */

import {
  Button,
  Code,
  Group,
  Modal,
  MultiSelect,
  Paper,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useState } from 'react';
import { plainMessage } from '../../api/client';
import { useDevices, useGateways, useRevokeGateway, useSaveGateway } from '../../api/inventory';
import type { GatewayCredential } from '../../api/types';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { ErrorMessage } from '../../components/ErrorMessage';
import { formErrors } from '../../components/errors';
import { QueryState } from '../../components/QueryState';
import { SecretOnce } from '../../components/SecretOnce';
import { dateTimeLabel } from '../../lib/time';

type Editing = { gateway?: GatewayCredential } | null;

interface GatewayFormProps {
  gateway?: GatewayCredential;
  /** Called once saved; with the new credential (and its secret) when one was made. */
  onDone: (made?: GatewayCredential) => void;
}

function GatewayForm({ gateway, onDone }: GatewayFormProps) {
  const devices = useDevices();
  const save = useSaveGateway();
  const [name, setName] = useState(gateway?.name ?? '');
  const [deviceIds, setDeviceIds] = useState<string[]>(gateway?.device_ids ?? []);
  const { fields: errors, general } = formErrors(save.error);
  const options = (devices.data ?? []).map((device) => ({
    value: device.id,
    label: device.meter_id ? `${device.name} (${device.meter_id})` : device.name,
  }));

  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        save.mutate(
          { id: gateway?.id, fields: { name, device_ids: deviceIds } },
          { onSuccess: (saved) => onDone(gateway ? undefined : saved) },
        );
      }}
    >
      <Stack>
        <TextInput
          label="Name"
          value={name}
          onChange={(event) => setName(event.currentTarget.value)}
          error={errors.name}
        />
        <MultiSelect
          label="Devices it posts for"
          placeholder="Search by name or meter number"
          data={options}
          value={deviceIds}
          onChange={setDeviceIds}
          searchable
          limit={50}
          error={errors.device_ids}
        />
        <ErrorMessage message={general} />
        <Group justify="flex-end">
          <Button type="submit" loading={save.isPending}>
            {gateway ? 'Save' : 'Make credential'}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

export function Gateways() {
  const gateways = useGateways();
  const revoke = useRevokeGateway();
  const [editing, setEditing] = useState<Editing>(null);
  const [made, setMade] = useState<GatewayCredential | null>(null);
  const [revoking, setRevoking] = useState<GatewayCredential | null>(null);

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>Gateways</Title>
        <Button onClick={() => setEditing({})}>New gateway</Button>
      </Group>
      <Text size="sm">
        A gateway (a P1 reader for a building, a Home Assistant, a data concentrator) posts the readings of
        several meters to /function/readings with one secret. Each reading names its device.
      </Text>
      {made && (
        <SecretOnce secret={made.secret ?? ''}>
          <Text size="sm">
            {made.name}: send <Code>Authorization: Bearer &lt;secret&gt;</Code> to /function/readings.
          </Text>
        </SecretOnce>
      )}
      <Paper withBorder p="md">
        <QueryState query={gateways} what="gateways" isEmpty={(rows) => rows.length === 0}>
          {(rows) => (
            <Table.ScrollContainer minWidth={560}>
              <Table aria-label="Gateways">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Name</Table.Th>
                    <Table.Th>Secret</Table.Th>
                    <Table.Th ta="right">Devices</Table.Th>
                    <Table.Th>Last used</Table.Th>
                    <Table.Th />
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {rows.map((row) => (
                    <Table.Tr key={row.id} data-testid="gateway-row">
                      <Table.Td>{row.name}</Table.Td>
                      <Table.Td>
                        <Code>{row.prefix}…</Code>
                      </Table.Td>
                      <Table.Td ta="right">{row.device_ids.length}</Table.Td>
                      <Table.Td>{row.last_used_at ? dateTimeLabel(row.last_used_at) : 'never'}</Table.Td>
                      <Table.Td>
                        <Group gap="xs" justify="flex-end" wrap="nowrap">
                          <Button
                            size="compact-xs"
                            variant="light"
                            aria-label={`Edit ${row.name}`}
                            onClick={() => setEditing({ gateway: row })}
                          >
                            Edit
                          </Button>
                          <Button
                            size="compact-xs"
                            color="red"
                            variant="light"
                            aria-label={`Revoke ${row.name}`}
                            onClick={() => setRevoking(row)}
                          >
                            Revoke
                          </Button>
                        </Group>
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          )}
        </QueryState>
      </Paper>
      <Modal
        opened={editing !== null}
        onClose={() => setEditing(null)}
        title={editing?.gateway ? `Edit ${editing.gateway.name}` : 'New gateway'}
      >
        {editing && (
          <GatewayForm
            gateway={editing.gateway}
            onDone={(saved) => {
              setEditing(null);
              if (saved) setMade(saved);
            }}
          />
        )}
      </Modal>
      <ConfirmDialog
        opened={revoking !== null}
        title={`Revoke ${revoking?.name ?? ''}?`}
        message="Its next call is refused. Make a new credential for the gateway to post again."
        confirmLabel="Revoke"
        loading={revoke.isPending}
        error={plainMessage(revoke.error)}
        onClose={() => setRevoking(null)}
        onConfirm={() =>
          revoking &&
          revoke.mutate(revoking.id, {
            onSuccess: () => {
              setMade((shown) => (shown?.id === revoking.id ? null : shown));
              setRevoking(null);
            },
          })
        }
      />
    </Stack>
  );
}
