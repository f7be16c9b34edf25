import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays } from '#platform/dates.ts';
import { enroll, startWithSite } from './harness.ts';
import { codes, loss, lotCalls, NDC, receipt, today } from './stock-api-harness.ts';

/** Wastage reports over the API, and sending facilities recording stock for their client sites. */

const { rt, api, site } = await startWithSite();

afterAll(async () => {
  await rt?.stop();
});

const { setExpiration, setBud } = lotCalls(() => api);

describe('POST /v1/wastage', () => {
  const post = (body: unknown, key = site.api_key, query = '') =>
    api.call('POST', `/v1/wastage${query}`, { key, body });
  const one = async (o: Record<string, unknown>) => {
    const res = await post(loss(o));
    expect(res.status).toBe(200);
    expect(res.json.results).toHaveLength(1);
    return res.json.results[0];
  };

  beforeAll(async () => {
    await setExpiration('WST-LOT', '2021-12-31');
    const res = await api.call('POST', '/v1/inventory/receipts', {
      key: site.api_key,
      body: receipt({ record_id: 'W-RCV-1', lot_number: 'WST-LOT', doses: 10 }),
    });
    expect(res.json.results[0].status).toBe('accepted');
  });

  it('a report of a known lot within what is on hand is accepted without issues', async () => {
    expect(await one({ record_id: 'W-1', doses: 3, reason: 'temperature-too-warm' })).toEqual({
      record_id: 'W-1',
      status: 'accepted',
      issues: [],
    });
  });

  it('an unknown lot is accepted with STK005; more doses than on hand with STK006', async () => {
    const unknownLot = await one({ record_id: 'W-2', lot_number: 'NOSUCHLOT' });
    expect(unknownLot.status).toBe('accepted');
    expect(codes(unknownLot.issues)).toContain('STK005:lot_number:warning');
    // 10 received, 3 lost already: 7 on hand.
    const tooMany = await one({ record_id: 'W-3', doses: 8 });
    expect(tooMany.status).toBe('accepted');
    expect(codes(tooMany.issues)).toEqual(['STK006:doses:warning']);
    expect(tooMany.issues[0].message).toContain('7');
  });

  it('"other" without text is rejected STK004; a future date STK002', async () => {
    const other = await one({ record_id: 'W-4', reason: 'other' });
    expect(other).toMatchObject({ record_id: 'W-4', status: 'rejected' });
    expect(codes(other.issues)).toEqual(['STK004:reason_text:error']);
    const future = await one({ record_id: 'W-5', date: addDays(today(), 3) });
    expect(future.status).toBe('rejected');
    expect(codes(future.issues)).toEqual(['STK002:date:error']);
    const reason = await one({ record_id: 'W-6', reason: 'melted' });
    expect(codes(reason.issues)).toEqual(['STK008:reason:error']);
  });

  it('a batch answers per record, in order', async () => {
    const res = await post({
      wastage: [
        loss({ record_id: 'WB-1', doses: 1 }),
        loss({ record_id: 'WB-2', reason: 'other', reason_text: 'Dropped in the parking lot' }),
        loss({ doses: -1 }),
        loss({ record_id: 'WB-1', doses: 1 }),
        loss({ record_id: 'WB-1', doses: 2 }),
        loss({ record_id: 'WB-5', lot_number: 'OTHERLOT', reason: 'recall' }),
      ],
    });
    expect(res.status).toBe(200);
    expect(res.json.results.map((r: any) => `${r.record_id ?? '-'}:${r.status}`)).toEqual([
      'WB-1:accepted',
      'WB-2:accepted',
      '-:rejected',
      'WB-1:duplicate',
      'WB-1:rejected',
      'WB-5:accepted',
    ]);
    expect(codes(res.json.results[2].issues)).toEqual(['STK013:record_id:error', 'STK001:doses:error']);
    expect(codes(res.json.results[4].issues)).toEqual(['STK009:record_id:error']);
  });

  it('malformed JSON, non-JSON, a non-object body and wrong batch shapes are refused with a message', async () => {
    const malformed = await api.call('POST', '/v1/wastage', {
      key: site.api_key,
      raw: '{\n  "record_id": "W-9",\n  "doses": 2,,\n}',
      headers: { 'content-type': 'application/json' },
    });
    expect(malformed.status).toBe(400);
    expect(malformed.json.issues[0]).toMatchObject({ code: 'REQ001', severity: 'error', field: 'body' });
    expect(malformed.json.message).toMatch(/line 3, column \d+/);
    const text = await api.call('POST', '/v1/wastage', {
      key: site.api_key,
      raw: 'doses=2',
      headers: { 'content-type': 'text/plain' },
    });
    expect(text.status).toBe(415);
    const array = await post([loss({ record_id: 'W-10' })]);
    expect(array.status).toBe(400);
    expect(array.json.message).toMatch(/\{"wastage": \[ … \]\}/);
    const empty = await post({ wastage: [] });
    expect(empty.status).toBe(400);
    expect(empty.json.message).toMatch(/empty/);
    const tooMany = await post({ wastage: Array.from({ length: 1001 }, () => ({})) });
    expect(tooMany.status).toBe(413);
    expect(tooMany.json.message).toMatch(/at most 1000/);
    const admin = await api.call('POST', '/v1/wastage', { body: loss({ record_id: 'W-11' }) });
    expect(admin.status).toBe(403);
  });
});

