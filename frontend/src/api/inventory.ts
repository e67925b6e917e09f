/** Devices and their assignment to users. */

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from './client';
import type { Device, DeviceInput } from './types';

export function useDevices() {
  return useQuery({ queryKey: ['devices'], queryFn: () => api<Device[]>('/function/devices') });
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
