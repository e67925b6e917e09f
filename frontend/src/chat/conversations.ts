/** Conversation order and wording shared by the client's chat and the administrators' inbox. */

import type { Conversation, ConversationState } from '../api/types';

const STATE_ORDER: Record<ConversationState, number> = { waiting: 0, human: 1, bot: 2, resolved: 3 };

export const STATE_LABEL: Record<ConversationState, { label: string; color: string }> = {
  waiting: { label: 'Waiting for a human', color: 'red' },
  human: { label: 'With an administrator', color: 'teal' },
  bot: { label: 'With the bot', color: 'gray' },
  resolved: { label: 'Resolved', color: 'green' },
};

/** Waiting ones first, then by the latest activity. */
export function inboxOrder(list: Conversation[]): Conversation[] {
  return [...list].sort(
    (a, b) =>
      STATE_ORDER[a.state] - STATE_ORDER[b.state] || b.updated_at.localeCompare(a.updated_at),
  );
}

/** The conversation a client writes in: the open one, else the latest. */
export function currentConversation(list: Conversation[]): Conversation | null {
  const latest = [...list].sort((a, b) => b.updated_at.localeCompare(a.updated_at));
  return latest.find((conversation) => conversation.state !== 'resolved') ?? latest[0] ?? null;
}

export function preview(conversation: Conversation): string {
  return conversation.last_message?.text ?? 'No messages yet';
}

/**
 * The inbox's order as the administrator first saw it: conversations already listed keep
 * their place (a take-over or a reply must not move rows under the pointer), new ones go
 * on top in inbox order, and gone ones leave.
 */
export function stableOrder(previous: string[], list: Conversation[]): string[] {
  const present = new Set(list.map((conversation) => conversation.id));
  const known = new Set(previous);
  const kept = previous.filter((id) => present.has(id));
  const fresh = inboxOrder(list.filter((conversation) => !known.has(conversation.id)));
  return [...fresh.map((conversation) => conversation.id), ...kept];
}
