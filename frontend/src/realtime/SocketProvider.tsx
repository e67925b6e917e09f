/** One Socket.IO connection per signed-in session, shared by every page. */

import { createContext, useContext, useEffect, useState, type ReactNode } from 'react';
import { io, type Socket } from 'socket.io-client';
import { useAuth } from '../auth/AuthProvider';
import { SESSION_ENDED } from '../api/client';
import { readSession } from '../auth/storage';

/** Exported so component tests can hand pages a socket of their own. */
export const SocketContext = createContext<Socket | null>(null);
const ConnectedContext = createContext(false);

export function SocketProvider({ children }: { children: ReactNode }) {
  const { session, signOut } = useAuth();
  const token = session?.token;
  const [socket, setSocket] = useState<Socket | null>(null);
  const [connected, setConnected] = useState(false);

  useEffect(() => {
    if (!token) return;
    const connection = io({ path: '/socket.io/', auth: { token }, transports: ['websocket', 'polling'] });
    const endIfRefused = (code: string) => {
      // A password change here revokes this token and hands out a new one: not an end.
      const replaced = readSession()?.token !== token;
      if (SESSION_ENDED.has(code) && !replaced) {
        signOut('Your session has ended. Please sign in again.');
      }
    };
    connection.on('connect_error', (error: Error & { data?: { code?: string } }) =>
      endIfRefused(error.data?.code ?? error.message),
    );
    // The hub ends open connections whose token expired or was revoked (say, a new role).
    connection.on('session:ended', ({ code }: { code: string }) => endIfRefused(code));
    connection.on('connect', () => setConnected(true));
    connection.on('disconnect', () => setConnected(false));
    setSocket(connection);
    return () => {
      connection.disconnect();
      setSocket(null);
      setConnected(false);
    };
  }, [token, signOut]);

  return (
    <SocketContext.Provider value={socket}>
      <ConnectedContext.Provider value={connected}>{children}</ConnectedContext.Provider>
    </SocketContext.Provider>
  );
}

/** Whether live updates (alerts, chat) are flowing right now. */
export function useLiveConnection(): boolean {
  return useContext(ConnectedContext);
}

export function useSocket(): Socket | null {
  return useContext(SocketContext);
}

/** Run `handler` for every `event` the server pushes while the component is mounted. */
export function useSocketEvent<T>(event: string, handler: (payload: T) => void): void {
  const socket = useSocket();
  useEffect(() => {
    if (!socket) return;
    socket.on(event, handler);
    return () => {
      socket.off(event, handler);
    };
  }, [socket, event, handler]);
}
