/**
 * Sign-in with the authorization code flow and PKCE (S256) against the provider found by discovery; the code is
 * exchanged from the callback page; sign-out clears the session and ends the provider's (RP-initiated logout).
 */
import { type Discovery, loadConfig, loadDiscovery } from './config.ts';
import { type Claims, clearSession, jwtPayload, readSession, saveSession, setFlash } from './session.ts';

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
  const body = (await res.json().catch(() => ({}))) as {
    access_token?: string;
    id_token?: string;
    expires_in?: number;
    error_description?: string;
  };
  if (!res.ok || !body.access_token)
    throw new SignInError(`The sign-in could not be completed: ${body.error_description ?? res.status}.`);
  const access = jwtPayload(body.access_token);
  const id = body.id_token ? jwtPayload(body.id_token) : {};
  const exp = typeof access.exp === 'number' ? access.exp * 1000 : Date.now() + (body.expires_in ?? 0) * 1000;
  const claims: Claims = {
    sub: String(access.sub ?? id.sub ?? ''),
    ...(typeof id.name === 'string' ? { name: id.name } : {}),
    ...(typeof id.preferred_username === 'string' ? { preferred_username: id.preferred_username } : {}),
    ...(access.dp_role ? { dp_role: access.dp_role as Claims['dp_role'] } : {}),
    ...(typeof access.dp_sites === 'string' ? { dp_sites: access.dp_sites } : {}),
    ...(access.dp_access ? { dp_access: access.dp_access as Claims['dp_access'] } : {}),
  };
  saveSession({ accessToken: body.access_token, idToken: body.id_token, expiresAt: exp, claims });
  return pending.returnTo.startsWith('/') && !pending.returnTo.startsWith('//') ? pending.returnTo : '/';
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
  if (!d?.end_session_endpoint) {
    location.assign('/');
    return;
  }
  const config = await loadConfig();
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
