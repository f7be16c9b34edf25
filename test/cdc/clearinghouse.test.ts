import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  BAD_CREDENTIALS_REASON,
  CLIENT_CERT_REFUSED_REASON,
  ClearinghouseClient,
  GZIP_MIN_BYTES,
  type HttpAnswer,
  type HttpRequest,
  type HttpSend,
  nodeSend,
  parseClearinghouseConfig,
  parseProcessingError,
  parseValidationError,
  RECORD_TYPE_HEADER,
  type UploadOutcome,
} from '#cdc/clearinghouse.ts';
import { cvrsFileText, cvrsRecord } from '#codecs/cvrs/file.ts';
import { CVRS_FIELDS } from '#doses/fields.ts';
import { normalizeDose } from '#doses/normalize.ts';
import { type ClearinghouseStandin, startClearinghouseStandin } from '../../local/standins/clearinghouse.ts';
import { generateLocalTls } from '../../local/standins/tls.ts';
import { demoSite, modernaDose } from '../fixtures/doses.ts';

const SECRET = 'test-secret-for-recip-ids';
const CLIENT = { clientId: 'caa-client', clientSecret: 'caa-secret-value' };
const EVENT = CVRS_FIELDS.indexOf('vax_event_id');
/** The stand-in's CA with its server and client certificates, and a second CA's, made once for the file. */
const TLS = generateLocalTls();
const OTHER_TLS = generateLocalTls();

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
    // As CDC's validator and its Clearinghouse mock number them: the first record after the header is 1.
    expect(receipt.validationErrors[0]).toMatch(/^line#1 field=recip_first_name message=/);
    // CDC's message names the value, as CDC's would: our pre-send check is what keeps names from leaving.
    expect(receipt.validationErrors[0]).toContain('should contain value Redacted');
    expect(parseValidationError(receipt.validationErrors[0]!)).toMatchObject({
      line: 1,
      field: 'recip_first_name',
    });
    expect(receipt.processingErrors).toEqual([]);
    expect(standin.holds(bad[EVENT]!)).toBe(false);
    expect(standin.holds(good[EVENT]!)).toBe(true);
  });

  it("answers CDC's header errors for a wrong header (line -1) and holds nothing", async () => {
    const rec = record(300);
    const text = cvrsFileText([rec]).replace('vax_route', 'route');
    const receipt = accepted(await client.upload('20261124_08_CAA.txt', 'new', text));
    expect(receipt.validationErrors.map((e) => parseValidationError(e))).toEqual([
      { line: -1, field: 'Header', message: 'Input contains invalid headers: [route]' },
      { line: -1, field: 'Header', message: 'File is missing headers [vax_route]' },
    ]);
    expect(receipt.processingErrors).toEqual([]);
    expect(standin.holds(rec[EVENT]!)).toBe(false);
    expect(standin.received().at(-1)).toMatchObject({ records: 1, validationErrors: 2 });
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

  it('refreshes a token 60 s before it expires, rather than generating another', async () => {
    let clock = Date.now();
    const timed = new ClearinghouseClient({ url: standin.url, ...CLIENT }, { now: () => clock });
    const before = { gen: standin.tokenRequests(), refresh: standin.refreshRequests() };
    accepted(await timed.upload('20261124_13_CAA.txt', 'new', cvrsFileText([record(700)])));
    clock += (900 - 65) * 1000;
    accepted(await timed.upload('20261124_14_CAA.txt', 'new', cvrsFileText([record(701)])));
    expect(standin.refreshRequests() - before.refresh).toBe(0);
    clock += 10_000;
    accepted(await timed.upload('20261124_15_CAA.txt', 'new', cvrsFileText([record(702)])));
    expect(standin.tokenRequests() - before.gen).toBe(1);
    expect(standin.refreshRequests() - before.refresh).toBe(1);
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
  const json = (status: number, body: unknown): HttpAnswer => ({ status, body: JSON.stringify(body) });
  const tokenAnswer = () => json(200, { token: 'tok', expiration: Math.floor(Date.now() / 1000) + 900 });
  const text = (req: HttpRequest) => Buffer.from(req.body).toString('utf8');

  it('sends the documented requests', async () => {
    const calls: HttpRequest[] = [];
    const send: HttpSend = async (req) => {
      calls.push(req);
      return calls.length === 1
        ? tokenAnswer()
        : json(200, { id: 'r1', validationErrors: ['line#2 field=cvx message=bad'], processingErrors: [] });
    };
    const outcome = await new ClearinghouseClient(config, { send }).upload('a"b.txt', 'changed', 'TEXT');
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
    expect(JSON.parse(text(calls[0]!))).toEqual({
      clientID: 'id',
      clientSecret: 's3cr3t',
      scopes: ['UPLOAD'],
    });
    expect(calls[1]!.url).toBe('https://dch.example.test/base/v0/upload/cvrs/batch');
    expect(calls[1]!.headers).toEqual({
      Authorization: 'tok',
      'Content-Type': 'text/plain',
      Accept: 'application/json',
      [RECORD_TYPE_HEADER]: 'changed',
      'Content-Disposition': 'attachment; filename="a_b.txt"',
    });
    // Short bodies go as they are, as CDC's sender sends them.
    expect(text(calls[1]!)).toBe('TEXT');
  });

  it('gzips a body over 1 KiB and says so', async () => {
    const calls: HttpRequest[] = [];
    const send: HttpSend = async (req) => {
      calls.push(req);
      return calls.length === 1 ? tokenAnswer() : json(200, { id: 'r1' });
    };
    const client = new ClearinghouseClient(config, { send });
    const long = 'é'.repeat(GZIP_MIN_BYTES);
    accepted(await client.upload('f.txt', 'new', long));
    expect(calls[1]!.headers['Content-Encoding']).toBe('gzip');
    expect(gunzipSync(calls[1]!.body).toString('utf8')).toBe(long);
    expect(calls[1]!.body.byteLength).toBeLessThan(200);
    // Exactly 1024 bytes is not over the threshold.
    accepted(await client.upload('g.txt', 'new', 'x'.repeat(GZIP_MIN_BYTES)));
    expect(calls[2]!.headers['Content-Encoding']).toBeUndefined();
    expect(text(calls[2]!)).toBe('x'.repeat(GZIP_MIN_BYTES));
  });

  it('tells retry from refused', async () => {
    const answering =
      (...uploads: (() => HttpAnswer | Promise<HttpAnswer>)[]): HttpSend =>
      async (req) =>
        req.url.endsWith('/token/gen') ? tokenAnswer() : uploads.shift()!();
    const outcome = (send: HttpSend, options: { certificate?: string } = {}) =>
      new ClearinghouseClient({ ...config, ...options }, { send, timeoutMs: 50 }).upload('f.txt', 'new', 'x');
    expect(await outcome(answering(() => ({ status: 503, body: 'busy' })))).toEqual({
      kind: 'retry',
      reason: 'HTTP 503: busy',
    });
    expect((await outcome(answering(() => ({ status: 429, body: 'slow down' })))).kind).toBe('retry');
    expect((await outcome(answering(() => ({ status: 200, body: '<html>' })))).kind).toBe('retry');
    expect(await outcome(answering(() => ({ status: 413, body: 'x'.repeat(500) })))).toEqual({
      kind: 'refused',
      status: 413,
      reason: `HTTP 413: ${'x'.repeat(200)}`,
    });
    const unauthorized = () => ({ status: 401, body: '{"message":"Unauthorized"}' });
    expect(await outcome(answering(unauthorized, unauthorized))).toMatchObject({
      kind: 'refused',
      status: 401,
    });
    const failing =
      (err: Error): HttpSend =>
      async () => {
        throw err;
      };
    const refusedConnection = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), {
      code: 'ECONNREFUSED',
    });
    expect(await outcome(failing(refusedConnection))).toEqual({
      kind: 'retry',
      reason: 'Token request: Network error: connect ECONNREFUSED 127.0.0.1:9 (ECONNREFUSED)',
    });
    const hanging: HttpSend = (_req, signal) =>
      new Promise((_resolve, reject) => {
        signal.addEventListener('abort', () => reject(signal.reason));
      });
    expect(await outcome(hanging)).toEqual({
      kind: 'retry',
      reason: 'Token request: No answer within 50 ms',
    });
    // TLS: the server's alert names the cause; with no certificate configured, the fix says to add one.
    const alert = (what: string, n: number) =>
      Object.assign(new Error(`SSL routines:ssl3_read_bytes:${what}:SSL alert number ${n}`), {
        code: 'ERR_SSL_X',
      });
    const missing = await outcome(failing(alert('tlsv13 alert certificate required', 116)));
    expect(missing).toEqual({
      kind: 'refused',
      reason: expect.stringContaining(`${CLIENT_CERT_REFUSED_REASON} (TLS alert "certificate required")`),
    });
    expect(missing.kind === 'refused' && missing.reason).toContain('none is configured');
    const unknownCa = await outcome(failing(alert('tlsv1 alert unknown ca', 48)), { certificate: 'pem' });
    expect(unknownCa.kind === 'refused' && unknownCa.reason).toMatch(
      /TLS client certificate \(TLS alert "unknown ca"\): check that "certificate" and "privateKey"/,
    );
    const untrusted = Object.assign(new Error('self-signed certificate in certificate chain'), {
      code: 'SELF_SIGNED_CERT_IN_CHAIN',
    });
    expect(await outcome(failing(untrusted))).toEqual({
      kind: 'refused',
      reason: expect.stringContaining('server certificate is not trusted (SELF_SIGNED_CERT_IN_CHAIN)'),
    });
  });

  it('refreshes a token a minute before it expires, for 24 hours, then generates a new one', async () => {
    let clock = Date.parse('2026-11-24T08:00:00Z');
    const calls: HttpRequest[] = [];
    let issued = 0;
    const send: HttpSend = async (req) => {
      calls.push(req);
      if (req.url.endsWith('/upload/cvrs/batch')) return json(200, { id: 'r' });
      return json(200, { token: `tok${++issued}`, expiration: Math.floor(clock / 1000) + 900 });
    };
    const client = new ClearinghouseClient(config, { send, now: () => clock });
    const paths = () => calls.map((c) => new URL(c.url).pathname.replace('/base/v0/', ''));
    accepted(await client.upload('a.txt', 'new', 'x'));
    clock += 839_000; // 61 s left: still good
    accepted(await client.upload('b.txt', 'new', 'x'));
    clock += 2_000; // 59 s left: refreshed first
    accepted(await client.upload('c.txt', 'new', 'x'));
    expect(paths()).toEqual([
      'token/gen',
      'upload/cvrs/batch',
      'upload/cvrs/batch',
      'token/refresh',
      'upload/cvrs/batch',
    ]);
    const refresh = calls[3]!;
    expect(refresh.headers.Authorization).toBe('tok1');
    expect(refresh.body.byteLength).toBe(0);
    expect(calls[4]!.headers.Authorization).toBe('tok2');

    // Long idle (a Lambda kept warm between runs): an expired token is still refreshed inside the window…
    clock = Date.parse('2026-11-25T07:40:00Z');
    calls.length = 0;
    accepted(await client.upload('d.txt', 'new', 'x'));
    expect(paths()).toEqual(['token/refresh', 'upload/cvrs/batch']);
    // …but not in the window's last minute: a new token.
    clock = Date.parse('2026-11-25T07:59:30Z');
    calls.length = 0;
    accepted(await client.upload('e.txt', 'new', 'x'));
    expect(paths()).toEqual(['token/gen', 'upload/cvrs/batch']);
  });

  it('generates a new token when a refresh is refused', async () => {
    let clock = Date.parse('2026-11-24T08:00:00Z');
    const calls: string[] = [];
    const send: HttpSend = async (req) => {
      const path = new URL(req.url).pathname.replace('/base/v0/', '');
      calls.push(path);
      if (path === 'token/refresh') return json(401, { message: 'Unauthorized' });
      if (path === 'token/gen')
        return json(200, { token: 'fresh', expiration: Math.floor(clock / 1000) + 900 });
      return json(200, { id: 'r' });
    };
    const client = new ClearinghouseClient(config, { send, now: () => clock });
    accepted(await client.upload('a.txt', 'new', 'x'));
    clock += 3_600_000;
    accepted(await client.upload('b.txt', 'new', 'x'));
    expect(calls).toEqual([
      'token/gen',
      'upload/cvrs/batch',
      'token/refresh',
      'token/gen',
      'upload/cvrs/batch',
    ]);
  });

  it('keeps the token when a refresh gets no answer, and refreshes it on the next try', async () => {
    let clock = Date.parse('2026-11-24T08:00:00Z');
    const calls: string[] = [];
    let down = false;
    const send: HttpSend = async (req) => {
      const path = new URL(req.url).pathname.replace('/base/v0/', '');
      calls.push(path);
      if (down) throw Object.assign(new Error('read ETIMEDOUT'), { code: 'ETIMEDOUT' });
      if (path.startsWith('token/'))
        return json(200, { token: 't', expiration: Math.floor(clock / 1000) + 900 });
      return json(200, { id: 'r' });
    };
    const client = new ClearinghouseClient(config, { send, now: () => clock });
    accepted(await client.upload('a.txt', 'new', 'x'));
    clock += 3_600_000;
    down = true;
    expect(await client.upload('b.txt', 'new', 'x')).toEqual({
      kind: 'retry',
      reason: 'Token refresh: Network error: read ETIMEDOUT (ETIMEDOUT)',
    });
    down = false;
    accepted(await client.upload('b.txt', 'new', 'x'));
    expect(calls).toEqual([
      'token/gen',
      'upload/cvrs/batch',
      'token/refresh',
      'token/refresh',
      'upload/cvrs/batch',
    ]);
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

  it('reads the client certificate, its key and a CA, naming what is wrong without quoting it', () => {
    const base = { url: 'https://dch.example.test', clientId: 'a', clientSecret: 'b' };
    const parse = (extra: Record<string, unknown>) =>
      parseClearinghouseConfig(JSON.stringify({ ...base, ...extra }));
    const pair = { certificate: TLS.clientCert, privateKey: TLS.clientKey };
    expect(parse({ ...pair, ca: TLS.ca })).toEqual({ ...base, ...pair, ca: TLS.ca });
    expect(parse({ ...pair, ca: '' })).toEqual({ ...base, ...pair });
    expect(() => parse({ certificate: TLS.clientCert })).toThrow(
      'Clearinghouse config has "certificate" without "privateKey"',
    );
    expect(() => parse({ privateKey: TLS.clientKey })).toThrow(
      'Clearinghouse config has "privateKey" without "certificate"',
    );
    expect(() => parse({ ...pair, privateKey: OTHER_TLS.clientKey })).toThrow(
      'Clearinghouse config "privateKey" is not the key of "certificate"',
    );
    const garbled = '-----BEGIN PRIVATE KEY-----\nhunter2\n-----END PRIVATE KEY-----\n';
    expect(() => parse({ ...pair, privateKey: garbled })).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining('hunter2') }),
    );
    expect(() => parse({ ...pair, privateKey: garbled })).toThrow(
      'Clearinghouse config "privateKey" is not an unencrypted PEM private key',
    );
    expect(() => parse({ ...pair, certificate: 'hunter2' })).toThrow(
      'Clearinghouse config "certificate" is not a PEM certificate',
    );
    expect(() => parse({ ca: 'not a cert' })).toThrow('Clearinghouse config "ca" is not a PEM certificate');
    expect(() => parse({ ...pair, url: 'http://127.0.0.1:4000' })).toThrow(
      'Clearinghouse config "url" must be https when a certificate or ca is given',
    );
    expect(() => parse({ certificate: 42, privateKey: TLS.clientKey })).toThrow(
      'Clearinghouse config "certificate" must be a string',
    );
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

describe('Data Clearinghouse client over mutual TLS', () => {
  let standin: ClearinghouseStandin;
  /** The stand-in's token clock and the client's, moved together. */
  let clock = Date.parse('2026-11-24T16:00:00Z');
  const logLines: string[] = [];
  const secret = (extra: Record<string, string | undefined>) =>
    parseClearinghouseConfig(JSON.stringify({ url: standin.url, ...CLIENT, ...extra }));
  const good = () => secret({ certificate: TLS.clientCert, privateKey: TLS.clientKey, ca: TLS.ca });

  beforeAll(async () => {
    standin = await startClearinghouseStandin({
      ...CLIENT,
      logger: (line) => logLines.push(line),
      now: () => new Date('2026-11-24T18:00:00Z'),
      clock: () => clock,
      tls: { key: TLS.serverKey, cert: TLS.serverCert, ca: TLS.ca, requireClientCert: true },
    });
  });
  afterAll(() => standin.stop());

  const counts = () => ({
    gen: standin.tokenRequests(),
    refresh: standin.refreshRequests(),
    received: standin.received().length,
  });

  it('serves HTTPS and takes a file from the client presenting the certificate its CA signed', async () => {
    expect(standin.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const client = new ClearinghouseClient(good(), { now: () => clock });
    const rec = record(1000);
    const receipt = accepted(await client.upload('20261124_20_CAA.txt', 'new', cvrsFileText([rec])));
    expect(receipt.processingErrors).toEqual([]);
    expect(standin.holds(rec[EVENT]!)).toBe(true);
    // 1,012 bytes: under CDC's sender's threshold, so sent as is.
    expect(standin.received().at(-1)).toMatchObject({ id: receipt.id, contentEncoding: 'identity' });
  });

  it('is refused without a client certificate, and says so', async () => {
    const before = counts();
    const outcome = await new ClearinghouseClient(secret({ ca: TLS.ca })).upload(
      '20261124_21_CAA.txt',
      'new',
      cvrsFileText([record(1001)]),
    );
    expect(outcome).toEqual({
      kind: 'refused',
      reason: expect.stringMatching(
        /^Token request: CDC Clearinghouse refused the TLS client certificate \(TLS alert "certificate required"\): none is configured/,
      ),
    });
    expect(counts()).toEqual(before);
    expect(standin.holds(record(1001)[EVENT]!)).toBe(false);
    expect(logLines.at(-1)).toMatch(/TLS handshake refused/);
  });

  it('is refused with a certificate another CA signed, and says so', async () => {
    const before = counts();
    const stranger = secret({
      certificate: OTHER_TLS.clientCert,
      privateKey: OTHER_TLS.clientKey,
      ca: TLS.ca,
    });
    const outcome = await new ClearinghouseClient(stranger).upload(
      '20261124_22_CAA.txt',
      'new',
      cvrsFileText([record(1002)]),
    );
    expect(outcome.kind).not.toBe('accepted');
    expect(outcome.kind !== 'accepted' && outcome.reason).toMatch(
      /^Token request: CDC Clearinghouse refused the TLS client certificate.*check that "certificate" and "privateKey"/,
    );
    expect(counts()).toEqual(before);
  });

  it('does not trust the server without the CA that signed its certificate', async () => {
    const outcome = await new ClearinghouseClient(
      secret({ certificate: TLS.clientCert, privateKey: TLS.clientKey }),
    ).upload('20261124_23_CAA.txt', 'new', cvrsFileText([record(1003)]));
    expect(outcome).toEqual({
      kind: 'refused',
      reason: expect.stringContaining("Clearinghouse's server certificate is not trusted"),
    });
  });

  it('refreshes a token that expires between two uploads, and generates one after 24 hours', async () => {
    const client = new ClearinghouseClient(good(), { now: () => clock });
    const before = counts();
    accepted(await client.upload('20261124_24_CAA.txt', 'new', cvrsFileText([record(1100)])));
    expect(counts().gen - before.gen).toBe(1);

    clock += 16 * 60_000; // past the 15 minutes
    const second = accepted(await client.upload('20261124_25_CAA.txt', 'new', cvrsFileText([record(1101)])));
    expect(second.processingErrors).toEqual([]);
    expect(counts()).toEqual({
      gen: before.gen + 1,
      refresh: before.refresh + 1,
      received: before.received + 2,
    });

    // Refreshed every 15 minutes for a day: still one generated token…
    for (let i = 0; i < 3; i++) {
      clock += 15 * 60_000;
      accepted(await client.upload(`20261124_3${i}_CAA.txt`, 'new', cvrsFileText([record(1110 + i)])));
    }
    expect(counts().gen - before.gen).toBe(1);
    expect(counts().refresh - before.refresh).toBe(4);
    // …until 24 hours after it was generated: a new one, without trying a refresh the stand-in would refuse.
    clock += 24 * 3_600_000;
    accepted(await client.upload('20261125_01_CAA.txt', 'new', cvrsFileText([record(1120)])));
    expect(counts().gen - before.gen).toBe(2);
    expect(counts().refresh - before.refresh).toBe(4);
  });

  it('refuses a refresh of an unknown token, or of one past its 24 hours', async () => {
    const send = nodeSend({ certificate: TLS.clientCert, privateKey: TLS.clientKey, ca: TLS.ca });
    const post = (path: string, headers: Record<string, string>, body = '') =>
      send({ url: `${standin.url}${path}`, headers, body: Buffer.from(body) }, AbortSignal.timeout(5_000));
    const gen = await post(
      '/v0/token/gen',
      { 'content-type': 'application/json' },
      JSON.stringify({ clientID: CLIENT.clientId, clientSecret: CLIENT.clientSecret, scopes: ['UPLOAD'] }),
    );
    const first = JSON.parse(gen.body) as { token: string; expiration: number };
    expect(first.expiration).toBe(Math.floor(clock / 1000) + 900);
    expect((await post('/v0/token/refresh', { authorization: 'nonsense' })).status).toBe(401);

    clock += 23 * 3_600_000 + 50 * 60_000; // 10 minutes of the window left
    const refreshed = await post('/v0/token/refresh', { authorization: first.token });
    expect(refreshed.status).toBe(200);
    const second = JSON.parse(refreshed.body) as { token: string; expiration: number };
    expect(second.token).not.toBe(first.token);
    // Never past the window: 10 minutes, not 15.
    expect(second.expiration).toBe(Math.floor(clock / 1000) + 600);
    // The refreshed token replaces the old one.
    expect((await post('/v0/token/refresh', { authorization: first.token })).status).toBe(401);

    clock += 11 * 60_000;
    expect((await post('/v0/token/refresh', { authorization: second.token })).status).toBe(401);
  });

  it('gzips a file over 1 KiB; the stand-in reads it, and refuses a body that is not gzip', async () => {
    const client = new ClearinghouseClient(good(), { now: () => clock });
    const records = [record(1200), record(1201), record(1202)];
    const receipt = accepted(await client.upload('20261125_02_CAA.txt', 'new', cvrsFileText(records)));
    expect(receipt.validationErrors).toEqual([]);
    expect(standin.received().at(-1)).toMatchObject({
      id: receipt.id,
      contentEncoding: 'gzip',
      records: 3,
      eventIds: records.map((r) => r[EVENT]),
    });

    const send = nodeSend({ certificate: TLS.clientCert, privateKey: TLS.clientKey, ca: TLS.ca });
    const gen = await send(
      {
        url: `${standin.url}/v0/token/gen`,
        headers: { 'content-type': 'application/json' },
        body: Buffer.from(
          JSON.stringify({
            clientID: CLIENT.clientId,
            clientSecret: CLIENT.clientSecret,
            scopes: ['UPLOAD'],
          }),
        ),
      },
      AbortSignal.timeout(5_000),
    );
    const { token } = JSON.parse(gen.body) as { token: string };
    const upload = (headers: Record<string, string>, body: Uint8Array) =>
      send(
        {
          url: `${standin.url}/v0/upload/cvrs/batch`,
          headers: { authorization: token, 'content-type': 'text/plain', ...headers },
          body,
        },
        AbortSignal.timeout(5_000),
      );
    const before = standin.received().length;
    const broken = await upload({ 'content-encoding': 'gzip' }, Buffer.from(cvrsFileText([record(1203)])));
    expect(broken.status).toBe(400);
    expect(JSON.parse(broken.body)).toEqual({
      message: 'The body is not valid gzip (Content-Encoding: gzip)',
    });
    const truncated = gzipSync(cvrsFileText([record(1204), record(1205)])).subarray(0, 200);
    expect((await upload({ 'content-encoding': 'gzip' }, truncated)).status).toBe(400);
    expect((await upload({ 'content-encoding': 'br' }, Buffer.from('x'))).status).toBe(415);
    expect(standin.received().length).toBe(before);
    for (const r of [record(1203), record(1204)]) expect(standin.holds(r[EVENT]!)).toBe(false);
  });
});
