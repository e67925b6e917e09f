/** The message list, the typing indicator and the composer of one conversation. */

import { Button, Group, ScrollArea, Stack, Text, Textarea } from '@mantine/core';
import { useEffect, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import type { ChatMessage, Sender } from '../api/types';
import { MessageBubble } from './MessageBubble';
import { ErrorMessage } from '../components/ErrorMessage';

interface ChatPanelProps {
  messages: ChatMessage[];
  selfId: string;
  typing: Sender | null;
  onSend: (text: string) => Promise<unknown>;
  onTyping: (typing: boolean) => void;
  /** Why the composer is off, if it is. */
  disabledReason?: string | null;
  emptyText?: string;
  height?: number | string;
}

/** Typing stops being reported this long after the last key. */
const TYPING_IDLE_MS = 2_500;

export function ChatPanel({
  messages,
  selfId,
  typing,
  onSend,
  onTyping,
  disabledReason,
  emptyText = 'No messages yet. Ask us anything about your meters or your consumption.',
  height = 420,
}: ChatPanelProps) {
  const [draft, setDraft] = useState('');
  const [sending, setSending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const typingSince = useRef<number | null>(null);
  const idle = useRef<number>();
  const bottom = useRef<HTMLDivElement>(null);

  useEffect(() => {
    bottom.current?.scrollIntoView?.({ block: 'end' });
  }, [messages.length, typing]);
  useEffect(() => () => window.clearTimeout(idle.current), []);

  const stopTyping = () => {
    window.clearTimeout(idle.current);
    if (typingSince.current !== null) onTyping(false);
    typingSince.current = null;
  };

  const edit = (text: string) => {
    setDraft(text);
    if (typingSince.current === null && text) {
      typingSince.current = Date.now();
      onTyping(true);
    }
    window.clearTimeout(idle.current);
    idle.current = window.setTimeout(stopTyping, TYPING_IDLE_MS);
  };

  const submit = async (event?: FormEvent) => {
    event?.preventDefault();
    const text = draft.trim();
    if (!text || sending) return;
    setSending(true);
    setError(null);
    stopTyping();
    try {
      await onSend(text);
      setDraft('');
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : 'The message was not sent.');
    } finally {
      setSending(false);
    }
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === 'Enter' && !event.shiftKey) {
      event.preventDefault();
      void submit();
    }
  };

  return (
    <Stack gap="sm">
      <ScrollArea h={height} type="auto" offsetScrollbars viewportProps={{ tabIndex: 0, 'aria-label': 'Messages' }}>
        <Stack gap="xs" role="log" aria-live="polite" aria-label="Messages" p={4}>
          {messages.length === 0 && (
            <Text c="dimmed" ta="center" py="xl">
              {emptyText}
            </Text>
          )}
          {messages.map((message) => (
            <MessageBubble key={message.id} message={message} selfId={selfId} />
          ))}
          <div ref={bottom} />
        </Stack>
      </ScrollArea>
      <Text size="xs" c="dimmed" h={18} aria-live="polite" data-testid="typing-indicator">
        {typing ? `${typing.name} is typing…` : ''}
      </Text>
      <ErrorMessage message={error} />
      {disabledReason ? (
        <Text size="sm" c="dimmed">
          {disabledReason}
        </Text>
      ) : (
        <form onSubmit={submit} aria-label="Send a message">
          <Group align="flex-end" wrap="nowrap">
            <Textarea
              label="Message"
              placeholder="Write a message…"
              value={draft}
              onChange={(event) => edit(event.currentTarget.value)}
              onKeyDown={onKeyDown}
              autosize
              minRows={1}
              maxRows={5}
              style={{ flex: 1 }}
            />
            <Button type="submit" loading={sending} disabled={!draft.trim()}>
              Send
            </Button>
          </Group>
        </form>
      )}
    </Stack>
  );
}
