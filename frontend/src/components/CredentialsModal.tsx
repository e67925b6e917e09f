/** A meter's credentials (administrators): make one and see its secret once, list, revoke. */

import { Button, Code, Group, Modal, Stack, Table, Text } from '@mantine/core';
import { useState } from 'react';
import { useCreateCredential, useCredentials, useRevokeCredential } from '../api/inventory';
import type { Device, MeterCredential } from '../api/types';
import { dateTimeLabel } from '../lib/time';
import { ErrorMessage } from './ErrorMessage';
import { QueryState } from './QueryState';
import { SecretOnce } from './SecretOnce';

function Made({ made }: { made: MeterCredential }) {
  return (
    <SecretOnce secret={made.secret ?? ''}>
      <Text size="sm">
        Username <Code data-testid="new-username">{made.username}</Code>
      </Text>
      <Text size="xs">
        MQTT and AMQP: this username and the secret as password, topic meters/&lt;device&gt;/reading.
        HTTP: Authorization: Bearer &lt;secret&gt; to /function/readings.
      </Text>
    </SecretOnce>
  );
}

function Body({ device }: { device: Device }) {
  const list = useCredentials(device.id);
  const create = useCreateCredential(device.id);
  const revoke = useRevokeCredential(device.id);
  const [made, setMade] = useState<MeterCredential | null>(null);

  return (
    <Stack>
      {made && <Made made={made} />}
      <ErrorMessage message={create.error?.message ?? revoke.error?.message} />
      <QueryState query={list} what="credentials" isEmpty={(rows) => rows.length === 0}>
        {(rows) => (
          <Table aria-label="Credentials">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Username</Table.Th>
                <Table.Th>Secret</Table.Th>
                <Table.Th>Created</Table.Th>
                <Table.Th>Last used</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.map((row) => (
                <Table.Tr key={row.id} data-testid="credential-row">
                  <Table.Td>{row.username}</Table.Td>
                  <Table.Td>
                    <Code>{row.prefix}…</Code>
                  </Table.Td>
                  <Table.Td>{dateTimeLabel(row.created_at)}</Table.Td>
                  <Table.Td>{row.last_used_at ? dateTimeLabel(row.last_used_at) : 'never'}</Table.Td>
                  <Table.Td>
                    <Button
                      size="compact-xs"
                      color="red"
                      variant="light"
                      aria-label={`Revoke ${row.username}`}
                      loading={revoke.isPending && revoke.variables === row.id}
                      onClick={() =>
                        revoke.mutate(row.id, {
                          onSuccess: () => setMade((shown) => (shown?.id === row.id ? null : shown)),
                        })
                      }
                    >
                      Revoke
                    </Button>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </QueryState>
      <Group justify="flex-end">
        <Button loading={create.isPending} onClick={() => create.mutate(undefined, { onSuccess: setMade })}>
          New credential
        </Button>
      </Group>
    </Stack>
  );
}

export function CredentialsModal({ device, onClose }: { device: Device | null; onClose: () => void }) {
  return (
    <Modal opened={Boolean(device)} onClose={onClose} title={`Credentials of ${device?.name ?? ''}`} size="lg">
      {device && <Body device={device} />}
    </Modal>
  );
}
