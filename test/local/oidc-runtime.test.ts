import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { topology } from '../../infra/topology.ts';
import { type LocalRuntime, type LocalTopology, startLocalRuntime } from '../../local/runtime.ts';
import { startOidcIfWanted } from '../../local/runtime-oidc.ts';
import { API_RESOURCE, startOidcStandin } from '../../local/standins/oidc.ts';
import { intakeOnly } from '../../local/topologies.ts';
import { quiet, tempDir } from './helpers.ts';

/** Issue 16: the local runtime runs the sign-in provider and points the API's authorizer at it. */

const topo = intakeOnly();
let rt: LocalRuntime;
beforeAll(async () => {
  rt = await startLocalRuntime({
    topology: topo,
    port: 0,
    schedules: false,
    registries: false,
    clearinghouse: false,
    iam: false,
    logger: quiet(),
    extraEnv: { ADMIN_KEY: 'test-admin-key-0123456789', POWERTOOLS_LOG_LEVEL: 'ERROR' },
  });
}, 30_000);
afterAll(() => rt?.stop());

const clientToken = async (clientId: string, secret: string) => {
  const res = await fetch(rt.oidc!.tokenEndpoint, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}` },
    body: new URLSearchParams({ grant_type: 'client_credentials' }),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { access_token: string }).access_token;
};

describe('the local runtime’s sign-in provider', () => {
  it('runs by default with the demo users and machine client, and sets OIDC_ISSUER and OIDC_AUDIENCE', () => {
    const oidc = rt.oidc!;
    expect(oidc.issuer).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(oidc.audience).toBe(API_RESOURCE);
    expect(rt.env).toMatchObject({ OIDC_ISSUER: oidc.issuer, OIDC_AUDIENCE: API_RESOURCE });
    expect(process.env.OIDC_ISSUER).toBe(oidc.issuer);
    expect(oidc.redirectUris).toEqual([`${rt.apiUrl}/callback`]);
    expect(oidc.consoleClientId).toBe('console');
    expect(oidc.users.map((u) => [u.username, u.dp_role, u.dp_sites, u.dp_access])).toEqual([
      ['site-writer', 'site', 'CAIRDEMO01', 'write'],
      ['site-reader', 'site', 'CAIRDEMO01', 'read'],
      ['program', 'program', undefined, 'read'],
      ['admin', 'admin', undefined, 'write'],
    ]);
    expect(oidc.users.every((u) => u.password.length >= 16)).toBe(true);
    expect(oidc.clients.map((c) => [c.clientId, c.dp_role, c.dp_sites, c.dp_access])).toEqual([
      ['site-CAIRDEMO01', 'site', 'CAIRDEMO01', 'write'],
    ]);
  });

  it('the API accepts a machine client’s token as its site and refuses another issuer’s', async () => {
    const { clientId, clientSecret } = rt.oidc!.clients[0]!;
    const token = await clientToken(clientId, clientSecret);
    const read = await fetch(`${rt.apiUrl}/v1/doses/NO-SUCH-EVENT`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(read.status).toBe(404);
    // Same claims, signed by another provider's key: refused.
    const other = await startOidcStandin({ users: [], clients: rt.oidc!.clients });
    try {
      const forged = await fetch(other.tokenEndpoint, {
        method: 'POST',
        headers: { authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}` },
        body: new URLSearchParams({ grant_type: 'client_credentials' }),
      });
      const { access_token } = (await forged.json()) as { access_token: string };
      const res = await fetch(`${rt.apiUrl}/v1/doses/NO-SUCH-EVENT`, {
        headers: { authorization: `Bearer ${access_token}` },
      });
      expect(res.status).toBe(401);
    } finally {
      await other.stop();
    }
  });
});

describe('when the runtime starts it', () => {
  const apiUrl = 'http://127.0.0.1:9';
  const realTopo = topology as unknown as LocalTopology;
  // The runtime above has set OIDC_ISSUER, which means "a provider is given": these start their own.
  let saved: string | undefined;
  beforeEach(() => {
    saved = process.env.OIDC_ISSUER;
    delete process.env.OIDC_ISSUER;
  });
  afterEach(() => {
    if (saved !== undefined) process.env.OIDC_ISSUER = saved;
  });

  it('not when switched off, when an issuer is given, or without the API’s authorizer', async () => {
    expect(await startOidcIfWanted(realTopo, { oidc: false }, undefined, apiUrl, quiet())).toBeUndefined();
    expect(
      await startOidcIfWanted(
        realTopo,
        { extraEnv: { OIDC_ISSUER: 'https://cognito-idp.example' } },
        undefined,
        apiUrl,
        quiet(),
      ),
    ).toBeUndefined();
    const { authorizer: _a, ...functions } = realTopo.functions;
    expect(
      await startOidcIfWanted({ ...realTopo, functions }, {}, undefined, apiUrl, quiet()),
    ).toBeUndefined();
  });

  it('keeps the demo passwords, secret and signing key in the data directory across restarts', async () => {
    const dir = tempDir('oidc-runtime');
    try {
      const first = (await startOidcIfWanted(realTopo, {}, dir.path, apiUrl, quiet()))!;
      await first.standin.stop();
      const second = (await startOidcIfWanted(realTopo, {}, dir.path, apiUrl, quiet()))!;
      await second.standin.stop();
      expect(second.users).toEqual(first.users);
      expect(second.clients).toEqual(first.clients);
      expect(second.standin.kid).toBe(first.standin.kid);
      const third = (await startOidcIfWanted(realTopo, {}, undefined, apiUrl, quiet()))!;
      await third.standin.stop();
      expect(third.users[0]!.password).not.toBe(first.users[0]!.password);
    } finally {
      dir.remove();
    }
  });
});
