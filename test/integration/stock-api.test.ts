import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, localDate } from '#platform/dates.ts';
import { getSite } from '#sites/store.ts';
import { REASON_CODES } from '#stock/reasons.ts';
import { recordReceipt } from '#stock/record.ts';
import { movementsOfDay } from '#stock/store.ts';
import { type Client, client, enroll, type Runtime, startPipeline } from './harness.ts';

let rt: Runtime;
let api: Client;
let site: { iis_id: string; api_key: string };
let other: { iis_id: string; api_key: string };

const NDC = '80777-0273-10';
const CARTON = '80777-0273-99';
const today = () => localDate(new Date());

beforeAll(async () => {
  rt = await startPipeline();
  api = client(rt);
  site = await enroll(api);
  other = await enroll(api);
});

afterAll(async () => {
  await rt?.stop();
});

const setExpiration = (lot: string, expiration: unknown, key?: string, ndc = NDC) =>
  api.call('PUT', `/v1/lots/${ndc}/${lot}`, { key, body: { expiration } });
const setBud = (lot: string, beyond_use_date: unknown, key: string, query = '') =>
  api.call('PUT', `/v1/lots/${NDC}/${lot}/beyond-use${query}`, { key, body: { beyond_use_date } });
const receipt = (o: Record<string, unknown>) => ({
  ndc: NDC,
  lot_number: 'RCV-LOT',
  doses: 100,
  date: today(),
  ...o,
});
const loss = (o: Record<string, unknown>) => ({
  ndc: NDC,
  lot_number: 'WST-LOT',
  doses: 2,
  date: today(),
  reason: 'broken-or-dropped',
  ...o,
});
const codes = (issues: { code: string; field: string; severity: string }[]) =>
  issues.map((i) => `${i.code}:${i.field}:${i.severity}`);

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