describe('sending facilities', () => {
  it('record stock for a client site with ?iis_id=, not for a site that is not their client', async () => {
    const hie = await enroll(api);
    const clinic = await enroll(api, { sending_facility_iis_id: hie.iis_id });
    await setExpiration('HIE-LOT', '2021-12-31');
    const q = `?iis_id=${clinic.iis_id.toLowerCase()}`;
    const rcv = await api.call('POST', `/v1/inventory/receipts${q}`, {
      key: hie.api_key,
      body: receipt({ record_id: 'H-1', lot_number: 'HIE-LOT', doses: 5 }),
    });
    expect(rcv.json.results).toEqual([{ record_id: 'H-1', status: 'accepted', issues: [] }]);
    // The clinic's own report draws on the receipt its sending facility reported: no STK006.
    const waste = await api.call('POST', '/v1/wastage', {
      key: clinic.api_key,
      body: loss({ record_id: 'H-2', lot_number: 'HIE-LOT', doses: 5 }),
    });
    expect(waste.json.results).toEqual([{ record_id: 'H-2', status: 'accepted', issues: [] }]);
    const viaHie = await api.call('POST', `/v1/wastage${q}`, {
      key: hie.api_key,
      body: { wastage: [loss({ record_id: 'H-3', lot_number: 'HIE-LOT', doses: 1 })] },
    });
    expect(viaHie.json.results[0]).toMatchObject({ record_id: 'H-3', status: 'accepted' });
    expect(codes(viaHie.json.results[0].issues)).toEqual(['STK006:doses:warning']);
    const bud = await setBud('HIE-LOT', '2021-11-30', hie.api_key, q);
    expect(bud.status).toBe(201);
    expect(bud.json).toMatchObject({ iis_id: clinic.iis_id, beyond_use_date: '2021-11-30' });
    const read = await api.call('GET', `/v1/lots/${NDC}/HIE-LOT`, { key: clinic.api_key });
    expect(read.json.beyond_use).toMatchObject({ iis_id: clinic.iis_id, beyond_use_date: '2021-11-30' });

    for (const [method, path, body] of [
      ['POST', '/v1/inventory/receipts', receipt({ record_id: 'H-4' })],
      ['POST', '/v1/wastage', loss({ record_id: 'H-5' })],
      ['PUT', `/v1/lots/${NDC}/HIE-LOT/beyond-use`, { beyond_use_date: '2021-11-30' }],
    ] as const) {
      // The HIE for a site that is not its client; the clinic for its sending facility.
      const notClient = await api.call(method, `${path}?iis_id=${site.iis_id}`, { key: hie.api_key, body });
      const upstream = await api.call(method, `${path}?iis_id=${hie.iis_id}`, { key: clinic.api_key, body });
      expect([notClient.status, upstream.status]).toEqual([403, 403]);
      expect(notClient.json.issues[0]).toMatchObject({ code: 'AUTH004', field: 'iis_id' });
      expect(notClient.json.message).toContain(site.iis_id);
    }
  });
});
