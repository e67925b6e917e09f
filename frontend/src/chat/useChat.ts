/** A conversation kept live: messages pushed by the hub, typing, read receipts, sending. */

import { useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useRef, useState } from 'react';
import { useMessages } from '../api/support';
import type {
  ChatMessage,
  ReadEvent,
  Role,
  Sender,
  StateEvent,
  TypingEvent,
} from '../api/types';
import { useSocket, useSocketEvent } from '../realtime/SocketProvider';

/** Someone who stopped typing without saying so (a closed tab) is forgotten after this. */
const TYPING_TIMEOUT_MS = 6_000;

type Ack = ChatMessage | { error: { code: string; message: string } };

/** Add a message to a list once, in time order. */
export function withMessage(list: ChatMessage[] | undefined, message: ChatMessage): ChatMessage[] {
  const current = list ?? [];
  if (current.some((known) => known.id === message.id)) return current;
  return [...current, message].sort((a, b) => a.sent_at.localeCompare(b.sent_at));
}

/** Mark read everything up to `event.message_id` that the reader did not write. */
export function withReceipt(list: ChatMessage[] | undefined, event: ReadEvent): ChatMessage[] {
  const current = list ?? [];
  const until = current.findIndex((message) => message.id === event.message_id);
  if (until < 0) return current;
  return current.map((message, index) =>
    index <= until && !message.read_at && message.sender.id !== event.reader_id
      ? { ...message, read_at: event.read_at }
      : message,
  );
}

/** The messages a reader acknowledges: an administrator reads the client's, a client the rest. */
export function fromOtherSide(message: ChatMessage, self: { id: string; role: Role }): boolean {
  if (self.role === 'admin') return message.sender.role === 'client';
  return message.sender.id !== self.id;
}

export function useChat(conversationId: string | null, self: { id: string; role: Role }) {
  const selfId = self.id;
  const socket = useSocket();
  const queryClient = useQueryClient();
  const messages = useMessages(conversationId);
  const [typing, setTyping] = useState<Sender | null>(null);
  const typingTimer = useRef<number>();
  const reported = useRef(new Set<string>());

  const onMessage = useCallback(
    (message: ChatMessage) => {
      queryClient.setQueryData<ChatMessage[]>(['messages', message.conversation_id], (list) =>
        withMessage(list, message),
      );
      queryClient.invalidateQueries({ queryKey: ['conversations'] });
      if (message.conversation_id === conversationId && message.sender.id !== selfId) {
        setTyping(null);
      }
    },
    [queryClient, conversationId, selfId],
  );

  const onTyping = useCallback(
    (event: TypingEvent) => {
      if (event.conversation_id !== conversationId || event.user.id === selfId) return;
      window.clearTimeout(typingTimer.current);
      setTyping(event.typing ? event.user : null);
      if (event.typing) typingTimer.current = window.setTimeout(() => setTyping(null), TYPING_TIMEOUT_MS);
    },
    [conversationId, selfId],
  );

  const onRead = useCallback(
    (event: ReadEvent) => {
      queryClient.setQueryData<ChatMessage[]>(['messages', event.conversation_id], (list) =>
        withReceipt(list, event),
      );
    },
    [queryClient],
  );

  const onState = useCallback(
    (_event: StateEvent) => queryClient.invalidateQueries({ queryKey: ['conversations'] }),
    [queryClient],
  );

  useSocketEvent('chat:message', onMessage);
  useSocketEvent('chat:typing', onTyping);
  useSocketEvent('chat:read', onRead);
  useSocketEvent('chat:state', onState);
  useEffect(() => () => window.clearTimeout(typingTimer.current), []);
  useEffect(() => setTyping(null), [conversationId]);

  // Tell the sender we read their latest message, once per message.
  useEffect(() => {
    const last = [...(messages.data ?? [])].reverse().find((m) => fromOtherSide(m, self));
    if (!socket || !last || last.read_at || reported.current.has(last.id)) return;
    reported.current.add(last.id);
    socket.emit('chat:read', { message_id: last.id });
  }, [socket, messages.data, self]);

  const send = useCallback(
    (text: string): Promise<ChatMessage> =>
      new Promise((resolve, reject) => {
        if (!socket?.connected) {
          reject(new Error('Not connected to the chat. Try again in a moment.'));
          return;
        }
        const payload = conversationId ? { text, conversation_id: conversationId } : { text };
        socket.timeout(15_000).emit('chat:send', payload, (timeout: Error | null, ack: Ack) => {
          if (timeout) reject(new Error('The chat did not answer. Try again.'));
          else if ('error' in ack) reject(new Error(ack.error.message));
          else {
            onMessage(ack);
            resolve(ack);
          }
        });
      }),
    [socket, conversationId, onMessage],
  );

  const setOwnTyping = useCallback(
    (isTyping: boolean) => {
      socket?.emit('chat:typing', { conversation_id: conversationId ?? undefined, typing: isTyping });
    },
    [socket, conversationId],
  );

  return { messages, typing, send, setOwnTyping, connected: Boolean(socket) };
}
