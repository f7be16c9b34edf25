import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  BAD_CREDENTIALS_REASON,
  ClearinghouseClient,
  parseClearinghouseConfig,
  parseProcessingError,
  parseValidationError,
  RECORD_TYPE_HEADER,
  type UploadOutcome,
} from '../../shared/cdc/clearinghouse.ts';
import { cvrsFileText, cvrsRecord } from '../../shared/cdc/cvrs-file.ts';
import { CVRS_FIELDS } from '../../shared/domain/fields.ts';
import { normalizeDose } from '../../shared/domain/normalize.ts';
import { type ClearinghouseStandin, startClearinghouseStandin } from '../../local/standins/clearinghouse.ts';
import { demoSite, modernaDose } from '../fixtures/doses.ts';

const SECRET = 'test-secret-for-recip-ids';
const CLIENT = { clientId: 'caa-client', clientSecret: 'caa-secret-value' };
const EVENT = CVRS_FIELDS.indexOf('vax_event_id');

function record(n: number, overrides: Record<string, unknown> = {}): string[] {
  const dose = normalizeDose({
    ...modernaDose({ vax_event_id: `EVT-${n}`, recip_id: `PAT-${n}`, ...overrides }),
    ...demoSite,
  }).dose;
  return cvrsRecord(dose, SECRET);
}

function accepted(outcome: UploadOutcome) {
  if (outcome.kind !== 'accepted') throw new Error(`expected accepted, got ${JSON.stringify(outcome)}`);
  return outcome.receipt;
}

