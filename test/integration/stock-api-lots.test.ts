import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REASON_CODES } from '#stock/reasons.ts';
import { enroll, startWithSite } from './harness.ts';
import { CARTON, codes, lotCalls, NDC, today } from './stock-api-harness.ts';

/** Lot expirations and beyond-use dates over the API, the credentials every stock route takes, and their OpenAPI. */

const { rt, api, site } = await startWithSite();
let other: { iis_id: string; api_key: string };

beforeAll(async () => {
  other = await enroll(api);
});

afterAll(async () => {
  await rt?.stop();
});

const { setExpiration, setBud } = lotCalls(() => api);

describe('PUT /v1/lots/{ndc}/{lot_number}', () => {
  it('the admin sets an expiration and extends it: both versions kept, ordered, the newest in force', async () => {
    // A carton's NDC and a lower-case lot name the vial's lot.
    const first = await setExpiration('exp1a', '2021-06-30', undefined, CARTON);
    expect(first.status).toBe(201);
    expect(first.json).toMatchObject({
      ndc: NDC,
      lot_number: 'EXP1A',
      expiration: '2021-06-30',
      version: 1,
      history: [{ version: 1, expiration: '2021-06-30', effective_day: today(), set_by: 'admin' }],
    });
    expect(first.json.effective_at).toBe(first.json.history[0].effective_at);

    const same = await setExpiration('EXP1A', '06/30/2021');
    expect(same.status).toBe(200);
    expect(same.json).toMatchObject({ expiration: '2021-06-30', version: 1 });
    expect(same.json.history).toHaveLength(1);

    const extended = await setExpiration('EXP1A', '2021-09-30');
    expect(extended.status).toBe(201);
    expect(extended.json).toMatchObject({ expiration: '2021-09-30', version: 2 });
    expect(extended.json.history.map((h: any) => `${h.version}:${h.expiration}`)).toEqual([
      '1:2021-06-30',
      '2:2021-09-30',
    ]);
    const [v1, v2] = extended.json.history;
    expect(Date.parse(v1.effective_at)).toBeLessThanOrEqual(Date.parse(v2.effective_at));
    expect(extended.json.effective_at).toBe(v2.effective_at);

    const read = await api.call('GET', `/v1/lots/${NDC}/EXP1A`, {});
    expect(read.status).toBe(200);
    expect(read.json).toMatchObject({ expiration: '2021-09-30', version: 2 });
    expect(read.json.history).toEqual(extended.json.history);
    expect(read.json).not.toHaveProperty('beyond_use');
  });

  it('a site key cannot set an expiration: 403 that says so', async () => {
    const res = await setExpiration('EXP1A', '2030-01-01', site.api_key);
    expect(res.status).toBe(403);
    expect(res.json.issues[0]).toMatchObject({ code: 'AUTH003', field: 'authorization' });
    expect(res.json.message).toMatch(/admin key/);
    expect(res.json.message).toMatch(/beyond-use/);
    expect((await api.call('GET', `/v1/lots/${NDC}/EXP1A`, {})).json.expiration).toBe('2021-09-30');
  });

  it('refuses an unknown NDC, a bad lot number and a bad expiration with 400 and the findings', async () => {
    const unknownNdc = await setExpiration('EXP2A', '2021-06-30', undefined, '12345-6789-01');
    expect(unknownNdc.status).toBe(400);
    expect(codes(unknownNdc.json.issues)).toEqual(['STK008:ndc:error']);
    const notNdc = await setExpiration('EXP2A', '2021-06-30', undefined, 'moderna');
    expect(codes(notNdc.json.issues)).toEqual(['STK014:ndc:error']);
    const badLot = await api.call('PUT', `/v1/lots/${NDC}/LOT%20ONE`, { body: { expiration: '2021-06-30' } });
    expect(badLot.status).toBe(400);
    expect(codes(badLot.json.issues)).toEqual(['STK014:lot_number:error']);
    const badDate = await setExpiration('EXP2A', 'next summer');
    expect(badDate.status).toBe(400);
    expect(badDate.json.message).toMatch(/not set/);
    expect(codes(badDate.json.issues)).toEqual(['STK003:expiration:error']);
    expect(codes((await setExpiration('EXP2A', '2021-02-30')).json.issues)).toEqual([
      'STK003:expiration:error',
    ]);
    expect(codes((await api.call('PUT', `/v1/lots/${NDC}/EXP2A`, { body: {} })).json.issues)).toEqual([
      'STK013:expiration:error',
    ]);
    const list = await api.call('PUT', `/v1/lots/${NDC}/EXP2A`, { body: ['2021-06-30'] });
    expect(list.status).toBe(400);
    expect(list.json.issues[0]).toMatchObject({ code: 'REQ005', field: 'body' });
    const malformed = await api.call('PUT', `/v1/lots/${NDC}/EXP2A`, {
      raw: '{"expiration": "2021-06-30",}',
      headers: { 'content-type': 'application/json' },
    });
    expect(malformed.status).toBe(400);
    expect(malformed.json.issues[0]).toMatchObject({ code: 'REQ001', field: 'body' });
    // Nothing was stored for the lot.
    expect((await api.call('GET', `/v1/lots/${NDC}/EXP2A`, {})).status).toBe(404);
  });
});

