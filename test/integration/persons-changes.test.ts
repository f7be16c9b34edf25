import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { linkDose } from '#persons/link.ts';
import { pointerOf } from '#persons/store.ts';
import { modernaDose } from '../fixtures/doses.ts';
import { type Client, client, drained, enroll, type Runtime, startWithout } from './harness.ts';

/**
 * Issue 14: a dose's updates and deletes move its links, linking is idempotent, and an administrator's merges
 * and splits are recorded and undo each other. On the local stack, the matcher consuming person-changes.
 */

type Site = { iis_id: string; api_key: string };
let rt: Runtime;
let api: Client;
let a: Site;
let b: Site;

beforeAll(async () => {
  rt = await startWithout(['registryReporter', 'cdcStager']);
  api = client(rt);
  a = await enroll(api, { admin_name: 'Site A' });
  b = await enroll(api, { admin_name: 'Site B' });
});
afterAll(async () => rt?.stop());

const matched = () => drained(rt, 'person-changes', 20_000);
const ana = {
  recip_first_name: 'Ana',
  recip_middle_name: 'Lucia',
  recip_last_name: 'Whitfield',
  recip_dob: '1975-09-02',
  recip_sex: 'F',
  recip_address_street: '5 Harbor Way',
  recip_address_zip: '94607',
};
const omar = {
  recip_first_name: 'Omar',
  recip_middle_name: 'Said',
  recip_last_name: 'Haddad',
  recip_dob: '1949-12-30',
  recip_sex: 'M',
  recip_address_street: '77 Pine St',
  recip_address_zip: '95814',
};

async function post(site: Site, dose: Record<string, unknown>) {
  const res = await api.call('POST', '/v1/doses', { key: site.api_key, body: dose });
  expect(res.json.results[0].status, JSON.stringify(res.json)).toBe('accepted');
}
const personOf = async (site: Site, event: string) => (await pointerOf(site.iis_id, event))?.person_id;
const record = (id: string) => api.call('GET', `/v1/persons/${id}`, { key: a.api_key });

describe("a dose's changes move its links", () => {
  it('keeps an update that changes the lot, moves one that names another person, drops a deleted dose', async () => {
    await post(a, modernaDose({ ...ana, vax_event_id: 'CH-1', recip_id: 'A-ANA' }));
    await post(b, modernaDose({ ...ana, vax_event_id: 'CH-2', recip_id: 'B-ANA', admin_date: '2021-04-08' }));
    await matched();
    const ana1 = await personOf(a, 'CH-1');
    expect(ana1).toBeDefined();
    expect(await personOf(b, 'CH-2')).toBe(ana1);

    const lot = await api.call('PUT', '/v1/doses/CH-1', {
      key: a.api_key,
      headers: { 'if-match': '"1"' },
      body: modernaDose({ ...ana, vax_event_id: 'CH-1', recip_id: 'A-ANA', lot_number: '041L20A' }),
    });
    expect(lot.status).toBe(200);
    await matched();
    expect(await personOf(a, 'CH-1')).toBe(ana1);
    const lots = (await record(ana1!)).json.doses.map((d: { lot_number: string }) => d.lot_number);
    expect(lots).toContain('041L20A');

    // Site A corrects the patient: the dose was Omar's. It leaves Ana's record for a person of its own.
    const moved = await api.call('PUT', '/v1/doses/CH-1', {
      key: a.api_key,
      headers: { 'if-match': '"2"' },
      body: modernaDose({ ...omar, vax_event_id: 'CH-1', recip_id: 'A-OMAR', lot_number: '041L20A' }),
    });
    expect(moved.status).toBe(200);
    await matched();
    const omar1 = await personOf(a, 'CH-1');
    expect(omar1).toBeDefined();
    expect(omar1).not.toBe(ana1);
    expect((await record(ana1!)).json.doses).toHaveLength(1);
    const decisions = await api.call('GET', `/v1/persons/${ana1}/decisions`);
    expect(decisions.json.decisions.map((d: { kind: string }) => d.kind)).toContain('unlink');

    const del = await api.call('DELETE', '/v1/doses/CH-1', {
      key: a.api_key,
      headers: { 'if-match': '"3"' },
    });
    expect(del.status).toBe(200);
    await matched();
    expect(await personOf(a, 'CH-1')).toBeUndefined();
    expect((await record(omar1!)).status).toBe(404);
    // Linking again what is linked already changes nothing (redeliveries, the outbox sweeper).
    expect(await linkDose(b.iis_id, 'CH-2')).toBe('unchanged');
  });
});

describe('merges and splits (admin)', () => {
  it('records each decision with the doses it moved, and a split undoes a merge', async () => {
    const one = { ...omar, recip_first_name: 'Karim', recip_last_name: 'Nassar', recip_dob: '1990-03-03' };
    const two = { ...ana, recip_first_name: 'Beth', recip_last_name: 'Orr', recip_dob: '1988-08-08' };
    await post(a, modernaDose({ ...one, vax_event_id: 'MG-1', recip_id: 'A-K' }));
    // Another day: the same day and product at two sites would be one dose reported twice once merged.
    await post(b, modernaDose({ ...two, vax_event_id: 'MG-2', recip_id: 'B-B', admin_date: '2021-04-08' }));
    await matched();
    const p1 = (await personOf(a, 'MG-1'))!;
    const p2 = (await personOf(b, 'MG-2'))!;
    expect(p1).not.toBe(p2);

    const denied = await api.call('POST', `/v1/persons/${p1}/merge`, { key: a.api_key, body: { from: p2 } });
    expect(denied.status).toBe(403);
    const self = await api.call('POST', `/v1/persons/${p1}/merge`, { body: { from: p1 } });
    expect(self.status).toBe(400);

    const merged = await api.call('POST', `/v1/persons/${p1}/merge`, { body: { from: p2, reason: 'test' } });
    expect(merged.status).toBe(200);
    expect(merged.json.moved).toEqual([{ iis_id: b.iis_id, vax_event_id: 'MG-2' }]);
    expect((await record(p1)).json.doses).toHaveLength(2);
    // The merged ID answers the person it now lives in.
    expect((await record(p2)).json).toMatchObject({ person_id: p1, merged_from: [p2] });

    const split = await api.call('POST', `/v1/persons/${p1}/split`, {
      body: { doses: [{ iis_id: b.iis_id, vax_event_id: 'MG-2' }] },
    });
    expect(split.status).toBe(200);
    const p3 = split.json.person_id as string;
    expect(await personOf(b, 'MG-2')).toBe(p3);
    expect((await record(p1)).json.doses).toHaveLength(1);
    expect((await record(p3)).json.doses).toHaveLength(1);
    const kinds = (await api.call('GET', `/v1/persons/${p1}/decisions`)).json.decisions.map(
      (d: { kind: string }) => d.kind,
    );
    expect(kinds.slice(0, 2)).toEqual(['split', 'merge']);
  });
});
