import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modernaDose } from '../fixtures/doses.ts';
import { startDosesApi } from './doses-api-setup.ts';
import { type Client, drain, enroll, type Runtime } from './harness.ts';

/** PUT and DELETE /v1/doses/{vax_event_id}: If-Match, retries, races, another site's dose, limits and rules. */

let rt: Runtime;
let api: Client;
let site: { iis_id: string; api_key: string };
let registryUrl: string;
let cdcUrl: string;

beforeAll(async () => {
  ({ rt, api, site, registryUrl, cdcUrl } = await startDosesApi());
});

afterAll(async () => {
  await rt?.stop();
});

describe('updates and deletes', () => {
  it('updates with If-Match, refuses stale versions (412), and deletes logically', async () => {
    const id = 'CHANGE-1';
    await api.call('POST', '/v1/doses', { key: site.api_key, body: modernaDose({ vax_event_id: id }) });
    const noMatch = await api.call('PUT', `/v1/doses/${id}`, {
      key: site.api_key,
      body: modernaDose({ vax_event_id: id }),
    });
    expect(noMatch.status).toBe(428);
    const upd = await api.call('PUT', `/v1/doses/${id}`, {
      key: site.api_key,
      headers: { 'if-match': '"1"' },
      body: modernaDose({ vax_event_id: id, lot_number: '040A21A' }),
    });
    expect(upd.status).toBe(200);
    expect(upd.headers.get('etag')).toBe('"2"');
    const stale = await api.call('PUT', `/v1/doses/${id}`, {
      key: site.api_key,
      headers: { 'if-match': '"1"' },
      body: modernaDose({ vax_event_id: id, lot_number: '041A21A' }),
    });
    expect(stale.status).toBe(412);
    // Two racing updates of version 2: exactly one wins.
    const race = await Promise.all(
      ['042A21A', '043A21A'].map((lot) =>
        api.call('PUT', `/v1/doses/${id}`, {
          key: site.api_key,
          headers: { 'if-match': '"2"' },
          body: modernaDose({ vax_event_id: id, lot_number: lot }),
        }),
      ),
    );
    expect(race.map((r) => r.status).sort()).toEqual([200, 412]);
    const del = await api.call('DELETE', `/v1/doses/${id}`, {
      key: site.api_key,
      headers: { 'if-match': '"3"' },
    });
    expect(del.status).toBe(200);
    expect(del.json).toMatchObject({ status: 'deleted', version: 4, deleted: true, action: 'D' });
    const read = await api.call('GET', `/v1/doses/${id}`, { key: site.api_key });
    expect(read.json).toMatchObject({ deleted: true, version: 4 });
    const msgs = (await drain(registryUrl)).filter((m) => m.vax_event_id === id);
    expect(msgs.map((m) => `${m.version}${m.action}`).sort()).toEqual(['1A', '2U', '3U', '4D']);
    await drain(cdcUrl);
  });

  it('reads If-Match as RFC 9110 does: lists, *, weak and unknown tags (issue 12, defect 8)', async () => {
    const id = 'CHANGE-RFC9110';
    await api.call('POST', '/v1/doses', { key: site.api_key, body: modernaDose({ vax_event_id: id }) });
    const put = (ifMatch: string, lot: string) =>
      api.call('PUT', `/v1/doses/${id}`, {
        key: site.api_key,
        headers: { 'if-match': ifMatch },
        body: modernaDose({ vax_event_id: id, lot_number: lot }),
      });
    // A list matches if any member is the current version.
    const listed = await put('"7", "1"', '050A21A');
    expect(listed.status).toBe(200);
    expect(listed.headers.get('etag')).toBe('"2"');
    // * matches whatever version exists.
    const any = await put('*', '051A21A');
    expect(any.status).toBe(200);
    expect(any.headers.get('etag')).toBe('"3"');
    // Well-formed tags that do not match: the precondition fails (412), the request is not malformed (400).
    for (const stale of ['"stale-version"', '"7"', 'W/"3"', '"1", "2"']) {
      const r = await put(stale, '052A21A');
      expect(r.status, stale).toBe(412);
      expect(r.json).toMatchObject({ issues: [{ code: 'REQ412' }] });
    }
    const malformed = await put('3', '052A21A');
    expect(malformed.status).toBe(400);
    expect(JSON.stringify(malformed.json)).toContain('REQ006');
    // Unbalanced quotes are not entity-tags (issue 18, item 7).
    for (const bad of ['"3', '3"', 'W/"3']) {
      const r = await put(bad, '052A21A');
      expect(r.status, bad).toBe(400);
      expect(r.json).toMatchObject({ issues: [{ code: 'REQ006', field: 'if-match', severity: 'error' }] });
    }
    expect((await put('', '052A21A')).status).toBe(428);
    const delWeak = await api.call('DELETE', `/v1/doses/${id}`, {
      key: site.api_key,
      headers: { 'if-match': 'W/"3"' },
    });
    expect(delWeak.status).toBe(412);
    const del = await api.call('DELETE', `/v1/doses/${id}`, {
      key: site.api_key,
      headers: { 'if-match': '*' },
    });
    expect(del.status).toBe(200);
    expect(del.json).toMatchObject({ deleted: true, version: 4 });
    // * on an ID with no dose is not found, as any If-Match there is.
    const none = await api.call('DELETE', '/v1/doses/NO-SUCH-DOSE', {
      key: site.api_key,
      headers: { 'if-match': '*' },
    });
    expect(none.status).toBe(404);
    await drain(registryUrl);
    await drain(cdcUrl);
  });

  it('a retried update or delete answers as the first did; a stale If-Match with old content is 412', async () => {
    const id = 'RETRY-1';
    await api.call('POST', '/v1/doses', { key: site.api_key, body: modernaDose({ vax_event_id: id }) });
    const put = () =>
      api.call('PUT', `/v1/doses/${id}`, {
        key: site.api_key,
        headers: { 'if-match': '"1"' },
        body: modernaDose({ vax_event_id: id, lot_number: '050B21A' }),
      });
    const first = await put();
    const retried = await put();
    expect([first.status, retried.status]).toEqual([200, 200]);
    expect(retried.json.version).toBe(2);
    const stale = await api.call('PUT', `/v1/doses/${id}`, {
      key: site.api_key,
      headers: { 'if-match': '"1"' },
      body: modernaDose({ vax_event_id: id }),
    });
    expect(stale.status).toBe(412);
    const del = () =>
      api.call('DELETE', `/v1/doses/${id}`, { key: site.api_key, headers: { 'if-match': '"2"' } });
    expect((await del()).status).toBe(200);
    expect((await del()).json).toMatchObject({ status: 'deleted', version: 3 });
    const msgs = (await drain(registryUrl)).filter((m) => m.vax_event_id === id);
    expect(msgs.map((m) => `${m.version}${m.action}`)).toEqual(['1A', '2U', '3D']);
    await drain(cdcUrl);
    // Posting the deleted dose again does not resurrect it or pass as a duplicate.
    const again = await api.call('POST', '/v1/doses', {
      key: site.api_key,
      body: modernaDose({ vax_event_id: id }),
    });
    expect(again.json.results[0]).toMatchObject({
      status: 'rejected',
      issues: [expect.objectContaining({ code: 'DQ020' })],
    });
  });

  it('another site cannot update or delete a dose: 404, and the dose is unchanged', async () => {
    await api.call('POST', '/v1/doses', {
      key: site.api_key,
      body: modernaDose({ vax_event_id: 'FOREIGN-1' }),
    });
    const other = await enroll(api);
    const put = await api.call('PUT', '/v1/doses/FOREIGN-1', {
      key: other.api_key,
      headers: { 'if-match': '"1"' },
      body: modernaDose({ vax_event_id: 'FOREIGN-1', lot_number: '999Z99Z' }),
    });
    const del = await api.call('DELETE', `/v1/doses/FOREIGN-1?iis_id=${site.iis_id}`, {
      key: other.api_key,
      headers: { 'if-match': '"1"' },
    });
    expect([put.status, del.status]).toEqual([404, 404]);
    const read = await api.call('GET', '/v1/doses/FOREIGN-1', { key: site.api_key });
    expect(read.json).toMatchObject({ version: 1, deleted: false, dose: { lot_number: '039K20A' } });
  });

  it('answers an identifier over its documented length with 400 REQ009 before any read or write (issue 18, item 2)', async () => {
    const id = 'E'.repeat(2049); // over DynamoDB's 2,048-byte key: PUT and DELETE answered 500
    const calls = {
      get: await api.call('GET', `/v1/doses/${id}`, { key: site.api_key }),
      put: await api.call('PUT', `/v1/doses/${id}`, {
        key: site.api_key,
        headers: { 'if-match': '"1"' },
        body: modernaDose({ vax_event_id: id }),
      }),
      del: await api.call('DELETE', `/v1/doses/${id}`, { key: site.api_key, headers: { 'if-match': '"1"' } }),
      just: await api.call('GET', `/v1/doses/${'E'.repeat(200)}`, { key: site.api_key }),
      site: await api.call('GET', `/v1/doses/ANY?iis_id=${'S'.repeat(21)}`, { key: site.api_key }),
      enrolled: await api.call('GET', `/v1/sites/${'S'.repeat(2049)}`),
      rotate: await api.call('POST', `/v1/sites/${'S'.repeat(2049)}/keys`),
      upload: await api.call('GET', `/v1/uploads/${'U'.repeat(2049)}`, { key: site.api_key }),
      lot: await api.call('GET', `/v1/lots/80777-0273-99/039K20A?iis_id=${'S'.repeat(21)}`, {
        key: site.api_key,
      }),
    };
    for (const [name, res] of Object.entries(calls)) {
      expect(res.status, name).toBe(400);
      expect(res.json.issues, name).toEqual([
        expect.objectContaining({
          code: 'REQ009',
          severity: 'error',
          field: expect.stringMatching(/^(vax_event_id|iis_id|upload_id)$/),
        }),
      ]);
      expect(JSON.stringify(res.json), name).not.toContain('EEEEEEEE');
    }
    // The longest ID a dose can have is read as any other: not stored here, 404.
    expect((await api.call('GET', `/v1/doses/${'E'.repeat(199)}`, { key: site.api_key })).status).toBe(404);
  });

  it('rejects an update that breaks a rule with 422 and stores nothing', async () => {
    const id = 'CHANGE-2';
    await api.call('POST', '/v1/doses', { key: site.api_key, body: modernaDose({ vax_event_id: id }) });
    const res = await api.call('PUT', `/v1/doses/${id}`, {
      key: site.api_key,
      headers: { 'if-match': '"1"' },
      body: modernaDose({ vax_event_id: id, cvx: '900' }),
    });
    expect(res.status).toBe(422);
    expect(res.json.issues.map((i: any) => i.code)).toContain('DQ013');
    expect((await api.call('GET', `/v1/doses/${id}`, { key: site.api_key })).json.version).toBe(1);
  });
});
