import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_ENDPOINTS } from '#platform/http/endpoints-by-function.ts';
import { functionSpecs } from '../../infra/topology.ts';
import { type Client, client, enroll, type Runtime, startPipeline } from './harness.ts';

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
const adminOnly = (r: string) => {
  const a = access.get(r);
  return Array.isArray(a) && a.length === 1 && a[0] === 'admin';
};
/** Routes a site key and the admin key may both call (each sees what is its own): no role is refused. */
const anyKey = (r: string) => {
  const a = access.get(r);
  return Array.isArray(a) && a.includes('site') && a.includes('admin');
};

let rt: Runtime;
let api: Client;
let siteKey: string;

beforeAll(async () => {
  rt = await startPipeline();
  api = client(rt);
  siteKey = (await enroll(api)).api_key;
});
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
  });

  it('covers every authorized route of the topology', () => {
    expect(routes.length).toBeGreaterThanOrEqual(8);
  });
});
