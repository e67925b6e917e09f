/** Render a component the way the app does: theme, cache, session, router, socket. */

import { render } from '@testing-library/react';
import type { ReactElement, ReactNode } from 'react';
import { MemoryRouter } from 'react-router-dom';
import type { Socket } from 'socket.io-client';
import type { User } from '../api/types';
import { writeSession } from '../auth/storage';
import { makeQueryClient, Providers, ROUTER_FUTURE } from '../Providers';
import { NoticeProvider } from '../notices/NoticeCenter';
import { SocketContext } from '../realtime/SocketProvider';

export const CLIENT: User = {
  id: '11111111-1111-1111-1111-111111111111',
  username: 'ada',
  role: 'client',
  name: 'Ada Lovelace',
  email: 'ada@example.org',
  timezone: 'Europe/Berlin',
  created_at: '2024-01-01T00:00:00+00:00',
  updated_at: '2024-01-01T00:00:00+00:00',
};

export const ADMIN: User = {
  id: '22222222-2222-2222-2222-222222222222',
  username: 'admin',
  role: 'admin',
  name: 'Grace Admin',
  email: 'admin@example.org',
  timezone: 'UTC',
  created_at: '2024-01-01T00:00:00+00:00',
  updated_at: '2024-01-01T00:00:00+00:00',
};

/** A socket stand-in: the test plays the server by calling `serverEmit`. */
export class FakeSocket {
  connected = true;
  sent: Array<{ event: string; payload: unknown }> = [];
  ackWith: (event: string, payload: unknown) => unknown = () => undefined;
  private handlers = new Map<string, Set<(payload: unknown) => void>>();

  on(event: string, handler: (payload: unknown) => void) {
    if (!this.handlers.has(event)) this.handlers.set(event, new Set());
    this.handlers.get(event)!.add(handler);
    return this;
  }

  off(event: string, handler: (payload: unknown) => void) {
    this.handlers.get(event)?.delete(handler);
    return this;
  }

  emit(event: string, payload?: unknown, ack?: (error: Error | null, answer: unknown) => void) {
    this.sent.push({ event, payload });
    ack?.(null, this.ackWith(event, payload));
    return this;
  }

  timeout() {
    return this;
  }

  serverEmit(event: string, payload: unknown) {
    this.handlers.get(event)?.forEach((handler) => handler(payload));
  }
}

interface Options {
  user?: User | null;
  route?: string;
  socket?: FakeSocket;
}

export function renderApp(ui: ReactElement, { user = CLIENT, route = '/', socket }: Options = {}) {
  if (user) {
    writeSession({ token: 'test-token', expiresAt: '2999-01-01T00:00:00Z', user });
  }
  const client = makeQueryClient();
  client.setDefaultOptions({ queries: { retry: false, staleTime: 0 } });
  const wrapper = ({ children }: { children: ReactNode }) => (
    <MemoryRouter initialEntries={[route]} future={ROUTER_FUTURE}>
      <Providers client={client}>
        <SocketContext.Provider value={(socket ?? null) as unknown as Socket | null}>
          {user ? <NoticeProvider>{children}</NoticeProvider> : children}
        </SocketContext.Provider>
      </Providers>
    </MemoryRouter>
  );
  const result = render(ui, { wrapper });
  return { ...result, client };
}

/** Answer fetch calls by path: each route gives [status, body]. */
/** Answers by path prefix: `[status, body]`, or `[status, body, headers]` (a list's `X-Total-Count`). */
export function stubFetch(
  routes: Record<string, (init?: RequestInit) => [number, unknown] | [number, unknown, Record<string, string>]>,
) {
  const calls: Array<{ path: string; init?: RequestInit }> = [];
  const fetchStub = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const path = String(input);
    calls.push({ path, init });
    const key = Object.keys(routes)
      .sort((a, b) => b.length - a.length)
      .find((prefix) => path.startsWith(prefix));
    if (!key) return new Response(JSON.stringify({ error: { code: 'not_found', message: path } }), { status: 404 });
    const [status, body, headers = {}] = routes[key](init);
    return new Response(status === 204 ? null : JSON.stringify(body), {
      status,
      headers: { 'Content-Type': 'application/json', ...headers },
    });
  });
  vi.stubGlobal('fetch', fetchStub);
  return calls;
}
