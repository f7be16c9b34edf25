import { createHash, randomBytes } from 'node:crypto';
import { createRemoteJWKSet, errors, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  API_RESOURCE,
  CONSOLE_CLIENT_ID,
  type OidcStandin,
  startOidcStandin,
} from '../../local/standins/oidc.ts';

/** Issue 16: the local OpenID provider `npm start` runs, driven as a browser and a machine client would. */

const CALLBACK = 'http://127.0.0.1:9/callback';
const SIGNED_OUT = 'http://127.0.0.1:9/signed-out';
const TTL = 600;

const users = [
  {
    username: 'site-writer',
    password: 'right horse battery',
    name: 'Site Writer',
    dp_role: 'site' as const,
    dp_sites: 'SITEA SITEB',
    dp_access: 'write' as const,
  },
  { username: 'program', password: 'program pass', name: 'Program Staff', dp_role: 'program' as const },
];
const machine = {
  clientId: 'site-SITEA',
  clientSecret: 'machine-secret-a',
  dp_role: 'site' as const,
  dp_sites: 'SITEA',
  dp_access: 'write' as const,
};
const postMachine = {
  clientId: 'site-SITEB',
  clientSecret: 'machine-secret-b',
  authMethod: 'client_secret_post' as const,
  dp_role: 'site' as const,
  dp_sites: 'SITEB',
};

let op: OidcStandin;
let discovery: Record<string, string>;
let keys: ReturnType<typeof createRemoteJWKSet>;
const warnings: string[] = [];

beforeAll(async () => {
  const warn = vi.spyOn(console, 'warn').mockImplementation((...args) => void warnings.push(args.join(' ')));
  op = await startOidcStandin({
    users,
    clients: [machine, postMachine],
    console: { redirectUris: [CALLBACK], postLogoutRedirectUris: [SIGNED_OUT] },
    accessTokenTtlSeconds: TTL,
  });
  warn.mockRestore();
  discovery = (await (await fetch(`${op.issuer}/.well-known/openid-configuration`)).json()) as Record<
    string,
    string
  >;
  keys = createRemoteJWKSet(new URL(discovery.jwks_uri!));
});
afterAll(() => op?.stop());

const verify = (token: string) =>
  jwtVerify(token, keys, { issuer: op.issuer, audience: API_RESOURCE, algorithms: ['RS256'] });

const form = (fields: Record<string, string>) => new URLSearchParams(fields);

/** A cookie jar of one browser: paths are ignored (oidc-provider's cookie names do not collide). */
class Browser {
  private cookies = new Map<string, string>();

  async get(url: string): Promise<Response> {
    return this.send(url, { method: 'GET' });
  }

  async post(url: string, fields: Record<string, string>): Promise<Response> {
    return this.send(url, { method: 'POST', body: form(fields) });
  }

