import { DynamoDBClient, QueryCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultDeps, submitDoses } from '#doses/submit.ts';
import { modernaDose } from '../fixtures/doses.ts';
import { startDosesApi } from './doses-api-setup.ts';
import { type Client, drain, enroll, type Runtime } from './harness.ts';

/** POST /v1/doses, who may call it, site enrollment, the outbox and the OpenAPI document. PUT and DELETE: doses-api-changes.test.ts. */

let rt: Runtime;
let api: Client;
let site: { iis_id: string; api_key: string };
let registryUrl: string;
let cdcUrl: string;
let dynamo: DynamoDBClient;

beforeAll(async () => {
  ({ rt, api, site, registryUrl, cdcUrl } = await startDosesApi());
  dynamo = new DynamoDBClient({});
});

afterAll(async () => {
  await rt?.stop();
});

describe('POST /v1/doses', () => {
  it('accepts a valid Moderna dose, stores it once, publishes one message per queue; a resubmission is a duplicate', async () => {
    // Prepare
    const dose = modernaDose({ vax_event_id: 'MUST-SHOW-1' });
    // Act
    const first = await api.call('POST', '/v1/doses', { key: site.api_key, body: dose });
    const again = await api.call('POST', '/v1/doses', { key: site.api_key, body: { ...dose, mvx: 'mod' } });
    const read = await api.call('GET', '/v1/doses/MUST-SHOW-1', { key: site.api_key });
    // Assess
    expect(first.status).toBe(200);
    expect(first.json.results).toEqual([
      { vax_event_id: 'MUST-SHOW-1', status: 'accepted', version: 1, issues: [] },
    ]);
    expect(again.json.results[0].status).toBe('duplicate');
    expect(read.status).toBe(200);
    expect(read.headers.get('etag')).toBe('"1"');
    expect(read.json).toMatchObject({
      vax_event_id: 'MUST-SHOW-1',
      iis_id: site.iis_id,
      version: 1,
      deleted: false,
      dose: {
        cvx: '207',
        ndc: '80777-0273-10',
        mvx: 'MOD',
        admin_name: 'Oakland Community Vaccination Clinic',
      },
      reports: { registry: { registry: 'CAIR2', status: 'pending' }, cdc: { status: 'pending' } },
    });
    const reg = (await drain(registryUrl)).filter((m) => m.vax_event_id === 'MUST-SHOW-1');
    const cdc = (await drain(cdcUrl)).filter((m) => m.vax_event_id === 'MUST-SHOW-1');
    expect(reg).toEqual([
      expect.objectContaining({ type: 'dose.change', version: 1, action: 'A', iis_id: site.iis_id }),
    ]);
    expect(cdc).toHaveLength(1);
    const items = await dynamo.send(
      new QueryCommand({
        TableName: rt.env.DOSES_TABLE,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': { S: `DOSE#${site.iis_id}#MUST-SHOW-1` } },
      }),
    );
    expect(items.Count).toBe(1);
    // Pointer messages: no health information on the queues.
    expect(JSON.stringify(reg)).not.toContain('Gonzalez');
  });

  it('rejects an admin date before birth and an unknown CVX with error findings on those fields', async () => {
    const res = await api.call('POST', '/v1/doses', {
      key: site.api_key,
      body: modernaDose({
        vax_event_id: 'BAD-1',
        admin_date: '1950-06-07',
        cvx: '1234',
        ndc: null,
        mvx: null,
      }),
    });
    expect(res.status).toBe(200);
    const [r] = res.json.results;
    expect(r.status).toBe('rejected');
    expect(r.issues).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ code: 'BUSR005', severity: 'error', field: 'recip_dob' }),
        expect.objectContaining({ code: 'DATA007', severity: 'error', field: 'cvx' }),
      ]),
    );
    expect((await api.call('GET', '/v1/doses/BAD-1', { key: site.api_key })).status).toBe(404);
  });

  it('answers a batch of 500 in order: an exact repeat is a duplicate, the same ID with other content BUSR013', async () => {
    const doses = Array.from({ length: 500 }, (_, i) =>
      modernaDose({ vax_event_id: `BATCH-${i}`, recip_id: `P-${i}` }),
    );
    doses[498] = modernaDose({ vax_event_id: 'batch-1', recip_id: 'P-other' });
    doses[499] = modernaDose({ vax_event_id: 'BATCH-0', recip_id: 'P-0' });
    const res = await api.call('POST', '/v1/doses', { key: site.api_key, body: { doses } });
    expect(res.status).toBe(200);
    expect(res.json.results).toHaveLength(500);
    expect(res.json.results.slice(0, 498).every((r: any) => r.status === 'accepted')).toBe(true);
    expect(res.json.results[498]).toMatchObject({
      status: 'rejected',
      issues: [expect.objectContaining({ code: 'BUSR013', field: 'vax_event_id', severity: 'error' })],
    });
    expect(res.json.results[499]).toMatchObject({
      status: 'duplicate',
      issues: [expect.objectContaining({ code: 'BUSR013', severity: 'warning' })],
    });
    expect((await drain(registryUrl)).length).toBe(498);
    expect((await drain(cdcUrl)).length).toBe(498);
  });

  it('says where malformed JSON breaks, and refuses non-JSON, empty and oversized bodies', async () => {
    const bad = await api.call('POST', '/v1/doses', {
      key: site.api_key,
      raw: '{\n  "vax_event_id": "X",\n  "cvx": 207,,\n}',
      headers: { 'content-type': 'application/json' },
    });
    expect(bad.status).toBe(400);
    expect(bad.json.issues[0]).toMatchObject({ code: 'REQ001', severity: 'error', field: 'body' });
    expect(bad.json.message).toMatch(/line 3, column \d+/);
    const text = await api.call('POST', '/v1/doses', {
      key: site.api_key,
      raw: 'vax_event_id=1',
      headers: { 'content-type': 'text/plain' },
    });
    expect(text.status).toBe(415);
    const empty = await api.call('POST', '/v1/doses', { key: site.api_key, body: { doses: [] } });
    expect(empty.status).toBe(400);
    const big = await api.call('POST', '/v1/doses', {
      key: site.api_key,
      raw: JSON.stringify({ doses: [modernaDose({ recip_first_name: 'x'.repeat(5.5 * 1024 * 1024) })] }),
      headers: { 'content-type': 'application/json' },
    });
    expect(big.status).toBe(413);
    expect(big.json.issues[0].code).toBe('REQ003');
    // Past API Gateway's own 10 MB limit the request never reaches a function.
    const huge = await api.call('POST', '/v1/doses', {
      key: site.api_key,
      raw: 'x'.repeat(11 * 1024 * 1024),
      headers: { 'content-type': 'application/json' },
    });
    expect(huge.status).toBe(413);
    const tooMany = await api.call('POST', '/v1/doses', {
      key: site.api_key,
      body: { doses: Array.from({ length: 1001 }, () => ({})) },
    });
    expect(tooMany.status).toBe(413);
    expect(tooMany.json.message).toMatch(/at most 1000/);
  });
});

