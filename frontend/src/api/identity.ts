/** Sign-in, sign-up, profile and the administrators' user management. */

import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, apiPage, MAX_PAGE, query, type PageQuery } from './client';
import { useAuth } from '../auth/AuthProvider';
import { useSocket } from '../realtime/SocketProvider';
import type { LoginAnswer, ProfileAnswer, User, UserInput } from './types';

export const login = (username: string, password: string) =>
  api<LoginAnswer>('/function/auth-login', 'POST', { username, password });

export const register = (input: UserInput) => api<User>('/function/auth-register', 'POST', input);

/** Users matching `q` (the first, largest page): for pickers and looking names up. */
export function useUsers(q = '') {
  return useQuery({
    queryKey: ['users', 'names', q],
    queryFn: () => api<User[]>(`/function/users${query({ q, limit: MAX_PAGE })}`),
  });
}

/** One page of users as the administrators' list shows it. */
export function useUserPage(params: PageQuery & { role?: string }) {
  return useQuery({
    queryKey: ['users', 'page', params],
    queryFn: () => apiPage<User>(`/function/users${query({ ...params })}`),
    placeholderData: keepPreviousData,
  });
}

export function useMe() {
  return useQuery({ queryKey: ['me'], queryFn: () => api<User>('/function/users/me') });
}

export function useUpdateMe() {
  const client = useQueryClient();
  const { updateProfile } = useAuth();
  const socket = useSocket();
  return useMutation({
    mutationFn: async (input: UserInput) => {
      // A new password revokes this browser's token too, and the hub would end the live
      // connection as revoked: leave it first; the new token opens a new one.
      const leaving = Boolean(input.password) && socket?.connected;
      if (leaving) socket?.disconnect();
      try {
        return await api<ProfileAnswer>('/function/users/me', 'PUT', input);
      } catch (error) {
        if (leaving) socket?.connect();
        throw error;
      }
    },
    // A new time zone changes every day and hour the API answers with: fetch them again,
    // with the new token first when a password change revoked the old one.
    onSuccess: (answer) => {
      client.setQueryData(['me'], updateProfile(answer));
      client.invalidateQueries({ predicate: (query) => query.queryKey[0] !== 'me' });
    },
  });
}

export function useSaveUser() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, input }: { id?: string; input: UserInput }) =>
      id
        ? api<User>(`/function/users/${id}`, 'PUT', input)
        : api<User>('/function/users', 'POST', input),
    onSuccess: () => client.invalidateQueries({ queryKey: ['users'] }),
  });
}

export function useDeleteUser() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api<void>(`/function/users/${id}`, 'DELETE'),
    onSuccess: () => {
      client.invalidateQueries({ queryKey: ['users'] });
      client.invalidateQueries({ queryKey: ['devices'] });
    },
  });
}
