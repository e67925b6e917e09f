/** Support conversations over HTTP; live messages arrive over the socket. */

import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, apiPage, query, type PageQuery } from './client';
import type { ChatMessage, Conversation } from './types';

/** A page of conversations (a client's: their one); waiting ones first by default. */
export function useConversations(params: PageQuery & { state?: string } = {}) {
  return useQuery({
    queryKey: ['conversations', params],
    queryFn: () => apiPage<Conversation>(`/function/conversations${query({ ...params })}`),
    placeholderData: keepPreviousData,
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
