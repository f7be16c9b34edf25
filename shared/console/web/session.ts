/**
 * The signed-in session, kept in sessionStorage (per tab, gone when it closes; never localStorage): the tokens,
 * when the access token expires, and the claims the console shows (role, sites, access).
 */
export interface Claims {
  sub: string;
  name?: string;
  preferred_username?: string;
  dp_role?: 'site' | 'program' | 'admin';
  dp_sites?: string;
  dp_access?: 'read' | 'write';
}

export interface Session {
  accessToken: string;
  idToken?: string;
  /** Gets a new access token when this one expires, until the provider's session ends (Cognito: 12 h). */
  refreshToken?: string;
  /** Epoch milliseconds. */
  expiresAt: number;
  claims: Claims;
}

const SESSION = 'dp.session';
const FLASH = 'dp.flash';

export function readSession(): Session | undefined {
  const raw = sessionStorage.getItem(SESSION);
  if (!raw) return undefined;
  try {
    return JSON.parse(raw) as Session;
  } catch {
    sessionStorage.removeItem(SESSION);
    return undefined;
  }
}

export function saveSession(s: Session): void {
  sessionStorage.setItem(SESSION, JSON.stringify(s));
}

export function clearSession(): void {
  sessionStorage.removeItem(SESSION);
}

export const expired = (s: Session, now = Date.now()) => s.expiresAt <= now;

/** A message for the next page shown (e.g. why the person was signed out). */
export function setFlash(message: string): void {
  sessionStorage.setItem(FLASH, message);
}

export function takeFlash(): string | undefined {
  const m = sessionStorage.getItem(FLASH) ?? undefined;
  sessionStorage.removeItem(FLASH);
  return m;
}

/** The payload of a JWT, unverified: for display only (the API verifies every token it is given). */
export function jwtPayload(token: string): Record<string, unknown> {
  const part = token.split('.')[1] ?? '';
  const b64 = part
    .replace(/-/g, '+')
    .replace(/_/g, '/')
    .padEnd(Math.ceil(part.length / 4) * 4, '=');
  const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  return JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;
}

/** Who the person is, in words: "Site staff (read-write) for CAIRDEMO01". */
export function roleLabel(c: Claims): string {
  if (c.dp_role === 'site')
    return c.dp_access === 'write' ? 'Site staff (read-write)' : 'Site staff (read-only)';
  if (c.dp_role === 'program') return 'Program staff';
  if (c.dp_role === 'admin') return 'Administrator';
  return 'No role';
}

export const sitesOf = (c: Claims) => (c.dp_sites ?? '').split(' ').filter(Boolean);
