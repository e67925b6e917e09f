/** Who is signed in; signs out when the token expires or the API says it is no good. */

import { useQueryClient } from '@tanstack/react-query';
import {
  createContext,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useState,
  type ReactNode,
} from 'react';
import { revokeToken, setSessionEndedHandler } from '../api/client';
import type { LoginAnswer, ProfileAnswer, User } from '../api/types';
import { readSession, writeSession, type Session } from './storage';

interface AuthState {
  session: Session | null;
  /** Why the last session ended, shown on the sign-in page. */
  endedReason: string | null;
  signIn: (answer: LoginAnswer) => void;
  /** Without a reason the user chose to: the token is revoked on the server too. */
  signOut: (reason?: string) => void;
  /** Keep the saved profile, and the new token a password change hands out; return the user. */
  updateProfile: (answer: ProfileAnswer) => User;
}

const AuthContext = createContext<AuthState | null>(null);

const EXPIRED = 'Your session has ended. Please sign in again.';

export function AuthProvider({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  const [session, setSession] = useState<Session | null>(readSession);
  const [endedReason, setEndedReason] = useState<string | null>(null);

  const signOut = useCallback(
    (reason?: string) => {
      const ending = readSession();
      if (ending && reason === undefined) revokeToken(ending.token);
      writeSession(null);
      setSession(null);
      setEndedReason(reason ?? null);
      queryClient.clear();
    },
    [queryClient],
  );

  const signIn = useCallback((answer: LoginAnswer) => {
    const next = { token: answer.token, expiresAt: answer.expires_at, user: answer.user };
    writeSession(next);
    setEndedReason(null);
    setSession(next);
  }, []);

  const updateProfile = useCallback((answer: ProfileAnswer) => {
    const { token, expires_at: expiresAt, ...user } = answer;
    // Written at once, not in the state updater: the calls that follow must carry the new token.
    const current = readSession();
    if (current) {
      const next = token && expiresAt ? { token, expiresAt, user } : { ...current, user };
      writeSession(next);
      setSession(next);
    }
    return user;
  }, []);

  useEffect(() => {
    setSessionEndedHandler(() => signOut(EXPIRED));
  }, [signOut]);

  // Sign out when the token's lifetime runs out, even if no call notices it first.
  useEffect(() => {
    if (!session?.expiresAt) return;
    const remaining = Date.parse(session.expiresAt) - Date.now();
    if (Number.isNaN(remaining)) return;
    if (remaining <= 0) {
      signOut(EXPIRED);
      return;
    }
    // setTimeout cannot wait longer than about 24.8 days.
    const timer = window.setTimeout(() => signOut(EXPIRED), Math.min(remaining, 2 ** 31 - 1));
    return () => window.clearTimeout(timer);
  }, [session?.expiresAt, signOut]);

  const value = useMemo(
    () => ({ session, endedReason, signIn, signOut, updateProfile }),
    [session, endedReason, signIn, signOut, updateProfile],
  );
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthState {
  const state = useContext(AuthContext);
  if (!state) throw new Error('useAuth outside AuthProvider');
  return state;
}

/** The signed-in user; only for pages behind the sign-in guard. */
export function useCurrentUser(): User {
  const { session } = useAuth();
  if (!session) throw new Error('useCurrentUser without a session');
  return session.user;
}