describe('authentication and access', () => {
  it('401 without a key or with a bad one; the admin key cannot submit doses', async () => {
    const none = await api.call('POST', '/v1/doses', { key: null, body: modernaDose() });
    expect(none.status).toBe(401);
    const wrong = await api.call('POST', '/v1/doses', {
      key: 'cak_0123456789abcdef.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
      body: modernaDose(),
    });
    expect(wrong.status).toBe(401);
    expect(wrong.json.issues[0].code).toBe('AUTH001');
    const admin = await api.call('POST', '/v1/doses', { body: modernaDose() });
    expect(admin.status).toBe(403);
    const siteAsAdmin = await api.call('POST', '/v1/sites', { key: site.api_key, body: {} });
    expect(siteAsAdmin.status).toBe(403);
  });

  it("403 for another enrolled site's iis_id; another site's dose reads as 404", async () => {
    const other = await enroll(api);
    const res = await api.call('POST', '/v1/doses', {
      key: site.api_key,
      body: modernaDose({ vax_event_id: 'FOREIGN-1', iis_id: other.iis_id }),
    });
    expect(res.status).toBe(403);
    expect(res.json.message).toContain(other.iis_id);
    expect((await api.call('GET', '/v1/doses/MUST-SHOW-1', { key: other.api_key })).status).toBe(404);
    expect(
      (await api.call('GET', `/v1/doses/MUST-SHOW-1?iis_id=${site.iis_id}`, { key: other.api_key })).status,
    ).toBe(404);
  });

  it('a sending facility submits for and reads its client site', async () => {
    const hie = await enroll(api);
    const clinic = await enroll(api, { sending_facility_iis_id: hie.iis_id });
    const res = await api.call('POST', '/v1/doses', {
      key: hie.api_key,
      body: modernaDose({ vax_event_id: 'VIA-HIE-1', iis_id: clinic.iis_id }),
    });
    expect(res.json.results[0].status).toBe('accepted');
    const read = await api.call('GET', `/v1/doses/VIA-HIE-1?iis_id=${clinic.iis_id}`, { key: hie.api_key });
    expect(read.status).toBe(200);
    expect((await api.call('GET', '/v1/doses/VIA-HIE-1', { key: clinic.api_key })).status).toBe(200);
  });
});