describe('Data Clearinghouse client against the stand-in', () => {
  let standin: ClearinghouseStandin;
  let client: ClearinghouseClient;
  const logLines: string[] = [];

  beforeAll(async () => {
    standin = await startClearinghouseStandin({
      port: 0,
      ...CLIENT,
      logger: (line) => logLines.push(line),
      now: () => new Date('2026-11-24T18:00:00Z'),
    });
  });
  afterAll(() => standin.stop());
  beforeEach(() => {
    standin.clearFaults();
    client = new ClearinghouseClient({ url: standin.url, ...CLIENT });
  });

  it('gets a token, uploads a valid "new" file, and the stand-in holds its records', async () => {
    const records = [record(1), record(2), record(3, { vax_refusal: 'YES' })];
    const before = standin.tokenRequests();
    const receipt = accepted(await client.upload('20261124_01_CAA.txt', 'new', cvrsFileText(records)));
    expect(receipt).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      validationErrors: [],
      processingErrors: [],
      truncated: false,
    });
    expect(standin.tokenRequests() - before).toBe(1);
    const ids = records.map((r) => r[EVENT]!);
    expect(standin.received().at(-1)).toMatchObject({
      id: receipt.id,
      fileName: '20261124_01_CAA.txt',
      recordType: 'new',
      records: 3,
      validationErrors: 0,
      processingErrors: 0,
      eventIds: ids,
    });
    for (const id of ids) expect(standin.holds(id)).toBe(true);

    // The same file again as "new": one processing error per record. The cached token is reused.
    const again = accepted(await client.upload('20261124_02_CAA.txt', 'new', cvrsFileText(records)));
    expect(again.validationErrors).toEqual([]);
    expect(again.processingErrors).toHaveLength(3);
    expect(again.processingErrors.map((e) => parseProcessingError(e))).toEqual(
      ids.map((id) => ({ vaxEventId: id, message: 'Record already exists' })),
    );
    expect(standin.tokenRequests() - before).toBe(1);

    // Deleting one, then changing it, misses it.
    const deleted = accepted(
      await client.upload('20261124_03_CAA.txt', 'deleted', cvrsFileText([records[0]!])),
    );
    expect(deleted.processingErrors).toEqual([]);
    expect(standin.holds(ids[0]!)).toBe(false);
    const change = accepted(
      await client.upload('20261124_04_CAA.txt', 'changed', cvrsFileText([records[0]!])),
    );
    expect(change.processingErrors.map((e) => parseProcessingError(e).message)).toEqual([
      'No record to change',
    ]);
  });

  it('reports a processing error for a "changed" record it does not hold', async () => {
    const rec = record(100);
    const receipt = accepted(await client.upload('20261124_05_CAA.txt', 'changed', cvrsFileText([rec])));
    expect(receipt.validationErrors).toEqual([]);
    expect(receipt.processingErrors).toEqual([
      `VaxEventId=${rec[EVENT]} RecipId=${rec[CVRS_FIELDS.indexOf('recip_id')]} message=No record to change`,
    ]);
    expect(standin.holds(rec[EVENT]!)).toBe(false);
    const del = accepted(await client.upload('20261124_06_CAA.txt', 'deleted', cvrsFileText([rec])));
    expect(del.processingErrors.map((e) => parseProcessingError(e).message)).toEqual(['No record to delete']);
  });

  it('answers a validation error for a name that is not redacted, and does not take that record', async () => {
    const bad = record(200);
    bad[CVRS_FIELDS.indexOf('recip_first_name')] = 'Maria';
    const good = record(201);
    const receipt = accepted(await client.upload('20261124_07_CAA.txt', 'new', cvrsFileText([bad, good])));
    expect(receipt.validationErrors).toHaveLength(1);
    expect(receipt.validationErrors[0]).toMatch(/^line#2 field=recip_first_name message=/);
    expect(receipt.validationErrors[0]).not.toContain('Maria');
    expect(parseValidationError(receipt.validationErrors[0]!)).toMatchObject({
      line: 2,
      field: 'recip_first_name',
    });
    expect(receipt.processingErrors).toEqual([]);
    expect(standin.holds(bad[EVENT]!)).toBe(false);
    expect(standin.holds(good[EVENT]!)).toBe(true);
  });

  it('answers one validation error for a wrong header and holds nothing', async () => {
    const rec = record(300);
    const text = cvrsFileText([rec]).replace('vax_route', 'route');
    const receipt = accepted(await client.upload('20261124_08_CAA.txt', 'new', text));
    expect(receipt.validationErrors).toHaveLength(1);
    expect(parseValidationError(receipt.validationErrors[0]!)).toMatchObject({ line: 1, field: 'header' });
    expect(receipt.processingErrors).toEqual([]);
    expect(standin.holds(rec[EVENT]!)).toBe(false);
    expect(standin.received().at(-1)).toMatchObject({ records: 0, validationErrors: 1 });
  });

  it('is refused with a wrong client secret, without the secret in the reason', async () => {
    const wrong = new ClearinghouseClient({
      url: standin.url,
      clientId: CLIENT.clientId,
      clientSecret: 'nope',
    });
    const outcome = await wrong.upload('20261124_09_CAA.txt', 'new', cvrsFileText([record(400)]));
    expect(outcome).toEqual({ kind: 'refused', status: 401, reason: BAD_CREDENTIALS_REASON });
    expect(standin.holds(record(400)[EVENT]!)).toBe(false);
  });

  it('retries through two server errors, then is accepted', async () => {
    standin.setFaults({ failNext: 2, status: 500 });
    const text = cvrsFileText([record(500)]);
    const first = await client.upload('20261124_10_CAA.txt', 'new', text);
    const second = await client.upload('20261124_10_CAA.txt', 'new', text);
    expect([first.kind, second.kind]).toEqual(['retry', 'retry']);
    expect(first.kind === 'retry' && first.reason).toMatch(/^HTTP 500/);
    expect(standin.holds(record(500)[EVENT]!)).toBe(false);
    const third = accepted(await client.upload('20261124_10_CAA.txt', 'new', text));
    expect(third.processingErrors).toEqual([]);
    expect(standin.holds(record(500)[EVENT]!)).toBe(true);
  });

  it('gets a new token when the old one stops working, without the caller noticing', async () => {
    const before = standin.tokenRequests();
    accepted(await client.upload('20261124_11_CAA.txt', 'new', cvrsFileText([record(600)])));
    standin.setFaults({ expireTokens: true });
    const receipt = accepted(await client.upload('20261124_12_CAA.txt', 'new', cvrsFileText([record(601)])));
    expect(receipt.processingErrors).toEqual([]);
    expect(standin.tokenRequests() - before).toBe(2);
    expect(standin.holds(record(601)[EVENT]!)).toBe(true);
  });

  it('renews a token 60 s before it expires', async () => {
    let clock = Date.now();
    const timed = new ClearinghouseClient({ url: standin.url, ...CLIENT }, { now: () => clock });
    const before = standin.tokenRequests();
    accepted(await timed.upload('20261124_13_CAA.txt', 'new', cvrsFileText([record(700)])));
    clock += (900 - 65) * 1000;
    accepted(await timed.upload('20261124_14_CAA.txt', 'new', cvrsFileText([record(701)])));
    expect(standin.tokenRequests() - before).toBe(1);
    clock += 10_000;
    accepted(await timed.upload('20261124_15_CAA.txt', 'new', cvrsFileText([record(702)])));
    expect(standin.tokenRequests() - before).toBe(2);
  });

  it('serves what it received and its faults over HTTP, and logs no content', async () => {
    const list = (await (await fetch(`${standin.url}/_standin/received`)).json()) as unknown[];
    expect(list).toEqual(standin.received());
    const put = await fetch(`${standin.url}/_standin/faults`, {
      method: 'PUT',
      body: JSON.stringify({ failNext: 1, status: 503 }),
    });
    expect(await put.json()).toEqual({ failNext: 1, status: 503 });
    const outcome = await client.upload('20261124_16_CAA.txt', 'new', cvrsFileText([record(800)]));
    expect(outcome).toMatchObject({ kind: 'retry', reason: expect.stringMatching(/^HTTP 503/) });
    await fetch(`${standin.url}/_standin/faults`, { method: 'DELETE' });
    accepted(await client.upload('20261124_16_CAA.txt', 'new', cvrsFileText([record(800)])));
    expect(logLines.length).toBeGreaterThan(0);
    const all = logLines.join('\n');
    for (const secret of [CLIENT.clientSecret, 'Maria', record(800)[EVENT]!])
      expect(all).not.toContain(secret);
  });

  it('answers 415 to a file that is not text/plain, which the client takes as refused', async () => {
    const tokenRes = await fetch(`${standin.url}/v0/token/gen`, {
      method: 'POST',
      body: JSON.stringify({
        clientID: CLIENT.clientId,
        clientSecret: CLIENT.clientSecret,
        scopes: ['UPLOAD'],
      }),
    });
    const { token } = (await tokenRes.json()) as { token: string };
    const res = await fetch(`${standin.url}/v0/upload/cvrs/batch`, {
      method: 'POST',
      headers: { authorization: token, 'content-type': 'text/csv', [RECORD_TYPE_HEADER]: 'new' },
      body: cvrsFileText([record(900)]),
    });
    expect(res.status).toBe(415);
    const unauth = await fetch(`${standin.url}/v0/upload/cvrs/batch`, {
      method: 'POST',
      headers: { authorization: 'Bearer nothing', 'content-type': 'text/plain' },
      body: 'x',
    });
    expect(unauth.status).toBe(401);
    expect(await unauth.json()).toEqual({ message: 'Unauthorized' });
  });
});

