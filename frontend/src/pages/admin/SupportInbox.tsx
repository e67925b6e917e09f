/**
 * Administrators: every conversation, waiting ones first; take over, reply, resolve.
 * The list keeps the order it was first shown in (taking one over does not move it),
 * marks what the client wrote that nobody read yet, and the client's meters and open
 * alerts sit beside the conversation. On a phone the conversation replaces the list,
 * with the message box on screen.
 */

import {
  Anchor,
  Badge,
  Box,
  Button,
  Grid,
  Group,
  NavLink,
  Paper,
  Stack,
  Text,
  Title,
  VisuallyHidden,
} from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { useRef, useState } from 'react';
import { Link } from 'react-router-dom';
import { plainMessage } from '../../api/client';
import { MAX_PAGE } from '../../api/client';
import { useDevicePage } from '../../api/inventory';
import { Pager, SearchField, SortField, useListState } from '../../components/ListControls';
import { useAlerts, useSummary } from '../../api/monitoring';
import { NO_FILTERS } from '../../lib/alarms';
import { useConversationAction, useConversations } from '../../api/support';
import type { ChatMessage, Conversation } from '../../api/types';
import { useCurrentUser } from '../../auth/AuthProvider';
import { ChatPanel } from '../../chat/ChatPanel';
import { preview, stableOrder, STATE_LABEL } from '../../chat/conversations';
import { useChat } from '../../chat/useChat';
import { ErrorMessage } from '../../components/ErrorMessage';
import { OnlineBadge } from '../../components/OnlineBadge';
import { QueryState } from '../../components/QueryState';
import { dateTimeLabel, formatKwh } from '../../lib/time';

const SORTS = [
  { value: '-waiting', label: 'Waiting first' },
  { value: '-updated_at', label: 'Latest first' },
  { value: 'updated_at', label: 'Oldest first' },
  { value: 'user_name', label: "Client's name" },
];

/** Replying takes a conversation over, so only a resolved one is closed to replies. */
function composerHint(conversation: Conversation, selfId: string): string | null {
  if (conversation.state === 'human' && conversation.assigned_admin_id === selfId) return null;
  if (conversation.state === 'human') return 'Another administrator handles this; replying takes it over.';
  return 'Replying takes the conversation over; the bot goes quiet until it is resolved.';
}

/** What the client has: their meters today and the alerts they have not acknowledged. */
function ClientContext({ conversation }: { conversation: Conversation }) {
  const user = useCurrentUser();
  const devices = useDevicePage({ owner_id: conversation.user_id, limit: MAX_PAGE });
  const theirs = devices.data?.items ?? [];
  const ids = new Set(theirs.map((device) => device.id));
  const summary = useSummary({ deviceIds: [...ids] }, ids.size > 0);
  const alerts = useAlerts({ ...NO_FILTERS, state: ['open'], ownerId: conversation.user_id });
  const open = (alerts.data ?? []).filter((alert) => ids.has(alert.device_id) && !alert.acknowledged_at);
  const summaryById = new Map((summary.data?.items ?? []).map((row) => [row.device_id, row]));

  return (
    <Stack gap="sm" component="section" aria-label={`About ${conversation.user_name}`} data-testid="client-context">
      <Title order={3} size="h5">
        {conversation.user_name}'s meters
      </Title>
      <QueryState query={devices} what="their meters">
        {() =>
          theirs.length === 0 ? (
            <Text size="sm" c="gray.7">
              No meter assigned.
            </Text>
          ) : (
            <Stack gap={6} component="ul" m={0} p={0} style={{ listStyle: 'none' }}>
              {theirs.map((device) => (
                <li key={device.id} data-testid="client-meter">
                  <Group justify="space-between" wrap="nowrap" gap="xs">
                    <Anchor component={Link} to={`/devices/${device.id}`} size="sm" style={{ minWidth: 0, overflowWrap: 'anywhere' }}>
                      {device.name}
                    </Anchor>
                    <OnlineBadge summary={summaryById.get(device.id)} unavailable={summary.isError} />
                  </Group>
                  <Text size="xs" c="gray.7">
                    Today {formatKwh(summaryById.get(device.id)?.today_kwh)} · limit {formatKwh(device.max_hourly_kwh, 1)} / hour
                  </Text>
                </li>
              ))}
            </Stack>
          )
        }
      </QueryState>
      <Title order={3} size="h5">
        Open alerts
      </Title>
      {open.length === 0 ? (
        <Text size="sm" c="gray.7" data-testid="client-alerts">
          None.
        </Text>
      ) : (
        <Stack gap={4} data-testid="client-alerts">
          <Text size="sm" c="red.9" fw={600}>
            {open.length} hour{open.length === 1 ? '' : 's'} over a limit
          </Text>
          {open.slice(0, 5).map((alert) => (
            <Text size="xs" key={alert.id}>
              {theirs.find((device) => device.id === alert.device_id)?.name}: {formatKwh(alert.total_kwh)} from{' '}
              {dateTimeLabel(alert.hour_start, user.timezone)}
            </Text>
          ))}
        </Stack>
      )}
    </Stack>
  );
}

