/** What the hub says has changed is fetched again: a meter going offline or coming back. */

import { useQueryClient } from '@tanstack/react-query';
import { useCallback } from 'react';
import { useSocketEvent } from './SocketProvider';

export function LiveRefresh() {
  const client = useQueryClient();
  const refresh = useCallback(() => client.invalidateQueries({ queryKey: ['summary'] }), [client]);
  useSocketEvent('device:status', refresh);
  return null;
}
