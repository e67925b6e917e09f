/** The one way the app talks HTTP: same origin, bearer token, JSON errors as ApiError. */

import { readSession } from '../auth/storage';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fields: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/**
 * What went wrong, in words for the person using the app: a 4xx says what to change
 * (the API writes those for users), anything on the server's side gets a plain apology
 * instead of its developer-facing text ("the function failed; see its log").
 */
export function plainMessage(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.status === 0) return error.message;
    if (error.status === 429) return 'Too many requests just now. Wait a moment and try again.';
    if (error.status >= 500 || error.status < 400) {
      return 'Something went wrong on our side, and nothing was changed. Try again in a moment.';
    }
    return error.message;
  }
  if (error instanceof Error && error.message) return error.message;
  return 'Something went wrong. Try again.';
}

/** Codes that mean the stored token is no good any more: the user must sign in again. */
export const SESSION_ENDED = new Set(['token_expired', 'invalid_token', 'token_revoked']);

let onSessionEnded: (reason: string) => void = () => {};

/** The auth provider registers here so any call can end the session. */
export function setSessionEndedHandler(handler: (reason: string) => void): void {
  onSessionEnded = handler;
}

async function errorFrom(response: Response): Promise<ApiError> {
  try {
    const body = await response.json();
    const error = body?.error ?? {};
    return new ApiError(
      response.status,
      error.code ?? `http_${response.status}`,
      error.message ?? response.statusText,
      error.fields ?? {},
    );
  } catch {
    return new ApiError(
      response.status,
      `http_${response.status}`,
      response.statusText || 'The server did not answer as expected.',
    );
  }
}

/** Send a request to /function/...; resolve to the raw Response when it is a 2xx. */
export async function send(path: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  const session = readSession();
  if (session) headers.set('Authorization', `Bearer ${session.token}`);
  if (init.body !== undefined && !headers.has('Content-Type')) {
    headers.set('Content-Type', 'application/json');
  }
  let response: Response;
  try {
    response = await fetch(path, { ...init, headers });
  } catch {
    throw new ApiError(0, 'network', 'The server cannot be reached. Check your connection.');
  }
  if (response.ok) return response;
  const error = await errorFrom(response);
  if (response.status === 401 && SESSION_ENDED.has(error.code)) onSessionEnded(error.code);
  throw error;
}

/**
 * Tell the server this token is signed out, so that a copy of it (a shared computer,
 * a leaked log) is refused from now on. Best effort: signing out here never waits.
 */
export function revokeToken(token: string): void {
  fetch('/function/auth-logout', {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}` },
    keepalive: true,
  }).catch(() => {});
}

/** JSON in, JSON out; 204 gives undefined. */
export async function api<T>(path: string, method = 'GET', body?: unknown): Promise<T> {
  const response = await send(path, {
    method,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}

/** A query string from the defined values only. */
export function query(params: Record<string, string | number | boolean | undefined | null>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

/** One page of a list and how many rows the whole list holds (`X-Total-Count`). */
export interface Page<T> {
  items: T[];
  total: number;
}

/** What every list call takes: `q` to search, `sort` (`-` for descending), a window. */
export interface PageQuery {
  q?: string;
  sort?: string;
  limit?: number;
  offset?: number;
}

/** The most rows one list call gives. */
export const MAX_PAGE = 500;

export async function apiPage<T>(path: string): Promise<Page<T>> {
  const response = await send(path);
  const items = (await response.json()) as T[];
  const total = Number(response.headers.get('X-Total-Count') ?? items.length);
  return { items, total: Number.isFinite(total) ? total : items.length };
}