describe('sites', () => {
  it('409 when enrolling an Org Code twice, and registries derived from the county', async () => {
    const first = await enroll(api);
    const again = await api.call('POST', '/v1/sites', {
      body: { ...(await import('../fixtures/doses.ts')).demoSite, iis_id: first.iis_id },
    });
    expect(again.status).toBe(409);
    expect(again.json.message).toContain('already enrolled: keep using your existing Org Code');
    expect((await enroll(api, { admin_address_county: '06077', admin_address_zip: '95202' })).registry).toBe(
      'RIDE',
    );
    expect((await enroll(api, { admin_address_county: '06073', admin_address_zip: '92101' })).registry).toBe(
      'CAIR2',
    );
  });

  it('rejects an enrollment with bad codes, naming the fields', async () => {
    const res = await api.call('POST', '/v1/sites', {
      body: {
        iis_id: 'BADSITE1',
        admin_name: 'X',
        admin_type: 99,
        admin_address_county: '36061',
        admin_address_state: 'CA',
        responsible_org: 'Y',
      },
    });
    expect(res.status).toBe(400);
    expect(res.json.issues.map((i: any) => `${i.code}:${i.field}`)).toEqual(
      expect.arrayContaining(['DATA007:admin_type', 'BUSR002:admin_address_county']),
    );
  });

  it('a rotated key replaces the old one once the authorizer cache expires', async () => {
    const s = await enroll(api);
    const rotated = await api.call('POST', `/v1/sites/${s.iis_id}/keys`, {});
    expect(rotated.status).toBe(201);
    rt.clearAuthorizerCache();
    const old = await api.call('GET', '/v1/doses/NONE', { key: s.api_key });
    expect(old.status).toBe(401);
    expect(old.json.issues[0].message).toMatch(/revoked/);
    expect((await api.call('GET', '/v1/doses/NONE', { key: rotated.json.api_key })).status).toBe(404);
    await api.call('DELETE', `/v1/sites/${s.iis_id}/keys`, {});
    rt.clearAuthorizerCache();
    expect((await api.call('GET', '/v1/doses/NONE', { key: rotated.json.api_key })).status).toBe(401);
  });
});

describe('nothing is lost between storing and publishing', () => {
  it('a dose stored while a queue is failing reaches it through the outbox sweeper, once per version', async () => {
    const good = rt.env.CDC_QUEUE_URL!;
    // Prepare: the CDC queue is unreachable for this request (the process "dies" before publishing to it).
    process.env.CDC_QUEUE_URL = good.replace(/[^/]+$/, 'no-such-queue');
    let res: Awaited<ReturnType<Client['call']>>;
    try {
      res = await api.call('POST', '/v1/doses', {
        key: site.api_key,
        body: modernaDose({ vax_event_id: 'OUTBOX-1' }),
      });
    } finally {
      process.env.CDC_QUEUE_URL = good;
    }
    expect(res.json.results[0].status).toBe('accepted');
    expect((await drain(cdcUrl)).filter((m) => m.vax_event_id === 'OUTBOX-1')).toEqual([]);
    // Act: the scheduled sweeper runs.
    const swept = await rt.invoke('outboxSweeper', { olderThanSeconds: 0 });
    const again = await rt.invoke('outboxSweeper', { olderThanSeconds: 0 });
    // Assess
    expect(swept).toMatchObject({ republished: 1, stillPending: 0 });
    expect(again).toMatchObject({ republished: 0 });
    expect((await drain(cdcUrl)).filter((m) => m.vax_event_id === 'OUTBOX-1')).toEqual([
      expect.objectContaining({ version: 1, action: 'A' }),
    ]);
    // The registry queue got it at intake; the sweeper sends only to the queue that missed it.
    const reg = (await drain(registryUrl)).filter((m) => m.vax_event_id === 'OUTBOX-1');
    expect(reg).toHaveLength(1);
  });

  it('a process that dies right after storing loses nothing: the sweeper publishes once to each queue', async () => {
    const died = new Error('process died after PutItem');
    const outcome = await submitDoses(
      [modernaDose({ vax_event_id: 'CRASH-1' })],
      { role: 'site', iis_id: site.iis_id },
      new Date(),
      {
        ...defaultDeps,
        publish: async () => {
          throw died;
        },
      },
    );
    expect(outcome).toMatchObject({ ok: true, results: [{ status: 'accepted' }] });
    expect((await drain(registryUrl)).filter((m) => m.vax_event_id === 'CRASH-1')).toEqual([]);
    // A client retrying the request is told it is a duplicate, and nothing is published twice.
    const retry = await api.call('POST', '/v1/doses', {
      key: site.api_key,
      body: modernaDose({ vax_event_id: 'CRASH-1' }),
    });
    expect(retry.json.results[0].status).toBe('duplicate');
    await rt.invoke('outboxSweeper', { olderThanSeconds: 0 });
    expect((await drain(registryUrl)).filter((m) => m.vax_event_id === 'CRASH-1')).toHaveLength(1);
    expect((await drain(cdcUrl)).filter((m) => m.vax_event_id === 'CRASH-1')).toHaveLength(1);
  });
});

describe('GET /v1/openapi.json', () => {
  it('serves an OpenAPI 3.1 document generated from the schemas, without a key', async () => {
    const res = await api.call('GET', '/v1/openapi.json', { key: null });
    expect(res.status).toBe(200);
    expect(res.json.openapi).toBe('3.1.0');
    expect(Object.keys(res.json.paths)).toEqual(
      expect.arrayContaining(['/v1/doses', '/v1/doses/{vax_event_id}', '/v1/sites']),
    );
    expect(res.json.components.schemas.Dose.properties.vax_event_id.description).toMatch(
      /Vaccination event ID/,
    );
  });
});
