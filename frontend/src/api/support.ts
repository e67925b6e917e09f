/** Support conversations over HTTP; live messages arrive over the socket. */

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from './client';
import type { ChatMessage, Conversation } from './types';

export function useConversations() {
  return useQuery({
    queryKey: ['conversations'],
    queryFn: () => api<Conversation[]>('/function/conversations'),
  });
}

export function useMessages(conversationId: string | null | undefined) {
  return useQuery({
    queryKey: ['messages', conversationId],
    queryFn: () => api<ChatMessage[]>(`/function/conversations/${conversationId}/messages`),
    enabled: Boolean(conversationId),
  });
}

/** Take over (`take`) or close (`resolve`) a conversation as an administrator. */
export function useConversationAction() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, action }: { id: string; action: 'take' | 'resolve' }) =>
      api<Conversation>(`/function/conversations/${id}/${action}`, 'POST'),
    onSuccess: () => client.invalidateQueries({ queryKey: ['conversations'] }),
  });
}