describe('Data Clearinghouse client on its own', () => {
  const config = { url: 'https://dch.example.test/base/', clientId: 'id', clientSecret: 's3cr3t' };
  const json = (status: number, body: unknown) =>
    new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  const tokenAnswer = () => json(200, { token: 'tok', expiration: Math.floor(Date.now() / 1000) + 900 });

  it('sends the documented requests', async () => {
    const calls: { url: string; init: RequestInit }[] = [];
    const fetchStub: typeof fetch = async (input, init) => {
      calls.push({ url: String(input), init: init ?? {} });
      return calls.length === 1
        ? tokenAnswer()
        : json(200, { id: 'r1', validationErrors: ['line#2 field=cvx message=bad'], processingErrors: [] });
    };
    const outcome = await new ClearinghouseClient(config, { fetch: fetchStub }).upload(
      'a"b.txt',
      'changed',
      'TEXT',
    );
    expect(outcome).toEqual({
      kind: 'accepted',
      status: 200,
      receipt: {
        id: 'r1',
        validationErrors: ['line#2 field=cvx message=bad'],
        processingErrors: [],
        truncated: false,
      },
    });
    expect(calls[0]!.url).toBe('https://dch.example.test/base/v0/token/gen');
    expect(JSON.parse(String(calls[0]!.init.body))).toEqual({
      clientID: 'id',
      clientSecret: 's3cr3t',
      scopes: ['UPLOAD'],
    });
    expect(calls[1]!.url).toBe('https://dch.example.test/base/v0/upload/cvrs/batch');
    expect(calls[1]!.init.headers).toMatchObject({
      Authorization: 'tok',
      'Content-Type': 'text/plain',
      Accept: 'application/json',
      [RECORD_TYPE_HEADER]: 'changed',
      'Content-Disposition': 'attachment; filename="a_b.txt"',
    });
    expect(calls[1]!.init.body).toBe('TEXT');
  });

  it('tells retry from refused', async () => {
    const answering =
      (...uploads: (() => Response | Promise<Response>)[]): typeof fetch =>
      async (input) =>
        String(input).endsWith('/token/gen') ? tokenAnswer() : uploads.shift()!();
    const outcome = (f: typeof fetch) =>
      new ClearinghouseClient(config, { fetch: f, timeoutMs: 50 }).upload('f.txt', 'new', 'x');
    expect(await outcome(answering(() => new Response('busy', { status: 503 })))).toEqual({
      kind: 'retry',
      reason: 'HTTP 503: busy',
    });
    expect((await outcome(answering(() => new Response('slow down', { status: 429 })))).kind).toBe('retry');
    expect((await outcome(answering(() => new Response('<html>', { status: 200 })))).kind).toBe('retry');
    expect(await outcome(answering(() => new Response('x'.repeat(500), { status: 413 })))).toEqual({
      kind: 'refused',
      status: 413,
      reason: `HTTP 413: ${'x'.repeat(200)}`,
    });
    const unauthorized = () => new Response('{"message":"Unauthorized"}', { status: 401 });
    expect(await outcome(answering(unauthorized, unauthorized))).toMatchObject({
      kind: 'refused',
      status: 401,
    });
    const network: typeof fetch = async () => {
      throw new TypeError('fetch failed', {
        cause: Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }),
      });
    };
    expect(await outcome(network)).toEqual({
      kind: 'retry',
      reason: 'Token request: Network error: fetch failed (ECONNREFUSED)',
    });
    const hanging: typeof fetch = (_input, init) =>
      new Promise((_resolve, reject) => {
        init?.signal?.addEventListener('abort', () => reject(init.signal?.reason));
      });
    expect(await outcome(hanging)).toEqual({
      kind: 'retry',
      reason: 'Token request: No answer within 50 ms',
    });
  });

  it('reads its configuration without ever quoting the secret', () => {
    expect(
      parseClearinghouseConfig('{"url":"https://dch.example.test","clientId":"a","clientSecret":"b"}'),
    ).toEqual({ url: 'https://dch.example.test', clientId: 'a', clientSecret: 'b' });
    expect(() => parseClearinghouseConfig('{"url":"https://dch.example.test","clientId":"a"}')).toThrow(
      'Clearinghouse config is missing "clientSecret"',
    );
    expect(() => parseClearinghouseConfig('{"clientSecret":"hunter2-secret" oops')).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining('hunter2') }),
    );
    expect(() =>
      parseClearinghouseConfig('{"url":"http://dch.example.test","clientId":"a","clientSecret":"b"}'),
    ).toThrow(/https/);
    expect(
      parseClearinghouseConfig('{"url":"http://127.0.0.1:4000","clientId":"a","clientSecret":"b"}').url,
    ).toBe('http://127.0.0.1:4000');
  });

  it('splits CDC error strings into their parts', () => {
    expect(parseValidationError('line#12 field=vax_route message=Invalid value XX')).toEqual({
      line: 12,
      field: 'vax_route',
      message: 'Invalid value XX',
    });
    expect(parseValidationError('something else')).toEqual({ message: 'something else' });
    expect(parseProcessingError('VaxEventId=E1 RecipId=R1 message=Record already exists')).toEqual({
      vaxEventId: 'E1',
      message: 'Record already exists',
    });
    expect(parseProcessingError('odd')).toEqual({ message: 'odd' });
  });
});
