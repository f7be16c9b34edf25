import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, localDate } from '#platform/dates.ts';
import { getSite } from '#sites/store.ts';
import { recordReceipt } from '#stock/record.ts';
import { movementsOfDay } from '#stock/store.ts';
import { enroll, startWithSite } from './harness.ts';
import { CARTON, codes, lotCalls, receipt, today } from './stock-api-harness.ts';

/** Inventory receipts and transfers over the API: duplicates, both sides of a transfer, and who may write them. */

const { rt, api, site } = await startWithSite();
let other: { iis_id: string; api_key: string };

beforeAll(async () => {
  other = await enroll(api);
});

afterAll(async () => {
  await rt?.stop();
});

const { setExpiration } = lotCalls(() => api);

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
