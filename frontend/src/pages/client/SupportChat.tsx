/** A client's support chat: the bot first, the AI assistant next, an administrator on request. */

import { Alert, Badge, Group, Paper, Stack, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { useConversations } from '../../api/support';
import type { ChatMessage } from '../../api/types';
import { useCurrentUser } from '../../auth/AuthProvider';
import { ChatPanel } from '../../chat/ChatPanel';
import { currentConversation, STATE_LABEL } from '../../chat/conversations';
import { useChat } from '../../chat/useChat';
import { QueryState } from '../../components/QueryState';

function ClientChat({ initialId }: { initialId: string | null }) {
  const user = useCurrentUser();
  // The first message opens a conversation; its id comes back with the acknowledgement.
  const [openedId, setOpenedId] = useState<string | null>(initialId);
  const chat = useChat(openedId, user);
  const send = async (text: string) => {
    const message = await chat.send(text);
    setOpenedId(message.conversation_id);
  };
  const panel = (messages: ChatMessage[]) => (
    <ChatPanel
      messages={messages}
      selfId={user.id}
      typing={chat.typing}
      onSend={send}
      onTyping={chat.setOwnTyping}
    />
  );
  if (!openedId) return panel([]);
  return (
    <QueryState query={chat.messages} what="messages">
      {panel}
    </QueryState>
  );
}

export function SupportChat() {
  const conversations = useConversations();
  return (
    <Stack maw={760}>
      <Title order={2}>Support</Title>
      <Text size="sm" c="dimmed">
        Our bot answers common questions at once and an AI assistant helps with the rest. Write
        “I want to talk to a human” to reach an administrator.
      </Text>
      <QueryState query={conversations} what="your conversation">
        {(list) => {
          const current = currentConversation(list.items);
          const state = current ? STATE_LABEL[current.state] : null;
          return (
            <Paper withBorder p="md" radius="md">
              <Stack>
                {state && (
                  <Group justify="space-between">
                    <Badge color={state.color} variant="light" data-testid="conversation-state">
                      {state.label}
                    </Badge>
                  </Group>
                )}
                {current?.state === 'waiting' && (
                  <Alert color="yellow" role="status">
                    An administrator will join this conversation soon.
                  </Alert>
                )}
                <ClientChat key={current?.id ?? 'new'} initialId={current?.id ?? null} />
              </Stack>
            </Paper>
          );
        }}
      </QueryState>
    </Stack>
  );
}
