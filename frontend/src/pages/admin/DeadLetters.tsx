/** Administrators: readings and messages the system refused or could not route, and what to
 * do with them: replay (after fixing the cause, e.g. creating the device) or discard. */

import {
  Alert,
  Anchor,
  Button,
  Checkbox,
  Code,
  Group,
  Paper,
  Stack,
  Table,
  Text,
  Title,
} from '@mantine/core';
import { useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import { type Choice, useDeadLetters, useReasons, useResolveLetters } from '../../api/operations';
import type { DeadLetter } from '../../api/types';
import { ErrorMessage } from '../../components/ErrorMessage';
import { QueryState } from '../../components/QueryState';
import { dateTimeLabel } from '../../lib/time';

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

function Reasons({ onPick, picked }: { onPick: (reason: string | null) => void; picked: string | null }) {
  const reasons = useReasons();
  return (
    <QueryState query={reasons} what="reasons" isEmpty={(list) => list.length === 0}>
      {(list) => (
        <Table aria-label="Refused by reason">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Reason</Table.Th>
              <Table.Th ta="right">Messages</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {list.map((row) => (
              <Table.Tr key={row.reason} data-testid="reason-row">
                <Table.Td>
                  <Anchor
                    component="button"
                    type="button"
                    fw={row.reason === picked ? 700 : undefined}
                    onClick={() => onPick(row.reason === picked ? null : row.reason)}
                  >
                    {row.reason}
                  </Anchor>
                </Table.Td>
                <Table.Td ta="right">{row.count}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </QueryState>
  );
}

function Letters({
  list,
  selected,
  toggle,
}: {
  list: DeadLetter[];
  selected: Set<string>;
  toggle: (id: string) => void;
}) {
  return (
    <Table.ScrollContainer minWidth={900}>
      <Table striped aria-label="Refused messages">
        <Table.Thead>
          <Table.Tr>
            <Table.Th />
            <Table.Th>Last seen</Table.Th>
            <Table.Th>Device</Table.Th>
            <Table.Th>Reason</Table.Th>
            <Table.Th ta="right">Times</Table.Th>
            <Table.Th>Message</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {list.map((letter) => (
            <Table.Tr key={letter.id} data-testid="letter-row">
              <Table.Td>
                <Checkbox
                  aria-label={`Select message ${letter.id}`}
                  checked={selected.has(letter.id)}
                  onChange={() => toggle(letter.id)}
                />
              </Table.Td>
              <Table.Td>{dateTimeLabel(letter.last_seen)}</Table.Td>
              <Table.Td>{letter.device_id ?? <Text c="dimmed">—</Text>}</Table.Td>
              <Table.Td>
                {letter.reason}
                <Text size="xs" c="dimmed">
                  {letter.queue === 'unrouted' ? 'not routed to any queue' : `from ${letter.queue}`}
                </Text>
              </Table.Td>
              <Table.Td ta="right">{letter.count}</Table.Td>
              <Table.Td>
                <Code block maw={420} tabIndex={0}>
                  {JSON.stringify(letter.body)}
                </Code>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

export function DeadLetters() {
  const [params, setParams] = useSearchParams();
  const reason = params.get('reason');
  const since = params.get('since') ?? undefined;
  const letters = useDeadLetters({ reason: reason ?? undefined, since });
  const replay = useResolveLetters('replay');
  const discard = useResolveLetters('discard');
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [done, setDone] = useState<string | null>(null);

  const pick = (next: string | null) => {
    setSelected(new Set());
    setParams(next ? { reason: next } : {});
  };
  const toggle = (id: string) => {
    const next = new Set(selected);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    setSelected(next);
  };
  const choice: Choice | null =
    selected.size > 0 ? { ids: [...selected] } : reason ? { reason } : null;
  const target = selected.size > 0 ? plural(selected.size, 'selected message') : `all of “${reason}”`;
  const act = (action: 'replay' | 'discard') => {
    if (!choice) return;
    const mutation = action === 'replay' ? replay : discard;
    mutation.mutate(choice, {
      onSuccess: (answer) => {
        const count = answer.replayed ?? answer.discarded ?? 0;
        setDone(`${action === 'replay' ? 'Replayed' : 'Discarded'} ${plural(count, 'message')}.`);
        setSelected(new Set());
      },
    });
  };

  return (
    <Stack>
      <Title order={2}>Refused readings</Title>
      <Text c="dimmed" maw={760}>
        Readings and messages the system could not use, with why. Fix the cause (create the
        device, give it the meter number, correct the meter), then replay them: each is counted
        once. Discard what can never be used. Both are recorded.
      </Text>
      {since && (
        <Text size="sm">
          Since {dateTimeLabel(since)} · <Anchor onClick={() => setParams({})}>show all</Anchor>
        </Text>
      )}
      <Paper withBorder p="md" radius="md">
        <Title order={3} size="h4" mb="sm">
          By reason
        </Title>
        <Reasons onPick={pick} picked={reason} />
      </Paper>
      {done && (
        <Alert color="green" withCloseButton onClose={() => setDone(null)} role="status">
          {done}
        </Alert>
      )}
      <ErrorMessage message={replay.error?.message ?? discard.error?.message} />
      <Group>
        <Button disabled={!choice} loading={replay.isPending} onClick={() => act('replay')}>
          {choice ? `Replay ${target}` : 'Replay'}
        </Button>
        <Button
          color="red"
          variant="light"
          disabled={!choice}
          loading={discard.isPending}
          onClick={() => act('discard')}
        >
          {choice ? `Discard ${target}` : 'Discard'}
        </Button>
        {!choice && (
          <Text size="sm" c="dimmed">
            Pick a reason or select messages.
          </Text>
        )}
      </Group>
      <Paper withBorder radius="md">
        <QueryState
          query={letters}
          what="refused messages"
          isEmpty={(list) => list.length === 0}
        >
          {(list) => <Letters list={list} selected={selected} toggle={toggle} />}
        </QueryState>
      </Paper>
    </Stack>
  );
}
