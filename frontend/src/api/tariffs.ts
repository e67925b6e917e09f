/** Tariffs (administrators): what a kWh costs by time of use and date. */

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from './client';
import type { Tariff, TariffInput } from './types';

export function useTariffs(enabled = true) {
  return useQuery({ queryKey: ['tariffs'], queryFn: () => api<Tariff[]>('/function/tariffs'), enabled });
}

export function useSaveTariff() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, input }: { id?: string; input: TariffInput }) =>
      id ? api<Tariff>(`/function/tariffs/${id}`, 'PUT', input) : api<Tariff>('/function/tariffs', 'POST', input),
    onSuccess: () => {
      client.invalidateQueries({ queryKey: ['tariffs'] });
      client.invalidateQueries({ queryKey: ['consumption'] });
    },
  });
}

export function useDeleteTariff() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api<void>(`/function/tariffs/${id}`, 'DELETE'),
    onSuccess: () => client.invalidateQueries({ queryKey: ['tariffs'] }),
  });
}
