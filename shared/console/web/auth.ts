/**
 * Sign-in with the authorization code flow and PKCE (S256) against the provider found by discovery; the code is
 * exchanged from the callback page; sign-out clears the session and ends the provider's (RP-initiated logout).
 */
import { type Discovery, loadConfig, loadDiscovery } from './config.ts';
import {
  type Claims,
  clearSession,
  expired,
  jwtPayload,
  readSession,
  type Session,
  saveSession,
  setFlash,
} from './session.ts';

const PENDING = 'dp.pending';

interface Pending {
  state: string;
  verifier: string;
  /** The console path to show once signed in. */
  returnTo: string;
}

const base64url = (bytes: Uint8Array) =>
  btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');

const random = (n: number) => base64url(crypto.getRandomValues(new Uint8Array(n)));

async function challengeOf(verifier: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  return base64url(new Uint8Array(digest));
}

export const redirectUri = () => `${location.origin}/callback`;

/** Sends the browser to the provider's sign-in; back at /callback, then `returnTo`. */
export async function signIn(returnTo = '/'): Promise<void> {
  const [config, d] = await Promise.all([loadConfig(), loadDiscovery()]);
  const pending: Pending = { state: random(24), verifier: random(48), returnTo };
  sessionStorage.setItem(PENDING, JSON.stringify(pending));
  const params = new URLSearchParams({
    client_id: config.clientId,
    response_type: 'code',
    redirect_uri: redirectUri(),
    scope: config.scope ?? 'openid profile',
    state: pending.state,
    code_challenge: await challengeOf(pending.verifier),
    code_challenge_method: 'S256',
  });
  location.assign(`${d.authorization_endpoint}?${params}`);
}

export class SignInError extends Error {}

/**
 * The callback: checks the state, exchanges the code (with the PKCE verifier) and keeps the tokens. Answers the
 * path to go to next.
 */
export async function completeSignIn(query: URLSearchParams): Promise<string> {
  const raw = sessionStorage.getItem(PENDING);
  sessionStorage.removeItem(PENDING);
  const pending = raw ? (JSON.parse(raw) as Pending) : undefined;
  const error = query.get('error');
  if (error)
    throw new SignInError(`The sign-in provider answered: ${query.get('error_description') ?? error}.`);
  if (!pending || query.get('state') !== pending.state)
    throw new SignInError('This sign-in was not started here, or has already been used: sign in again.');
  const code = query.get('code');
  if (!code) throw new SignInError('The sign-in provider sent no code: sign in again.');
  const [config, d] = await Promise.all([loadConfig(), loadDiscovery()]);
  const res = await fetch(d.token_endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: redirectUri(),
      client_id: config.clientId,
      code_verifier: pending.verifier,
    }),
  });
  const body = (await res.json().catch(() => ({}))) as TokenAnswer;
  if (!res.ok || !body.access_token)
    throw new SignInError(`The sign-in could not be completed: ${body.error_description ?? res.status}.`);
  saveSession(sessionOf({ ...body, access_token: body.access_token }));
  return pending.returnTo.startsWith('/') && !pending.returnTo.startsWith('//') ? pending.returnTo : '/';
}

interface TokenAnswer {
  access_token?: string;
  id_token?: string;
  refresh_token?: string;
  expires_in?: number;
  error_description?: string;
}

/** The session a token answer gives; a refresh's answer may omit the ID and refresh tokens (Cognito does). */
function sessionOf(body: TokenAnswer & { access_token: string }, before?: Session): Session {
  const access = jwtPayload(body.access_token);
  const idToken = body.id_token ?? before?.idToken;
  const id = idToken ? jwtPayload(idToken) : {};
  const exp = typeof access.exp === 'number' ? access.exp * 1000 : Date.now() + (body.expires_in ?? 0) * 1000;
  const claims: Claims = {
    sub: String(access.sub ?? id.sub ?? ''),
    ...(typeof id.name === 'string' ? { name: id.name } : {}),
    ...(typeof id.preferred_username === 'string' ? { preferred_username: id.preferred_username } : {}),
    ...(access.dp_role ? { dp_role: access.dp_role as Claims['dp_role'] } : {}),
    ...(typeof access.dp_sites === 'string' ? { dp_sites: access.dp_sites } : {}),
    ...(access.dp_access ? { dp_access: access.dp_access as Claims['dp_access'] } : {}),
  };
  const refreshToken = body.refresh_token ?? before?.refreshToken;
  return {
    accessToken: body.access_token,
    ...(idToken ? { idToken } : {}),
    ...(refreshToken ? { refreshToken } : {}),
    expiresAt: exp,
    claims,
  };
}

/** Renew a little before expiry, so a call never leaves with a token that expires on the way. */
const RENEW_BEFORE_MS = 60_000;
let renewing: Promise<Session | undefined> | undefined;

/**
 * The session with an access token good for the next minute: renewed with the refresh token when it is about
 * to expire (one renewal at a time for the whole tab). Answers undefined when there is no session or it can no
 * longer be renewed (the refresh token expired or was revoked): the person signs in again.
 */
export function freshSession(now = Date.now()): Promise<Session | undefined> {
  const session = readSession();
  if (!session) return Promise.resolve(undefined);
  if (session.expiresAt - now > RENEW_BEFORE_MS) return Promise.resolve(session);
  if (!session.refreshToken) return Promise.resolve(expired(session, now) ? undefined : session);
  renewing ??= renew(session).finally(() => {
    renewing = undefined;
  });
  return renewing;
}

async function renew(session: Session): Promise<Session | undefined> {
  try {
    const [config, d] = await Promise.all([loadConfig(), loadDiscovery()]);
    const res = await fetch(d.token_endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: session.refreshToken!,
        client_id: config.clientId,
      }),
    });
    const body = (await res.json().catch(() => ({}))) as TokenAnswer;
    if (!res.ok || !body.access_token) return undefined;
    const next = sessionOf({ ...body, access_token: body.access_token }, session);
    saveSession(next);
    return next;
  } catch {
    return undefined;
  }
}

/** Clears the session here, then ends the provider's and comes back to the home page. */
export async function signOut(): Promise<void> {
  const session = readSession();
  clearSession();
  let d: Discovery | undefined;
  try {
    d = await loadDiscovery();
  } catch {
    d = undefined;
  }
  const config = await loadConfig().catch(() => undefined);
  if (!d?.end_session_endpoint && config?.logoutEndpoint) {
    // Cognito: its own sign-out endpoint ends the hosted UI's session and comes back to logout_uri.
    const params = new URLSearchParams({ client_id: config.clientId, logout_uri: `${location.origin}/` });
    location.assign(`${config.logoutEndpoint}?${params}`);
    return;
  }
  if (!d?.end_session_endpoint || !config) {
    location.assign('/');
    return;
  }
  const params = new URLSearchParams({
    client_id: config.clientId,
    post_logout_redirect_uri: `${location.origin}/`,
    ...(session?.idToken ? { id_token_hint: session.idToken } : {}),
  });
  location.assign(`${d.end_session_endpoint}?${params}`);
}

/** The session has ended (token expired or refused): back to the home page's sign-in, saying why. */
export function sessionEnded(message: string): void {
  clearSession();
  setFlash(message);
}