describe('POST /v1/inventory/receipts', () => {
  const post = (body: unknown, key = site.api_key, query = '') =>
    api.call('POST', `/v1/inventory/receipts${query}`, { key, body });

  it('accepted; the same again a duplicate; the same record_id with other content rejected STK009', async () => {
    await setExpiration('RCV-LOT', '2021-12-31');
    const first = await post(receipt({ record_id: 'R-1', ndc: CARTON }));
    expect(first.status).toBe(200);
    expect(first.json).toEqual({ results: [{ record_id: 'R-1', status: 'accepted', issues: [] }] });
    const again = await post(receipt({ record_id: 'R-1' }));
    expect(again.json.results).toEqual([{ record_id: 'R-1', status: 'duplicate', issues: [] }]);
    const changed = await post(receipt({ record_id: 'R-1', doses: 99 }));
    expect(changed.json.results[0]).toMatchObject({ record_id: 'R-1', status: 'rejected' });
    expect(codes(changed.json.results[0].issues)).toEqual(['STK009:record_id:error']);
  });

  it("a client site's key records its receipt only: no other site's stock is debited, even within one organization (issue 12, defect 4)", async () => {
    const hie = await enroll(api);
    const [a, b] = [
      await enroll(api, { sending_facility_iis_id: hie.iis_id }),
      await enroll(api, { sending_facility_iis_id: hie.iis_id }),
    ];
    const today = localDate(new Date());
    const out = (iis: string) =>
      movementsOfDay(today).then((ms) => ms.filter((m) => m.iis_id === iis && m.kind === 'transfer-out'));
    const receiptAt = (key: string, body: Record<string, unknown>, query = '') =>
      api.call('POST', `/v1/inventory/receipts${query}`, { key, body: receipt(body) });

    // Client B names client A, or the HIE itself, as the sender: recorded at B, and the sender is untouched.
    for (const [record_id, from] of [
      ['X-1', a.iis_id.toLowerCase()],
      ['X-2', hie.iis_id],
    ] as const) {
      const res = await receiptAt(b.api_key, { record_id, from_iis_id: from });
      expect(res.status).toBe(200);
      expect(res.json.results[0]).toMatchObject({ record_id, status: 'accepted' });
      expect(codes(res.json.results[0].issues)).toEqual(['STK015:from_iis_id:warning']);
      const message = res.json.results[0].issues[0].message;
      expect(message).toContain(from.toUpperCase());
      expect(message).toContain('POST /v1/inventory/transfers');
    }
    expect(
      (await receiptAt(b.api_key, { record_id: 'X-1', from_iis_id: a.iis_id })).json.results[0].status,
    ).toBe('duplicate');
    // The message names the keys that may write the sender's side: its own, and its sending facility's.
    const fromA = await receiptAt(b.api_key, { record_id: 'X-3', from_iis_id: a.iis_id, doses: 5 });
    expect(fromA.json.results[0].issues[0].message).toContain(hie.iis_id);
    expect(await out(a.iis_id)).toEqual([]);
    expect(await out(hie.iis_id)).toEqual([]);
    const received = (await movementsOfDay(today)).filter((m) => m.iis_id === b.iis_id);
    expect(received.map((m) => `${m.kind}:${m.record_id}:${m.counterpart}`).sort()).toEqual([
      `receipt:X-1:${a.iis_id}`,
      `receipt:X-2:${hie.iis_id}`,
      `receipt:X-3:${a.iis_id}`,
    ]);
    // Client A reports its own side itself.
    const sent = await api.call('POST', '/v1/inventory/transfers', {
      key: a.api_key,
      body: { ...receipt({ record_id: 'A-OUT-1' }), to_iis_id: b.iis_id },
    });
    expect(sent.json.results[0]).toMatchObject({ record_id: 'A-OUT-1', status: 'accepted', issues: [] });
    expect(await out(a.iis_id)).toEqual([
      expect.objectContaining({ counterpart: b.iis_id, doses: 100, reported_by_sender: true }),
    ]);
  });

  it("a sending facility's key, acting for all its clients, records both sides of a transfer between them", async () => {
    const hie = await enroll(api);
    const [a, b] = [
      await enroll(api, { sending_facility_iis_id: hie.iis_id }),
      await enroll(api, { sending_facility_iis_id: hie.iis_id }),
    ];
    const today = localDate(new Date());
    const out = (iis: string) =>
      movementsOfDay(today).then((ms) => ms.filter((m) => m.iis_id === iis && m.kind === 'transfer-out'));
    const transfer = await api.call('POST', `/v1/inventory/receipts?iis_id=${b.iis_id}`, {
      key: hie.api_key,
      body: receipt({ record_id: 'T-1', from_iis_id: a.iis_id.toLowerCase() }),
    });
    expect(transfer.json.results[0]).toEqual({ record_id: 'T-1', status: 'accepted', issues: [] });
    expect(await out(a.iis_id)).toEqual([expect.objectContaining({ counterpart: b.iis_id, doses: 100 })]);
    // Its own receipt from a client, and a client's from the facility itself.
    const own = await api.call('POST', '/v1/inventory/receipts', {
      key: hie.api_key,
      body: receipt({ record_id: 'T-2', from_iis_id: a.iis_id, doses: 7 }),
    });
    expect(own.json.results[0]).toEqual({ record_id: 'T-2', status: 'accepted', issues: [] });
    const back = await api.call('POST', `/v1/inventory/receipts?iis_id=${a.iis_id}`, {
      key: hie.api_key,
      body: receipt({ record_id: 'T-3', from_iis_id: hie.iis_id, doses: 3 }),
    });
    expect(back.json.results[0]).toEqual({ record_id: 'T-3', status: 'accepted', issues: [] });
    expect((await out(a.iis_id)).map((m) => `${m.record_id}:${m.counterpart}:${m.doses}`).sort()).toEqual([
      `T-1:${b.iis_id}:100`,
      `T-2:${hie.iis_id}:7`,
    ]);
    expect((await out(hie.iis_id)).map((m) => `${m.record_id}:${m.counterpart}:${m.doses}`)).toEqual([
      `T-3:${a.iis_id}:3`,
    ]);
    expect(await out(b.iis_id)).toEqual([]);
  });

  it("recording without a caller assumes the receiving site's own key: the sender's stock is untouched", async () => {
    const hie = await enroll(api);
    const [a, b] = [
      await enroll(api, { sending_facility_iis_id: hie.iis_id }),
      await enroll(api, { sending_facility_iis_id: hie.iis_id }),
    ];
    const now = new Date();
    const res = await recordReceipt(receipt({ record_id: 'L-1', from_iis_id: a.iis_id }), {
      iis_id: b.iis_id,
      now,
      source: 'api',
      site: getSite,
    });
    expect(res.status).toBe('accepted');
    expect(codes(res.issues)).toEqual(['STK015:from_iis_id:warning']);
    const mine = (await movementsOfDay(localDate(now))).filter((m) => m.record_id === 'L-1');
    expect(mine.map((m) => `${m.kind}:${m.iis_id}`)).toEqual([`receipt:${b.iis_id}`]);
  });

  it('between organizations each side reports its own', async () => {
    const today = localDate(new Date());
    const out = (iis: string) =>
      movementsOfDay(today).then((ms) => ms.filter((m) => m.iis_id === iis && m.kind === 'transfer-out'));
    // Another organization's site: the receipt is recorded here only, and nothing is taken from the sender.
    const independent = await post(receipt({ record_id: 'T-4', from_iis_id: other.iis_id }));
    expect(independent.json.results[0]).toMatchObject({ record_id: 'T-4', status: 'accepted' });
    expect(codes(independent.json.results[0].issues)).toContain('STK011:from_iis_id:info');
    expect(await out(other.iis_id)).toEqual([]);
    // The sender reports its side itself.
    const sent = await api.call('POST', '/v1/inventory/transfers', {
      key: other.api_key,
      body: { ...receipt({ record_id: 'OUT-1' }), to_iis_id: site.iis_id },
    });
    expect(sent.json.results[0]).toMatchObject({ record_id: 'OUT-1', status: 'accepted' });
    expect(await out(other.iis_id)).toEqual([
      expect.objectContaining({ counterpart: site.iis_id, doses: 100, reported_by_sender: true }),
    ]);
    const toNowhere = await api.call('POST', '/v1/inventory/transfers', {
      key: other.api_key,
      body: { ...receipt({ record_id: 'OUT-2' }), to_iis_id: 'NOSUCHSITE9' },
    });
    expect(codes(toNowhere.json.results[0].issues)).toEqual(['STK010:to_iis_id:error']);

    const unknown = await post(receipt({ record_id: 'T-2', from_iis_id: 'NOSUCHSITE9' }));
    expect(unknown.json.results[0]).toMatchObject({ record_id: 'T-2', status: 'rejected' });
    expect(codes(unknown.json.results[0].issues)).toEqual(['STK010:from_iis_id:error']);
    expect(unknown.json.results[0].issues[0].message).toContain('not an enrolled site');
    const self = await post(receipt({ record_id: 'T-3', from_iis_id: site.iis_id }));
    expect(codes(self.json.results[0].issues)).toEqual(['STK010:from_iis_id:error']);
  });

  it('a receipt of a lot without an expiration is accepted with STK005; invalid ones rejected per record', async () => {
    const res = await post({
      receipts: [
        receipt({ record_id: 'B-1', lot_number: 'NOEXP-RCV' }),
        receipt({ record_id: 'B-2', doses: 0 }),
        receipt({ record_id: 'B-3', date: addDays(today(), 1) }),
        receipt({ record_id: 'B-4' }),
      ],
    });
    expect(res.status).toBe(200);
    expect(res.json.results.map((r: any) => `${r.record_id}:${r.status}:${codes(r.issues)}`)).toEqual([
      'B-1:accepted:STK005:lot_number:warning',
      'B-2:rejected:STK001:doses:error',
      'B-3:rejected:STK002:date:error',
      'B-4:accepted:',
    ]);
  });

  it('refuses the admin key, and bodies of the wrong shape', async () => {
    const admin = await api.call('POST', '/v1/inventory/receipts', { body: receipt({ record_id: 'A-1' }) });
    expect(admin.status).toBe(403);
    expect(admin.json.issues[0].code).toBe('AUTH002');
    const notList = await post({ receipts: receipt({ record_id: 'S-1' }) });
    expect(notList.status).toBe(400);
    expect(notList.json.issues[0]).toMatchObject({ code: 'REQ005', field: 'receipts' });
    const entry = await post({ receipts: [receipt({ record_id: 'S-2' }), 'S-3'] });
    expect(entry.status).toBe(400);
    expect(entry.json.issues[0]).toMatchObject({ code: 'REQ005', field: 'receipts.1' });
    expect((await post('R-1')).json.message).toMatch(/Send one receipt as a JSON object/);
  });
});

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
