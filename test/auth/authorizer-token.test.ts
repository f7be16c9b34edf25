import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handler } from '../../functions/sites/authorizer.ts';
import { AUD, startTestProvider, type TestProvider } from './provider.ts';

/** Issue 16: the authorizer answers a bearer access token with the caller's role, sites and access, or why not. */

let provider: TestProvider;
beforeAll(async () => {
  provider = await startTestProvider();
  process.env.OIDC_ISSUER = provider.issuer;
  process.env.OIDC_AUDIENCE = `${AUD}, console-client`;
});
afterAll(async () => {
  delete process.env.OIDC_ISSUER;
  delete process.env.OIDC_AUDIENCE;
  await provider.stop();
});

const call = (token: string) =>
  handler({ identitySource: [`Bearer ${token}`], headers: {} } as never) as Promise<{
    isAuthorized: boolean;
    context: Record<string, unknown>;
  }>;

describe('the authorizer with access tokens', () => {
  it('a site sign-in: its first site as its own, all its sites, read-only or not', async () => {
    expect((await call(await provider.token())).context).toEqual({
      role: 'site',
      iis_id: 'SITEA',
      sites: 'SITEA SITEB',
      via: 'token',
      read_only: false,
    });
    expect((await call(await provider.token({ dp_access: 'read' }))).context).toMatchObject({
      read_only: true,
    });
  });

  it('program staff and the admin', async () => {
    expect((await call(await provider.token({ dp_role: 'program' }))).context).toEqual({
      role: 'program',
      via: 'token',
      read_only: true,
    });
    expect((await call(await provider.token({ dp_role: 'admin' }))).context).toEqual({
      role: 'admin',
      via: 'token',
      read_only: false,
    });
  });

  it('an expired or forged token: role none with the reason and the message the route answers 401 with', async () => {
    const expired = await call(await provider.token({}, { exp: Math.floor(Date.now() / 1000) - 100 }));
    expect(expired.context).toMatchObject({ role: 'none', reason: 'expired' });
    expect(String(expired.context.message)).toMatch(/^This token expired at .*: sign in again/);
    expect((await call(await provider.token({}, { forged: true }))).context).toMatchObject({
      role: 'none',
      reason: 'signature',
    });
  });
});
