/** The signed-in session, kept in localStorage so a reload keeps the user signed in. */

import type { User } from '../api/types';

export interface Session {
  token: string;
  expiresAt: string;
  user: User;
}

const KEY = 'ems.session';

export function readSession(): Session | null {
  try {
    const raw = localStorage.getItem(KEY);
    if (!raw) return null;
    const session = JSON.parse(raw) as Session;
    return session?.token && session.user ? session : null;
  } catch {
    return null;
  }
}

export function writeSession(session: Session | null): void {
  if (session) localStorage.setItem(KEY, JSON.stringify(session));
  else localStorage.removeItem(KEY);
}
