/** Who wrote a chat message, as the reader should see it. */

import type { Sender } from '../api/types';

export type SenderKind = 'self' | 'bot' | 'llm' | 'admin' | 'client';

/** The bot and the LLM both have role `bot`; the LLM's name says it is one. */
const LLM_NAME = /\b(ai|llm|gemini|assistant)\b/i;

export function senderKind(sender: Sender, selfId: string): SenderKind {
  if (sender.id && sender.id === selfId) return 'self';
  if (sender.role === 'bot') return LLM_NAME.test(sender.name) ? 'llm' : 'bot';
  return sender.role === 'admin' ? 'admin' : 'client';
}

export const KIND_BADGE: Record<SenderKind, { label: string; color: string }> = {
  self: { label: 'You', color: 'blue' },
  bot: { label: 'Bot', color: 'gray' },
  llm: { label: 'AI assistant', color: 'violet' },
  admin: { label: 'Support team', color: 'teal' },
  client: { label: 'Client', color: 'orange' },
};
