/** Devices and their assignment to users. */

import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, apiPage, MAX_PAGE, query, type PageQuery } from './client';
import type { Device, DeviceInput, GatewayCredential, GatewayFields, MeterCredential } from './types';

/** The first (largest) page of devices by name: for looking names up, not for listing. */
export function useDevices() {
  return useQuery({
    queryKey: ['devices', 'names'],
    queryFn: () => api<Device[]>(`/function/devices${query({ limit: MAX_PAGE })}`),
  });
}

/** One page of devices as the list shows it; `owner_id` keeps one user's. */
export function useDevicePage(params: PageQuery & { owner_id?: string }, enabled = true) {
  return useQuery({
    queryKey: ['devices', 'page', params],
    queryFn: () => apiPage<Device>(`/function/devices${query({ ...params })}`),
    placeholderData: keepPreviousData,
    enabled,
  });
}

export function useDevice(id: string | undefined) {
  return useQuery({
    queryKey: ['devices', id],
    queryFn: () => api<Device>(`/function/devices/${id}`),
    enabled: Boolean(id),
  });
}

export function useSaveDevice() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, input }: { id?: string; input: DeviceInput }) =>
      id
        ? api<Device>(`/function/devices/${id}`, 'PUT', input)
        : api<Device>('/function/devices', 'POST', input),
    onSuccess: () => client.invalidateQueries({ queryKey: ['devices'] }),
  });
}

export function useDeleteDevice() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api<void>(`/function/devices/${id}`, 'DELETE'),
    onSuccess: () => client.invalidateQueries({ queryKey: ['devices'] }),
  });
}

/** Assign a device to a user, or unassign it with `userId: null`. */
export function useAssignDevice() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ deviceId, userId }: { deviceId: string; userId: string | null }) =>
      api<Device>('/function/device-assign', 'POST', { device_id: deviceId, user_id: userId }),
    onSuccess: () => {
      client.invalidateQueries({ queryKey: ['devices'] });
      client.invalidateQueries({ queryKey: ['summary'] });
    },
  });
}

export function useCredentials(deviceId: string | undefined) {
  return useQuery({
    queryKey: ['credentials', deviceId],
    queryFn: () => api<MeterCredential[]>(`/function/devices/${deviceId}/credentials`),
    enabled: Boolean(deviceId),
    // "last used" moves with every meter's login: always fetch when the list is opened
    staleTime: 0,
  });
}

/** A new credential for the device; its answer holds the secret, the only time it is seen. */
export function useCreateCredential(deviceId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => api<MeterCredential>(`/function/devices/${deviceId}/credentials`, 'POST'),
    onSuccess: () => client.invalidateQueries({ queryKey: ['credentials', deviceId] }),
  });
}

export function useRevokeCredential(deviceId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (credentialId: string) =>
      api<void>(`/function/devices/${deviceId}/credentials/${credentialId}`, 'DELETE'),
    onSuccess: () => client.invalidateQueries({ queryKey: ['credentials', deviceId] }),
  });
}

export function useGateways() {
  return useQuery({
    queryKey: ['gateways'],
    queryFn: () => api<GatewayCredential[]>('/function/gateways'),
    staleTime: 0, // "last used" moves with every call a gateway makes
  });
}

/** Make a gateway credential (its answer holds the secret, seen only then) or change one. */
export function useSaveGateway() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, fields }: { id?: string; fields: GatewayFields }) =>
      id
        ? api<GatewayCredential>(`/function/gateways/${id}`, 'PUT', fields)
        : api<GatewayCredential>('/function/gateways', 'POST', fields),
    onSuccess: () => client.invalidateQueries({ queryKey: ['gateways'] }),
  });
}

export function useRevokeGateway() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api<void>(`/function/gateways/${id}`, 'DELETE'),
    onSuccess: () => client.invalidateQueries({ queryKey: ['gateways'] }),
  });
}