describe('beyond-use dates and GET /v1/lots/{ndc}/{lot_number}', () => {
  it('a BUD later than the expiration is 400 STK007; one within it is stored and versioned', async () => {
    await setExpiration('BUD1A', '2021-06-30');
    const late = await setBud('BUD1A', '2021-07-01', site.api_key);
    expect(late.status).toBe(400);
    expect(codes(late.json.issues)).toEqual(['STK007:beyond_use_date:error']);
    const ok = await setBud('bud1a', '2021-06-15', site.api_key);
    expect(ok.status).toBe(201);
    expect(ok.json).toMatchObject({
      ndc: NDC,
      lot_number: 'BUD1A',
      expiration: '2021-06-30',
      iis_id: site.iis_id,
      beyond_use_date: '2021-06-15',
      version: 1,
      history: [{ version: 1, beyond_use_date: '2021-06-15', set_by: site.iis_id }],
      issues: [],
    });
    expect((await setBud('BUD1A', '2021-06-15', site.api_key)).status).toBe(200);
    const moved = await setBud('BUD1A', '2021-06-20', site.api_key);
    expect(moved.status).toBe(201);
    expect(moved.json.version).toBe(2);
    expect(moved.json.history).toHaveLength(2);
  });

  it("GET shows a site its own BUD (current and history), never another site's", async () => {
    await setBud('BUD1A', '2021-06-01', other.api_key);
    const mine = await api.call('GET', `/v1/lots/${NDC}/BUD1A`, { key: site.api_key });
    expect(mine.status).toBe(200);
    expect(mine.json).toMatchObject({ expiration: '2021-06-30', version: 1 });
    expect(mine.json.beyond_use).toMatchObject({
      iis_id: site.iis_id,
      beyond_use_date: '2021-06-20',
      version: 2,
    });
    expect(mine.json.beyond_use.history.map((h: any) => h.beyond_use_date)).toEqual([
      '2021-06-15',
      '2021-06-20',
    ]);
    expect(JSON.stringify(mine.json)).not.toContain(other.iis_id);
    expect(JSON.stringify(mine.json)).not.toContain('2021-06-01');
    const theirs = await api.call('GET', `/v1/lots/${NDC}/BUD1A`, { key: other.api_key });
    expect(theirs.json.beyond_use).toMatchObject({ iis_id: other.iis_id, beyond_use_date: '2021-06-01' });
    expect(JSON.stringify(theirs.json)).not.toContain(site.iis_id);
    // A site may not read another site's BUDs by naming it.
    const peek = await api.call('GET', `/v1/lots/${NDC}/BUD1A?iis_id=${other.iis_id}`, { key: site.api_key });
    expect(peek.status).toBe(403);
  });

  it('a BUD for a lot without an expiration is stored with a STK005 warning; only its site sees the lot', async () => {
    const res = await setBud('NOEXP1', '2021-06-15', other.api_key);
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({ expiration: null, beyond_use_date: '2021-06-15' });
    expect(codes(res.json.issues)).toEqual(['STK005:lot_number:warning']);
    const own = await api.call('GET', `/v1/lots/${NDC}/NOEXP1`, { key: other.api_key });
    expect(own.status).toBe(200);
    expect(own.json).toMatchObject({ expiration: null, version: null, history: [] });
    // Another site (and the admin) learn nothing from another site's BUD: the lot is not on record for them.
    const notMine = await api.call('GET', `/v1/lots/${NDC}/NOEXP1`, { key: site.api_key });
    expect(notMine.status).toBe(404);
    expect(notMine.json.issues[0]).toMatchObject({ code: 'LOT404', field: 'lot_number' });
    expect(notMine.json.message).toMatch(/No expiration or beyond-use date/);
    expect((await api.call('GET', `/v1/lots/${NDC}/NOEXP1`, {})).status).toBe(404);
    expect((await api.call('GET', `/v1/lots/${NDC}/NEVERSEEN`, { key: site.api_key })).status).toBe(404);
    expect((await api.call('GET', `/v1/lots/12345-6789-01/NEVERSEEN`, {})).status).toBe(400);
  });

  it('the admin key cannot set a BUD; bad dates and bodies are 400', async () => {
    const admin = await api.call('PUT', `/v1/lots/${NDC}/BUD1A/beyond-use`, {
      body: { beyond_use_date: '2021-06-15' },
    });
    expect(admin.status).toBe(403);
    expect(admin.json.issues[0].code).toBe('AUTH002');
    expect(codes((await setBud('BUD1A', 'soon', site.api_key)).json.issues)).toEqual([
      'STK003:beyond_use_date:error',
    ]);
    const body = await api.call('PUT', `/v1/lots/${NDC}/BUD1A/beyond-use`, { key: site.api_key, body: 42 });
    expect(body.status).toBe(400);
    expect(body.json.issues[0]).toMatchObject({ code: 'REQ005', field: 'body' });
  });
});

