import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { looksLikeJwt, verifyAccessToken } from '#auth/verify-token.ts';
import { AUD, startTestProvider, type TestProvider } from './provider.ts';

/**
 * Issue 16: the API's check of an access token against a real (tiny) OpenID provider serving discovery and
 * its keys over HTTP: every refusal says what is wrong with the token.
 */

let provider: TestProvider;
let issuer: string;
beforeAll(async () => {
  provider = await startTestProvider();
  issuer = provider.issuer;
});
afterAll(() => provider.stop());

const config = () => ({ issuer, audiences: [AUD, 'cognito-console-client'] });
const token = (
  claims: Record<string, unknown>,
  opts: { forged?: boolean; exp?: number; iss?: string } = {},
) => provider.token(claims, opts);

describe('verifyAccessToken', () => {
  it('accepts a site token: its sites (the first is the default) and write access', async () => {
    const t = await token({});
    expect(looksLikeJwt(t)).toBe(true);
    expect(await verifyAccessToken(t, config())).toEqual({
      ok: true,
      caller: { role: 'site', sites: ['SITEA', 'SITEB'], readOnly: false, subject: 'user-1' },
    });
  });

  it('reads read-only and program tokens as read-only; accepts Cognito client_id as the audience', async () => {
    const ro = await verifyAccessToken(await token({ dp_access: 'read' }), config());
    expect(ro.ok && ro.caller.readOnly).toBe(true);
    const program = await verifyAccessToken(
      await token({ dp_role: 'program', dp_access: 'write' }),
      config(),
    );
    expect(program).toMatchObject({ ok: true, caller: { role: 'program', sites: [], readOnly: true } });
    const cognito = await token({ aud: undefined, client_id: 'cognito-console-client', token_use: 'access' });
    expect((await verifyAccessToken(cognito, config())).ok).toBe(true);
  });

  it('refuses with what is wrong: expired, forged, another issuer, another audience, an ID token', async () => {
    const exp = Math.floor(Date.now() / 1000) - 120;
    const expired = await verifyAccessToken(await token({}, { exp }), config());
    expect(expired).toEqual({
      ok: false,
      reason: 'expired',
      message: `This token expired at ${new Date(exp * 1000).toISOString()}: sign in again (or request a new token).`,
    });
    expect(await verifyAccessToken(await token({}, { forged: true }), config())).toMatchObject({
      ok: false,
      reason: 'signature',
    });
    expect(
      await verifyAccessToken(await token({}, { iss: 'https://evil.example/oidc' }), config()),
    ).toMatchObject({ ok: false, reason: 'issuer' });
    expect(await verifyAccessToken(await token({ aud: 'another-api' }), config())).toMatchObject({
      ok: false,
      reason: 'audience',
    });
    expect(await verifyAccessToken(await token({ token_use: 'id' }), config())).toMatchObject({
      ok: false,
      reason: 'token-use',
    });
  });

  it('refuses a token with no role, a site token without sites, and an altered payload', async () => {
    expect(await verifyAccessToken(await token({ dp_role: undefined }), config())).toMatchObject({
      reason: 'no-role',
    });
    expect(await verifyAccessToken(await token({ dp_sites: ' ' }), config())).toMatchObject({
      reason: 'no-site',
    });
    const [h, p, s] = (await token({})).split('.');
    const raised = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(p!, 'base64url').toString()), dp_role: 'admin' }),
    ).toString('base64url');
    expect(await verifyAccessToken(`${h}.${raised}.${s}`, config())).toMatchObject({ reason: 'signature' });
  });

  it('refuses tokens when sign-in is not set up, and an unsigned (alg none) token', async () => {
    expect(await verifyAccessToken(await token({}), undefined)).toMatchObject({ reason: 'not-configured' });
    const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(
      JSON.stringify({ iss: issuer, aud: AUD, dp_role: 'admin', exp: 9_999_999_999 }),
    ).toString('base64url')}.x`;
    expect((await verifyAccessToken(none, config())).ok).toBe(false);
  });
});
