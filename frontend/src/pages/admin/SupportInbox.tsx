/** Administrators: every conversation, waiting ones first; take over, reply, resolve. */

import {
  Badge,
  Button,
  Grid,
  Group,
  NavLink,
  Paper,
  Stack,
  Text,
  Title,
} from '@mantine/core';
import { useState } from 'react';
import { useConversationAction, useConversations } from '../../api/support';
import type { ChatMessage, Conversation } from '../../api/types';
import { useCurrentUser } from '../../auth/AuthProvider';
import { ChatPanel } from '../../chat/ChatPanel';
import { inboxOrder, preview, STATE_LABEL } from '../../chat/conversations';
import { useChat } from '../../chat/useChat';
import { QueryState } from '../../components/QueryState';
import { dateTimeLabel } from '../../lib/time';
import { ErrorMessage } from '../../components/ErrorMessage';

/** Replying takes a conversation over, so only a resolved one is closed to replies. */
function composerHint(conversation: Conversation, selfId: string): string | null {
  if (conversation.state === 'human' && conversation.assigned_admin_id === selfId) return null;
  if (conversation.state === 'human') return 'Another administrator handles this; replying takes it over.';
  return 'Replying takes the conversation over; the bot goes quiet until it is resolved.';
}

function ConversationView({ conversation }: { conversation: Conversation }) {
  const user = useCurrentUser();
  const chat = useChat(conversation.id, user);
  const action = useConversationAction();
  const state = STATE_LABEL[conversation.state];
  const mine = conversation.state === 'human' && conversation.assigned_admin_id === user.id;

  return (
    <Stack>
      <Group justify="space-between" wrap="wrap">
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
              onClick={() => action.mutate({ id: conversation.id, action: 'take' })}
              loading={action.isPending && action.variables?.action === 'take'}
            >
              Take over
            </Button>
          )}
          {conversation.state !== 'resolved' && (
            <Button
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
        <Text size="xs" c="dimmed">
          {composerHint(conversation, user.id)}
        </Text>
      )}
      <ErrorMessage message={action.isError ? action.error.message : null} />
      <QueryState query={chat.messages} what="messages">
        {(messages: ChatMessage[]) => (
          <ChatPanel
            messages={messages}
            selfId={user.id}
            typing={chat.typing}
            onSend={chat.send}
            onTyping={chat.setOwnTyping}
            emptyText="No messages in this conversation."
          />
        )}
      </QueryState>
    </Stack>
  );
}

export function SupportInbox() {
  const conversations = useConversations();
  const [selectedId, setSelectedId] = useState<string | null>(null);

  return (
    <Stack>
      <Title order={2}>Support inbox</Title>
      <QueryState
        query={conversations}
        what="conversations"
        isEmpty={(list) => list.length === 0}
        empty="No conversations yet."
      >
        {(list) => {
          const ordered = inboxOrder(list);
          const selected = ordered.find((conversation) => conversation.id === selectedId);
          return (
            <Grid>
              <Grid.Col span={{ base: 12, md: 4 }}>
                <Paper withBorder radius="md" p={4} component="nav" aria-label="Conversations">
                  {ordered.map((conversation) => {
                    const state = STATE_LABEL[conversation.state];
                    return (
                      <NavLink
                        key={conversation.id}
                        active={conversation.id === selectedId}
                        onClick={() => setSelectedId(conversation.id)}
                        data-testid="conversation-item"
                        label={
                          <Group justify="space-between" wrap="nowrap" gap="xs">
                            <Text size="sm" fw={600} truncate>
                              {conversation.user_name}
                            </Text>
                            <Badge size="xs" color={state.color} variant="light">
                              {state.label}
                            </Badge>
                          </Group>
                        }
                        description={
                          <>
                            <Text size="xs" truncate component="span" display="block">
                              {preview(conversation)}
                            </Text>
                            <Text size="xs" c="dimmed" component="span">
                              {dateTimeLabel(conversation.updated_at)}
                            </Text>
                          </>
                        }
                      />
                    );
                  })}
                </Paper>
              </Grid.Col>
              <Grid.Col span={{ base: 12, md: 8 }}>
                <Paper withBorder radius="md" p="md">
                  {selected ? (
                    <ConversationView key={selected.id} conversation={selected} />
                  ) : (
                    <Text c="dimmed" ta="center" py="xl">
                      Pick a conversation to read it.
                    </Text>
                  )}
                </Paper>
              </Grid.Col>
            </Grid>
          );
        }}
      </QueryState>
    </Stack>
  );
}