describe('credentials on every stock route', () => {
  const BAD_KEY = 'cak_0123456789abcdef.BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB';
  it.each([
    { route: 'PUT /v1/lots/{ndc}/{lot_number}', path: `/v1/lots/${NDC}/X1`, wrong: 'site' },
    { route: 'GET /v1/lots/{ndc}/{lot_number}', path: `/v1/lots/${NDC}/X1`, wrong: null },
    {
      route: 'PUT /v1/lots/{ndc}/{lot_number}/beyond-use',
      path: `/v1/lots/${NDC}/X1/beyond-use`,
      wrong: 'admin',
    },
    { route: 'POST /v1/inventory/receipts', path: '/v1/inventory/receipts', wrong: 'admin' },
    { route: 'POST /v1/wastage', path: '/v1/wastage', wrong: 'admin' },
  ])('$route: 401 without a valid key, 403 for the other role', async ({ route, path, wrong }) => {
    const method = route.split(' ')[0]!;
    const body = method === 'GET' ? undefined : {};
    const none = await api.call(method, path, { key: null, body });
    const bad = await api.call(method, path, { key: BAD_KEY, body });
    const malformed = await api.call(method, path, { key: 'not-a-key', body });
    expect([none.status, bad.status, malformed.status]).toEqual([401, 401, 401]);
    expect(bad.json.issues[0]).toMatchObject({ code: 'AUTH001', severity: 'error', field: 'authorization' });
    if (wrong) {
      const res = await api.call(method, path, { key: wrong === 'site' ? site.api_key : undefined, body });
      expect(res.status).toBe(403);
    } else {
      // Any key reads a lot: neither is refused (the lot is simply not on record).
      expect((await api.call(method, path, {})).status).toBe(404);
      expect((await api.call(method, path, { key: site.api_key })).status).toBe(404);
    }
  });
});

describe('OpenAPI', () => {
  it('documents the stock routes, with the wastage reasons and the batch limit', async () => {
    const res = await api.call('GET', '/v1/openapi.json', { key: null });
    expect(res.status).toBe(200);
    expect(Object.keys(res.json.paths)).toEqual(
      expect.arrayContaining([
        '/v1/lots/{ndc}/{lot_number}',
        '/v1/lots/{ndc}/{lot_number}/beyond-use',
        '/v1/inventory/receipts',
        '/v1/wastage',
      ]),
    );
    const s = res.json.components.schemas;
    expect(s.Wastage.properties.reason.enum).toEqual(REASON_CODES);
    expect(s.WastageBatch.properties.wastage.maxItems).toBe(1000);
    expect(Object.keys(res.json.paths['/v1/lots/{ndc}/{lot_number}'])).toEqual(['get', 'put']);
  });
});