  private async send(url: string, init: RequestInit): Promise<Response> {
    const cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await fetch(new URL(url, op.issuer), {
      ...init,
      redirect: 'manual',
      headers: cookie ? { cookie } : {},
    });
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const at = pair!.indexOf('=');
      const name = pair!.slice(0, at);
      const value = pair!.slice(at + 1);
      if (!value || /expires=Thu, 01 Jan 1970/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return res;
  }

  /** Follows redirects within the provider; stops at a page (answered with it) or at a redirect elsewhere. */
  async follow(url: string): Promise<{ page?: Response; redirect?: URL }> {
    let res = await this.get(url);
    for (let hops = 0; hops < 10; hops++) {
      if (res.status < 300 || res.status >= 400) return { page: res };
      const location = new URL(res.headers.get('location')!, op.issuer);
      if (location.origin !== op.issuer) return { redirect: location };
      res = await this.get(location.href);
    }
    throw new Error('too many redirects');
  }
}

function pkce() {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

function authorizeUrl(challenge: string | undefined, state = 'st-1'): string {
  const params = new URLSearchParams({
    client_id: CONSOLE_CLIENT_ID,
    response_type: 'code',
    redirect_uri: CALLBACK,
    scope: 'openid profile',
    state,
    ...(challenge ? { code_challenge: challenge, code_challenge_method: 'S256' } : {}),
  });
  return `${discovery.authorization_endpoint}?${params}`;
}

const formAction = (html: string) => html.match(/<form[^>]*action="([^"]+)"/)![1]!.replaceAll('&amp;', '&');

async function signIn(browser: Browser, username: string, password: string) {
  const { verifier, challenge } = pkce();
  const start = await browser.follow(authorizeUrl(challenge));
  const html = await start.page!.text();
  const res = await browser.post(formAction(html), { username, password });
  const { redirect } = await browser.follow(new URL(res.headers.get('location')!, op.issuer).href);
  return { verifier, redirect: redirect! };
}

const exchange = (code: string, verifier: string | undefined) =>
  fetch(discovery.token_endpoint!, {
    method: 'POST',
    body: form({
      grant_type: 'authorization_code',
      code,
      redirect_uri: CALLBACK,
      client_id: CONSOLE_CLIENT_ID,
      ...(verifier ? { code_verifier: verifier } : {}),
    }),
  });

describe('the local OpenID provider', () => {
  it('starts without oidc-provider warnings and publishes discovery for its issuer', () => {
    expect(warnings.filter((w) => w.includes('oidc-provider'))).toEqual([]);
    expect(op.issuer).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(discovery).toMatchObject({
      issuer: op.issuer,
      token_endpoint: op.tokenEndpoint,
      end_session_endpoint: `${op.issuer}/session/end`,
    });
    expect(discovery.code_challenge_methods_supported).toEqual(['S256']);
  });

  it('client credentials: a JWT for the API with the client’s dp_* claims, RS256, for its lifetime', async () => {
    const res = await fetch(op.tokenEndpoint, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${machine.clientId}:${machine.clientSecret}`).toString('base64')}`,
      },
      body: form({ grant_type: 'client_credentials' }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { access_token: string; token_type: string; expires_in: number };
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: TTL });
    const { payload, protectedHeader } = await verify(body.access_token);
    expect(protectedHeader).toMatchObject({ alg: 'RS256', typ: 'at+jwt', kid: op.kid });
    expect(payload).toMatchObject({
      iss: op.issuer,
      aud: API_RESOURCE,
      client_id: machine.clientId,
      dp_role: 'site',
      dp_sites: 'SITEA',
      dp_access: 'write',
    });
    expect(payload.exp! - payload.iat!).toBe(TTL);
    expect(Math.abs(payload.iat! - Date.now() / 1000)).toBeLessThan(5);
    // Past its lifetime (plus the authorizer's 30 s leeway) it no longer verifies.
    await expect(
      jwtVerify(body.access_token, keys, {
        currentDate: new Date((payload.exp! + 31) * 1000),
        clockTolerance: 30,
      }),
    ).rejects.toBeInstanceOf(errors.JWTExpired);
  });

  it('client credentials: client_secret_post, and a wrong secret is refused', async () => {
    const ok = await fetch(op.tokenEndpoint, {
      method: 'POST',
      body: form({
        grant_type: 'client_credentials',
        client_id: postMachine.clientId,
        client_secret: postMachine.clientSecret,
      }),
    });
    const { payload } = await verify(((await ok.json()) as { access_token: string }).access_token);
    expect(payload).toMatchObject({ dp_role: 'site', dp_sites: 'SITEB' });
    expect(payload.dp_access).toBeUndefined();
    const wrong = await fetch(op.tokenEndpoint, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${machine.clientId}:nope`).toString('base64')}` },
      body: form({ grant_type: 'client_credentials' }),
    });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({ error: 'invalid_client' });
  });

  it('a short lifetime is configurable, so a token can be made to expire', async () => {
    const short = await startOidcStandin({ users: [], clients: [machine], accessTokenTtlSeconds: 1 });
    try {
      const res = await fetch(short.tokenEndpoint, {
        method: 'POST',
        body: form({ grant_type: 'client_credentials' }),
        headers: {
          authorization: `Basic ${Buffer.from(`${machine.clientId}:${machine.clientSecret}`).toString('base64')}`,
        },
      });
      const { access_token, expires_in } = (await res.json()) as { access_token: string; expires_in: number };
      expect(expires_in).toBe(1);
      const shortKeys = createRemoteJWKSet(new URL(`${short.issuer}/jwks`));
      const { payload } = await jwtVerify(access_token, shortKeys, { issuer: short.issuer });
      expect(payload.exp! - payload.iat!).toBe(1);
      await expect(
        jwtVerify(access_token, shortKeys, { currentDate: new Date((payload.exp! + 1) * 1000) }),
      ).rejects.toBeInstanceOf(errors.JWTExpired);
    } finally {
      await short.stop();
    }
  });

  it('a machine client may have a shorter lifetime of its own; the others keep the provider’s', async () => {
    const brief = { ...machine, clientId: 'site-SITEA-brief', accessTokenTtlSeconds: 2 };
    const both = await startOidcStandin({ users: [], clients: [machine, brief], accessTokenTtlSeconds: TTL });
    try {
      const lifetime = async (c: typeof machine) => {
        const res = await fetch(both.tokenEndpoint, {
          method: 'POST',
          body: form({ grant_type: 'client_credentials' }),
          headers: {
            authorization: `Basic ${Buffer.from(`${c.clientId}:${c.clientSecret}`).toString('base64')}`,
          },
        });
        const { access_token, expires_in } = (await res.json()) as {
          access_token: string;
          expires_in: number;
        };
        const { payload } = await jwtVerify(access_token, createRemoteJWKSet(new URL(`${both.issuer}/jwks`)));
        return [expires_in, payload.exp! - payload.iat!];
      };
      expect(await lifetime(brief)).toEqual([2, 2]);
      expect(await lifetime(machine)).toEqual([TTL, TTL]);
    } finally {
      await both.stop();
    }
  });

  it('authorization code with PKCE: the sign-in form, a wrong password, then a token with the user’s claims', async () => {
    const browser = new Browser();
    const { verifier, challenge } = pkce();
    const start = await browser.follow(authorizeUrl(challenge));
    expect(start.page!.status).toBe(200);
    const html = await start.page!.text();
    expect(html).toMatch(/<html lang="en">/);
    expect(html).toMatch(/<main>/);
    expect(html).toMatch(/<label for="username">Username<\/label>/);
    expect(html).toMatch(/<label for="password">Password<\/label>/);
    expect(html).toMatch(/<input id="password" name="password" type="password"/);

    const wrong = await browser.post(formAction(html), { username: 'site-writer', password: 'wrong' });
    expect(wrong.status).toBe(200);
    const again = await wrong.text();
    expect(again).toMatch(/<p id="error" role="alert">Wrong username or password.<\/p>/);
    expect(again).toMatch(/value="site-writer"/);
    expect(formAction(again)).toBe(formAction(html));

    const ok = await browser.post(formAction(again), {
      username: 'site-writer',
      password: users[0]!.password,
    });
    expect(ok.status).toBe(303);
    const { redirect } = await browser.follow(new URL(ok.headers.get('location')!, op.issuer).href);
    expect(redirect!.origin + redirect!.pathname).toBe(CALLBACK);
    expect(redirect!.searchParams.get('state')).toBe('st-1');
    expect(redirect!.searchParams.get('iss')).toBe(op.issuer);
    const code = redirect!.searchParams.get('code')!;

    const res = await exchange(code, verifier);
    expect(res.status).toBe(200);
    const tokens = (await res.json()) as { access_token: string; id_token: string; expires_in: number };
    expect(tokens.expires_in).toBe(TTL);
    const { payload } = await verify(tokens.access_token);
    expect(payload).toMatchObject({
      sub: 'site-writer',
      client_id: CONSOLE_CLIENT_ID,
      dp_role: 'site',
      dp_sites: 'SITEA SITEB',
      dp_access: 'write',
    });
    const id = await jwtVerify(tokens.id_token, keys, { issuer: op.issuer, audience: CONSOLE_CLIENT_ID });
    expect(id.payload).toMatchObject({ sub: 'site-writer', name: 'Site Writer' });

    // The code is single-use.
    expect((await exchange(code, verifier)).status).toBe(400);
  });

  it('a program user’s token says program, without sites', async () => {
    const { verifier, redirect } = await signIn(new Browser(), 'program', 'program pass');
    const res = await exchange(redirect.searchParams.get('code')!, verifier);
    const { payload } = await verify(((await res.json()) as { access_token: string }).access_token);
    expect(payload).toMatchObject({ sub: 'program', dp_role: 'program' });
    expect(payload.dp_sites).toBeUndefined();
  });

  it('PKCE is required: no code_challenge is refused, and a code without its code_verifier is not exchanged', async () => {
    const browser = new Browser();
    const none = await browser.follow(authorizeUrl(undefined));
    expect(none.redirect!.searchParams.get('error')).toBe('invalid_request');
    expect(none.redirect!.searchParams.get('error_description')).toMatch(/PKCE/);

    const { redirect } = await signIn(browser, 'site-writer', users[0]!.password);
    const res = await exchange(redirect.searchParams.get('code')!, undefined);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: 'invalid_grant' });
  });

  it('end_session: asks, signs out, returns to the post-logout URI, and the next sign-in asks again', async () => {
    const browser = new Browser();
    const { verifier, redirect } = await signIn(browser, 'site-writer', users[0]!.password);
    const { id_token } = (await (await exchange(redirect.searchParams.get('code')!, verifier)).json()) as {
      id_token: string;
    };
    // Signed in: a new authorization goes straight back to the console.
    expect(
      (await browser.follow(authorizeUrl(pkce().challenge))).redirect?.searchParams.get('code'),
    ).toBeTruthy();

    const end = new URLSearchParams({
      id_token_hint: id_token,
      post_logout_redirect_uri: SIGNED_OUT,
      state: 'bye',
    });
    const ask = await browser.get(`${discovery.end_session_endpoint}?${end}`);
    expect(ask.status).toBe(200);
    const html = await ask.text();
    expect(html).toMatch(/<html lang="en">[\s\S]*<main>[\s\S]*<h1>Sign out\?<\/h1>/);
    const xsrf = html.match(/name="xsrf" value="([^"]+)"/)![1]!;
    const done = await browser.post(formAction(html), { xsrf, logout: 'yes' });
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toBe(`${SIGNED_OUT}?state=bye`);

    const after = await browser.follow(authorizeUrl(pkce().challenge));
    expect(after.page?.status).toBe(200);
    expect(await after.page!.text()).toMatch(/<h1>Sign in<\/h1>/);
  });
});

describe('its tokens at the API', () => {
  it('the authorizer’s verifier accepts a machine client’s token as its site', async () => {
    const { verifyAccessToken } = await import('#auth/verify-token.ts');
    const res = await fetch(op.tokenEndpoint, {
      method: 'POST',
      body: form({
        grant_type: 'client_credentials',
        client_id: postMachine.clientId,
        client_secret: postMachine.clientSecret,
      }),
    });
    const { access_token } = (await res.json()) as { access_token: string };
    const check = await verifyAccessToken(access_token, { issuer: op.issuer, audiences: [API_RESOURCE] });
    expect(check).toEqual({
      ok: true,
      caller: { role: 'site', sites: ['SITEB'], readOnly: true, subject: postMachine.clientId },
    });
  });
});
