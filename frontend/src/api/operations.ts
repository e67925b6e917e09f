/** Refused and unrouted messages (dead letters): listing, replaying, discarding. */

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, query } from './client';
import type { DeadLetter, ReasonCount } from './types';

export interface LetterFilters {
  reason?: string;
  since?: string;
}

export function useDeadLetters(filters: LetterFilters) {
  return useQuery({
    queryKey: ['dead-letters', filters],
    queryFn: () => api<DeadLetter[]>(`/function/dead-letters${query({ ...filters })}`),
  });
}

export function useReasons(since?: string) {
  return useQuery({
    queryKey: ['dead-letters', 'reasons', since],
    queryFn: () => api<ReasonCount[]>(`/function/dead-letters${query({ group: 'reason', since })}`),
  });
}

export type Choice = { ids: string[] } | { reason: string };

/** Replay or discard letters chosen by id or by reason. */
export function useResolveLetters(action: 'replay' | 'discard') {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (choice: Choice) =>
      api<Record<string, number>>(`/function/dead-letters/${action}`, 'POST', choice),
    onSuccess: () => client.invalidateQueries({ queryKey: ['dead-letters'] }),
  });
}
