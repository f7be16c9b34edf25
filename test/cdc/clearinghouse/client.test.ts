import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ClearinghouseClient, GZIP_MIN_BYTES, RECORD_TYPE_HEADER } from '#cdc/clearinghouse/client.ts';
import { CLIENT_CERT_REFUSED_REASON } from '#cdc/clearinghouse/failure-reason.ts';
import type { HttpAnswer, HttpRequest, HttpSend } from '#cdc/clearinghouse/http.ts';
import { accepted } from './helpers.ts';

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
});