function ConversationView({ conversation, phone }: { conversation: Conversation; phone: boolean }) {
  const user = useCurrentUser();
  const chat = useChat(conversation.id, user);
  const action = useConversationAction();
  const state = STATE_LABEL[conversation.state];
  const mine = conversation.state === 'human' && conversation.assigned_admin_id === user.id;

  return (
    <Stack gap="sm">
      <Group justify="space-between" wrap="wrap" gap="xs">
        <div>
          <Title order={3} size="h4">
            {conversation.user_name}
          </Title>
          <Badge color={state.color} variant="light" data-testid="conversation-state">
            {state.label}
          </Badge>
        </div>
        <Group gap="xs">
          {!mine && conversation.state !== 'resolved' && (
            <Button
              size={phone ? 'xs' : 'sm'}
              onClick={() => action.mutate({ id: conversation.id, action: 'take' })}
              loading={action.isPending && action.variables?.action === 'take'}
            >
              Take over
            </Button>
          )}
          {conversation.state !== 'resolved' && (
            <Button
              size={phone ? 'xs' : 'sm'}
              variant="light"
              color="green"
              onClick={() => action.mutate({ id: conversation.id, action: 'resolve' })}
              loading={action.isPending && action.variables?.action === 'resolve'}
            >
              Resolve
            </Button>
          )}
        </Group>
      </Group>
      {composerHint(conversation, user.id) && (
        <Text size="xs" c="gray.7">
          {composerHint(conversation, user.id)}
        </Text>
      )}
      <ErrorMessage message={action.isError ? plainMessage(action.error) : null} />
      <QueryState query={chat.messages} what="messages">
        {(messages: ChatMessage[]) => (
          <ChatPanel
            messages={messages}
            selfId={user.id}
            typing={chat.typing}
            onSend={chat.send}
            onTyping={chat.setOwnTyping}
            emptyText="No messages in this conversation."
            // On a phone the messages take what the screen has left, so the box stays on it.
            height={phone ? 'max(160px, calc(100dvh - 400px))' : 420}
          />
        )}
      </QueryState>
    </Stack>
  );
}

