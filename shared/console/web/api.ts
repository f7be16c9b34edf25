/** Calls to the pipeline's API (same origin) with the signed-in person's access token. */
import { freshSession, sessionEnded } from './auth.ts';
import { readSession } from './session.ts';

export interface Issue {
  code: string;
  severity?: string;
  field?: string;
  message: string;
}

export type ApiAnswer<T> =
  | { ok: true; status: number; body: T }
  | { ok: false; status: number; message: string; issues: Issue[] };

/** Thrown when the session can no longer be used: the caller shows the sign-in again. */
export class SessionEnded extends Error {}

const EXPIRED = 'Your sign-in has expired: sign in again to continue.';

export function apiGet<T>(path: string): Promise<ApiAnswer<T>> {
  return apiCall<T>('GET', path);
}

/** A write (or a read by POST) with a JSON body; refusals come back with the API's findings (code, field). */
export function apiSend<T>(
  method: 'POST' | 'PUT' | 'DELETE',
  path: string,
  body?: unknown,
): Promise<ApiAnswer<T>> {
  return apiCall<T>(method, path, body);
}

async function apiCall<T>(method: string, path: string, body?: unknown): Promise<ApiAnswer<T>> {
  const had = readSession() !== undefined;
  const session = await freshSession();
  if (!session) {
    sessionEnded(had ? EXPIRED : 'Sign in to see this page.');
    throw new SessionEnded();
  }
  const headers: Record<string, string> = {
    authorization: `Bearer ${session.accessToken}`,
    accept: 'application/json',
  };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const answer = (await res.json().catch(() => undefined)) as
    | (T & { message?: string; issues?: Issue[] })
    | undefined;
  if (res.ok) return { ok: true, status: res.status, body: answer as T };
  const issues = Array.isArray(answer?.issues) ? answer.issues : [];
  if (res.status === 401) {
    sessionEnded(issues[0]?.message ?? EXPIRED);
    throw new SessionEnded();
  }
  return { ok: false, status: res.status, message: answer?.message ?? `HTTP ${res.status}`, issues };
}
