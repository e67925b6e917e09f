/** One Socket.IO connection per signed-in session, shared by every page. */

import { createContext, useContext, useEffect, useState, type ReactNode } from 'react';
import { io, type Socket } from 'socket.io-client';
import { useAuth } from '../auth/AuthProvider';
import { SESSION_ENDED } from '../api/client';

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
    connection.on('connect_error', (error: Error & { data?: { code?: string } }) => {
      const code = error.data?.code ?? error.message;
      if (SESSION_ENDED.has(code)) {
        signOut('Your session has ended. Please sign in again.');
      }
    });
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