export function SupportInbox() {
  const list = useListState('-waiting');
  const conversations = useConversations(list.query);
  const [selectedId, setSelectedId] = useState<string | null>(null);
  // When each conversation was last opened here: what came after is unread.
  const [openedAt, setOpenedAt] = useState<Record<string, string>>({});
  const order = useRef<string[]>([]);
  const phone = useMediaQuery('(max-width: 48em)') ?? false;

  const select = (conversation: Conversation | null) => {
    setSelectedId(conversation?.id ?? null);
    if (conversation) setOpenedAt((seen) => ({ ...seen, [conversation.id]: conversation.updated_at }));
    if (phone) window.scrollTo({ top: 0 });
  };
  const unread = (conversation: Conversation) =>
    conversation.id !== selectedId &&
    (conversation.unread ?? 0) > 0 &&
    openedAt[conversation.id] !== conversation.updated_at;

  return (
    <Stack>
      <Title order={2}>Support inbox</Title>
      {/* on a phone an open conversation has the screen to itself */}
      {!(phone && selectedId) && (
        <Group align="flex-end" gap="sm" wrap="wrap">
          <SearchField list={list} label="Find a client" placeholder="Client's name" />
          <SortField list={list} options={SORTS} />
        </Group>
      )}
      <QueryState
        query={conversations}
        what="conversations"
        isEmpty={(page) => page.total === 0}
        empty={list.query.q ? `No conversation matches “${list.query.q}”.` : 'No conversations yet.'}
      >
        {({ items, total }) => {
          order.current = stableOrder(order.current, items);
          const byId = new Map(items.map((conversation) => [conversation.id, conversation]));
          const ordered = order.current.map((id) => byId.get(id)!).filter(Boolean);
          const selected = ordered.find((conversation) => conversation.id === selectedId);
          const showList = !phone || !selected;
          return (
            <Grid>
              {showList && (
                <Grid.Col span={{ base: 12, md: 4, lg: 3 }}>
                  <Paper withBorder radius="md" p={4} component="nav" aria-label="Conversations">
                    {ordered.map((conversation) => {
                      const state = STATE_LABEL[conversation.state];
                      const isUnread = unread(conversation);
                      return (
                        <NavLink
                          key={conversation.id}
                          component="button"
                          active={conversation.id === selectedId}
                          onClick={() => select(conversation)}
                          data-testid="conversation-item"
                          data-unread={isUnread}
                          leftSection={
                            <Box
                              w={8}
                              h={8}
                              style={{ borderRadius: 4, visibility: isUnread ? 'visible' : 'hidden' }}
                              bg="blue.7"
                              aria-hidden
                            />
                          }
                          label={
                            <Group justify="space-between" wrap="nowrap" gap="xs">
                              <Text size="sm" fw={isUnread ? 800 : 600} truncate>
                                {conversation.user_name}
                                {isUnread && <VisuallyHidden>, {conversation.unread} unread</VisuallyHidden>}
                              </Text>
                              <Badge size="xs" color={state.color} variant="light" style={{ flexShrink: 0 }}>
                                {state.label}
                              </Badge>
                            </Group>
                          }
                          description={
                            <>
                              <Text size="xs" truncate component="span" display="block" fw={isUnread ? 600 : undefined}>
                                {preview(conversation)}
                              </Text>
                              <Text size="xs" c="gray.7" component="span">
                                {dateTimeLabel(conversation.updated_at)}
                              </Text>
                            </>
                          }
                        />
                      );
                    })}
                    <Box p={4}>
                      <Pager list={list} total={total} what="conversations" />
                    </Box>
                  </Paper>
                </Grid.Col>
              )}
              {(!phone || selected) && (
                <Grid.Col span={{ base: 12, md: 8, lg: 6 }}>
                  <Paper withBorder radius="md" p={phone ? 'xs' : 'md'}>
                    {selected ? (
                      <Stack gap="xs">
                        {phone && (
                          <Button variant="subtle" size="compact-sm" onClick={() => select(null)} style={{ alignSelf: 'flex-start' }}>
                            ‹ All conversations
                          </Button>
                        )}
                        <ConversationView key={selected.id} conversation={selected} phone={phone} />
                      </Stack>
                    ) : (
                      <Text c="gray.7" ta="center" py="xl">
                        Pick a conversation to read it.
                      </Text>
                    )}
                  </Paper>
                </Grid.Col>
              )}
              {selected && (
                <Grid.Col span={{ base: 12, lg: 3 }}>
                  <Paper withBorder radius="md" p="md">
                    <ClientContext conversation={selected} />
                  </Paper>
                </Grid.Col>
              )}
            </Grid>
          );
        }}
      </QueryState>
    </Stack>
  );
}
