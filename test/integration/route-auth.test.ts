import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_ENDPOINTS } from '#platform/http/endpoints-by-function.ts';
import { functionSpecs } from '../../infra/topology.ts';
import { startLocalRuntime } from '../../local/runtime.ts';
import type { OidcMachineClient } from '../../local/standins/oidc.ts';
import { intakeOnly } from '../../local/topologies.ts';
import { startTestProvider } from '../auth/provider.ts';
import { ADMIN_KEY, type Client, client, enroll, type Runtime } from './harness.ts';

/** Every authorized route of the topology, with a concrete path. */
const routes = functionSpecs().flatMap(([, spec]) =>
  (spec.routes ?? []).map((r) => {
    const [method, path] = r.split(' ') as [string, string];
    return {
      route: r,
      method,
      path: path
        .replace('{vax_event_id}', 'ANY-1')
        .replace('{iis_id}', 'NOSUCHSITE')
        .replace('{ndc}', '80777-0273-10')
        .replace('{lot_number}', 'ANY-1')
        .replace('{person_id}', 'P000000000nosuch')
        .replace('{review_id}', 'NOSUCHREVIEW'),
    };
  }),
);
/** Who may call each route, as declared (shared/<capability>/endpoints.ts): the authorizer enforces this. */
const access = new Map(ALL_ENDPOINTS.map((e) => [e.key as string, e.access]));
/** Routes no site key may call (the admin's, or program staff's and the admin's): a site key is refused. */
const adminOnly = (r: string) => {
  const a = access.get(r);
  return Array.isArray(a) && !a.includes('site');
};
/** Routes a site key and the admin key may both call (each sees what is its own): no role is refused. */
const anyKey = (r: string) => {
  const a = access.get(r);
  return Array.isArray(a) && a.includes('site') && a.includes('admin');
};

/** Routes whose declaration lists program staff: every other one refuses a program sign-in (403). */
const programMay = (r: string) => {
  const a = access.get(r);
  return Array.isArray(a) && a.includes('program');
};

/**
 * Sign-in tokens from the runtime's own OpenID provider (docs/sign-in.md): program staff, and a machine client of
 * the site whose tokens live 1 second, kept until past the authorizer's 30 s leeway. And a forged token: the
 * site's claims and the runtime's issuer, signed with another key (test/auth/provider.ts).
 */
const SITE = `RAUTH${process.pid}`.slice(0, 20);
const machine = (clientId: string, o: Partial<OidcMachineClient>): OidcMachineClient => ({
  clientId,
  clientSecret: `${clientId}-secret-${process.pid}`,
  dp_role: 'site',
  ...o,
});
const clients = [
  machine('route-auth-program', { dp_role: 'program', dp_access: 'read' }),
  machine('route-auth-brief', { dp_sites: SITE, dp_access: 'write', accessTokenTtlSeconds: 1 }),
];
async function tokenOf(c: OidcMachineClient): Promise<string> {
  const res = await fetch(rt.oidc!.tokenEndpoint, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`${c.clientId}:${c.clientSecret}`).toString('base64')}` },
    body: new URLSearchParams({ grant_type: 'client_credentials' }),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { access_token: string }).access_token;
}
const EXPIRED = /^This token expired at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z: sign in again/;
const FORGED = "This token's signature does not verify with the sign-in's keys: it was altered or forged.";

let rt: Runtime;
let api: Client;
let siteKey: string;
const tokens = { program: '', expired: '', forged: '' };

beforeAll(async () => {
  rt = await startLocalRuntime({
    topology: intakeOnly(),
    port: 0,
    schedules: false,
    iam: true,
    extraEnv: { ADMIN_KEY, POWERTOOLS_LOG_LEVEL: 'ERROR' },
    oidc: { users: [], clients },
  });
  api = client(rt);
  const brief = tokenOf(clients[1]!);
  siteKey = (await enroll(api, { iis_id: SITE })).api_key;
  tokens.program = await tokenOf(clients[0]!);
  const other = await startTestProvider();
  try {
    tokens.forged = await other.token({ dp_sites: SITE }, { iss: rt.oidc!.issuer });
  } finally {
    await other.stop();
  }
  tokens.expired = await brief;
  // Expired 1 s after it was issued, refused once past the 30 s of leeway.
  const { exp } = JSON.parse(Buffer.from(tokens.expired.split('.')[1]!, 'base64url').toString()) as {
    exp: number;
  };
  await new Promise((r) => setTimeout(r, Math.max(0, (exp + 31) * 1000 - Date.now())));
}, 60_000);
afterAll(async () => rt?.stop());

describe('every route enforces its credential', () => {
  it.each(routes)('$route', async ({ route, method, path }) => {
    const body = method === 'GET' || method === 'DELETE' ? undefined : {};
    const headers = { 'if-match': '"1"' };
    const none = await api.call(method, path, { key: null, body, headers });
    const bad = await api.call(method, path, {
      key: 'cak_0123456789abcdef.BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB',
      body,
      headers,
    });
    const malformed = await api.call(method, path, { key: 'not-a-key', body, headers });
    expect([none.status, bad.status, malformed.status]).toEqual([401, 401, 401]);
    if (anyKey(route)) {
      for (const key of [siteKey, undefined]) {
        const res = await api.call(method, path, { key, body, headers });
        expect(res.status).toBeLessThan(500);
        expect([401, 403]).not.toContain(res.status);
      }
    } else {
      const wrongRole = await api.call(method, path, {
        key: adminOnly(route) ? siteKey : undefined,
        body,
        headers,
      });
      expect(wrongRole.status).toBe(403);
    }
    expect(bad.json.issues[0]).toMatchObject({ code: 'AUTH001', severity: 'error', field: 'authorization' });

    // Sign-in tokens: an expired one and a forged one are 401 AUTH001 saying which; program staff only where
    // the route's declaration lists them.
    const expired = await api.call(method, path, { key: tokens.expired, body, headers });
    const forged = await api.call(method, path, { key: tokens.forged, body, headers });
    expect([expired.status, forged.status]).toEqual([401, 401]);
    expect(expired.json.issues[0]).toMatchObject({ code: 'AUTH001', field: 'authorization' });
    expect(expired.json.issues[0].message).toMatch(EXPIRED);
    expect(forged.json.issues[0]).toMatchObject({ code: 'AUTH001', field: 'authorization', message: FORGED });
    const program = await api.call(method, path, { key: tokens.program, body, headers });
    if (programMay(route)) {
      expect(program.status).toBeLessThan(500);
      expect([401, 403]).not.toContain(program.status);
    } else expect(program.status).toBe(403);
  });

  it('covers every authorized route of the topology', () => {
    expect(routes.length).toBeGreaterThanOrEqual(8);
    // Program staff are declared on some routes, never on a dose's, an upload's or a person's.
    const programRoutes = routes.map((r) => r.route).filter(programMay);
    expect(programRoutes.length).toBeGreaterThan(0);
    expect(programRoutes.filter((r) => /doses|uploads|persons/.test(r))).toEqual([]);
  });
});
