import { request } from 'node:http';
import { resolve } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createInvoker, type LocalFunctionSpec } from '../../local/lambda.ts';
import {
  type ApiSettings,
  buildRoutes,
  collectHeaders,
  type HttpApi,
  isTextContentType,
  mapLambdaResult,
  matchRoute,
  parseQuery,
  startHttpApi,
} from '../../local/triggers/http-api.ts';
import { fixtureState, resetFixtureState } from './fixtures/state.ts';
import { quiet } from './helpers.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const fn = (entry: string, extra: Partial<LocalFunctionSpec> = {}): LocalFunctionSpec => ({
  entry,
  description: 'fixture',
  timeoutSeconds: 5,
  memoryMb: 128,
  ...extra,
});

const functions: Record<string, LocalFunctionSpec> = {
  authorizer: fn('test/local/fixtures/authorizer.ts'),
  api: fn('test/local/fixtures/http.ts', {
    timeoutSeconds: 0.5,
    routes: [
      'GET /echo/{id}',
      'POST /echo',
      'GET /plain',
      'GET /string',
      'GET /throw',
      'GET /slow',
      'GET /malformed',
      'GET /binary',
      'GET /cookies',
      'GET /items/special',
      'GET /items/{id}',
    ],
    publicRoutes: ['GET /public', 'POST /public'],
  }),
  hangs: fn('test/local/fixtures/hang.ts', { routes: ['GET /hang'] }),
  notYetWritten: fn('test/local/fixtures/does-not-exist.ts', {
    routes: ['GET /missing'],
    publicRoutes: ['GET /missing-public'],
  }),
};

const api: ApiSettings = {
  authorizer: 'authorizer',
  identitySource: 'authorization',
  authorizerCacheTtlSeconds: 1,
  maxPayloadBytes: 64 * 1024,
  maxLambdaPayloadBytes: 6 * 1024 * 1024,
  integrationTimeoutSeconds: 1,
};

const GOOD = { authorization: 'Bearer good' };

let server: HttpApi;
const logLines: string[] = [];

beforeAll(async () => {
  const logger = quiet(logLines);
  const invoker = createInvoker({ rootDir: ROOT, functions, logger });
  server = await startHttpApi({ functions, api, invoker, logger });
});
afterAll(() => server.stop());
beforeEach(() => {
  resetFixtureState();
  server.clearAuthorizerCache();
});

async function call(path: string, init: RequestInit = {}) {
  const res = await fetch(server.url + path, init);
  const buffer = Buffer.from(await res.arrayBuffer());
  return { status: res.status, headers: res.headers, buffer, text: buffer.toString('utf8') };
}

async function echo(path: string, init: RequestInit = {}) {
  const res = await call(path, {
    ...init,
    headers: { ...GOOD, ...(init.headers as Record<string, string>) },
  });
  expect(res.status).toBe(200);
  return JSON.parse(res.text) as { event: any; remainingMs: number };
}

describe('routing', () => {
  it('binds loopback only', () => {
    expect(new URL(server.url).hostname).toBe('127.0.0.1');
  });

  it('answers 404 Not Found for an unknown path, a wrong method, or a trailing slash', async () => {
    for (const [method, path] of [
      ['GET', '/nope'],
      ['DELETE', '/plain'],
      ['GET', '/plain/'],
      ['GET', '/echo/'],
    ] as const) {
      const res = await call(path, { method, headers: GOOD });
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(JSON.parse(res.text)).toEqual({ message: 'Not Found' });
      expect(res.headers.get('content-type')).toBe('application/json');
    }
    expect(fixtureState().authorizerCalls).toEqual([]);
  });

  it('prefers literal segments to path variables', () => {
    const routes = buildRoutes(functions);
    expect(matchRoute(routes, 'GET', '/items/special')?.route.routeKey).toBe('GET /items/special');
    expect(matchRoute(routes, 'GET', '/items/other')).toMatchObject({
      route: { routeKey: 'GET /items/{id}' },
      pathParameters: { id: 'other' },
    });
  });

  it('rejects a route declared twice', () => {
    expect(() =>
      buildRoutes({ a: fn('x.ts', { routes: ['GET /x'] }), b: fn('y.ts', { publicRoutes: ['GET /x'] }) }),
    ).toThrow(/declared twice/);
  });
});

describe('payload format 2.0 event', () => {
  it('carries route, path, query, headers, cookies, body and request context', async () => {
    const before = Date.now();
    const res = await fetch(`${server.url}/echo/a%20b?x=1&y=2&x=3&flag&enc=%2B%26`, {
      headers: { ...GOOD, 'X-Custom': 'Value', cookie: 'c1=v1; c2=v2', 'user-agent': 'tester/1' },
    });
    const { event, remainingMs } = (await res.json()) as { event: Record<string, any>; remainingMs: number };
    expect(res.headers.get('x-function')).toBe('api');
    expect(res.headers.get('apigw-requestid')).toBe(event.requestContext.requestId);
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: 'GET /echo/{id}',
      rawPath: '/echo/a%20b',
      rawQueryString: 'x=1&y=2&x=3&flag&enc=%2B%26',
      cookies: ['c1=v1', 'c2=v2'],
      queryStringParameters: { x: '1,3', y: '2', flag: '', enc: '+&' },
      pathParameters: { id: 'a b' },
      isBase64Encoded: false,
    });
    expect(event.body).toBeUndefined();
    expect(event.headers['x-custom']).toBe('Value');
    expect(event.headers.authorization).toBe('Bearer good');
    expect(event.headers.cookie).toBeUndefined();
    expect(event.headers['x-forwarded-proto']).toBe('http');
    expect(event.headers['x-forwarded-for']).toBe('127.0.0.1');
    expect(event.headers['x-amzn-trace-id']).toMatch(/^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$/);
    expect(Object.keys(event.headers).every((k) => k === k.toLowerCase())).toBe(true);
    const rc = event.requestContext;
    expect(rc).toMatchObject({
      accountId: expect.stringMatching(/^\d{12}$/),
      apiId: expect.any(String),
      domainName: new URL(server.url).host,
      http: {
        method: 'GET',
        path: '/echo/a%20b',
        protocol: 'HTTP/1.1',
        sourceIp: '127.0.0.1',
        userAgent: 'tester/1',
      },
      routeKey: 'GET /echo/{id}',
      stage: '$default',
      authorizer: { lambda: { role: 'site', token: 'good' } },
    });
    expect(rc.timeEpoch).toBeGreaterThanOrEqual(before);
    expect(rc.time).toMatch(/^\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/);
    expect(remainingMs).toBeGreaterThan(0);
    expect(remainingMs).toBeLessThanOrEqual(500);
  });

  it('joins repeated headers with commas and lower-cases names', () => {
    expect(
      collectHeaders(['X-A', '1', 'x-a', '2', 'Accept', 'text/plain', 'Cookie', 'a=1', 'cookie', 'b=2']),
    ).toEqual({
      headers: { 'x-a': '1,2', accept: 'text/plain' },
      cookies: ['a=1', 'b=2'],
    });
    expect(parseQuery('')).toBeUndefined();
  });

  it('passes text bodies as strings and binary bodies base64-encoded', async () => {
    const json = await echo('/echo', {
      method: 'POST',
      body: '{"a":1}',
      headers: { 'content-type': 'application/json; charset=utf-8' },
    });
    expect(json.event).toMatchObject({ body: '{"a":1}', isBase64Encoded: false });

    const bytes = Buffer.from([0xff, 0x00, 0x10, 0x80]);
    const bin = await echo('/echo', {
      method: 'POST',
      body: bytes,
      headers: { 'content-type': 'application/octet-stream' },
    });
    expect(bin.event.isBase64Encoded).toBe(true);
    expect(Buffer.from(bin.event.body, 'base64')).toEqual(bytes);

    const form = await echo('/echo', {
      method: 'POST',
      body: 'a=1&b=2',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(form.event).toMatchObject({ body: 'a=1&b=2', isBase64Encoded: false });

    expect(isTextContentType('application/vnd.api+json')).toBe(true);
    expect(isTextContentType('text/csv')).toBe(true);
    expect(isTextContentType('application/xml')).toBe(true);
    expect(isTextContentType('image/png')).toBe(false);
    expect(isTextContentType(undefined)).toBe(false);
  });

  it('omits the authorizer from the context of public routes and never calls it there', async () => {
    const res = await call('/public');
    const { event } = JSON.parse(res.text);
    expect(res.status).toBe(200);
    expect(event.requestContext.authorizer).toBeUndefined();
    expect(fixtureState().authorizerCalls).toEqual([]);
  });
});

describe('response mapping', () => {
  it('takes an object without statusCode as a 200 JSON body', async () => {
    const res = await call('/plain', { headers: GOOD });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(JSON.parse(res.text)).toEqual({ hello: 'world' });
  });

  it('sends a returned string as the body of a 200', async () => {
    const res = await call('/string', { headers: GOOD });
    expect(res.status).toBe(200);
    expect(res.text).toBe('just a string');
  });

  it('decodes base64 bodies, and maps cookies to set-cookie', async () => {
    const bin = await call('/binary', { headers: GOOD });
    expect(bin.buffer).toEqual(Buffer.from([0, 1, 2, 255]));
    expect(bin.headers.get('content-type')).toBe('application/octet-stream');

    const cookies = await call('/cookies', { headers: GOOD });
    expect(cookies.status).toBe(204);
    expect(cookies.headers.getSetCookie()).toEqual(['a=1; Path=/', 'b=2']);
    expect(cookies.headers.get('x-multi')).toBe('one,two');
  });

  it('answers 500 for a malformed structured response', async () => {
    const res = await call('/malformed', { headers: GOOD });
    expect(res.status).toBe(500);
    expect(mapLambdaResult({ statusCode: '200' })).toBeUndefined();
    expect(mapLambdaResult([1, 2])?.body.toString()).toBe('[1,2]');
  });
});

describe('errors and limits', () => {
  it('answers 500 when the handler throws, logging only name and message', async () => {
    logLines.length = 0;
    const res = await call('/throw', { headers: GOOD });
    expect(res.status).toBe(500);
    expect(JSON.parse(res.text)).toEqual({ message: 'Internal Server Error' });
    expect(logLines).toEqual(['[local] function api failed: TypeError: handler exploded']);
  });

  it('answers 500 when the function times out', async () => {
    const res = await call('/slow', { headers: GOOD });
    expect(res.status).toBe(500);
  });

  it('answers 503 when the integration times out first', async () => {
    const started = Date.now();
    const res = await call('/hang', { headers: GOOD });
    expect(res.status).toBe(503);
    expect(JSON.parse(res.text)).toEqual({ message: 'Service Unavailable' });
    expect(Date.now() - started).toBeLessThan(1400);
  });

  it('answers 500 for a function whose module does not exist yet, and keeps serving', async () => {
    logLines.length = 0;
    expect((await call('/missing-public')).status).toBe(500);
    expect((await call('/missing-public')).status).toBe(500);
    expect(logLines.filter((l) => l.includes('notYetWritten'))).toHaveLength(1);
    expect((await call('/plain', { headers: GOOD })).status).toBe(200);
  });

  it('accepts a body of exactly the limit', async () => {
    const res = await call('/echo', {
      method: 'POST',
      headers: { ...GOOD, 'content-type': 'text/plain' },
      body: 'x'.repeat(api.maxPayloadBytes),
    });
    expect(res.status).toBe(200);
  });

  it('answers 413 for a declared body over the limit without invoking anything', async () => {
    const res = await rawRequest({ 'content-length': String(api.maxPayloadBytes + 1), ...GOOD }, () => {});
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body)).toEqual({ message: 'Request Entity Too Large' });
    expect(fixtureState().authorizerCalls).toEqual([]);
  });

  it('answers 413 for a streamed body that grows past the limit', async () => {
    const res = await rawRequest({ 'transfer-encoding': 'chunked', ...GOOD }, (req, responded) => {
      const chunk = Buffer.alloc(16 * 1024, 120);
      const pump = () => {
        if (responded()) return req.end();
        req.write(chunk, () => setTimeout(pump, 1));
      };
      pump();
    });
    expect(res.status).toBe(413);
    expect(fixtureState().authorizerCalls).toEqual([]);
  });
});

describe('Lambda authorizer', () => {
  it('answers 401 without an authorization header, without calling the authorizer', async () => {
    const res = await call('/plain');
    expect(res.status).toBe(401);
    expect(JSON.parse(res.text)).toEqual({ message: 'Unauthorized' });
    expect(fixtureState().authorizerCalls).toEqual([]);
  });

  it('answers 403 Forbidden when the authorizer denies', async () => {
    const res = await call('/plain', { headers: { authorization: 'Bearer bad' } });
    expect(res.status).toBe(403);
    expect(JSON.parse(res.text)).toEqual({ message: 'Forbidden' });
  });

  it('answers 500 when the authorizer throws or answers malformed', async () => {
    expect((await call('/plain', { headers: { authorization: 'Bearer boom' } })).status).toBe(500);
    expect((await call('/plain', { headers: { authorization: 'Bearer malformed' } })).status).toBe(500);
  });

  it('sends the payload 2.0 REQUEST event with the identity source', async () => {
    const seen: unknown[] = [];
    const logger = quiet();
    const invoker = createInvoker({ rootDir: ROOT, functions, logger });
    const spying = {
      ...invoker,
      invoke: (name: string, event: unknown) => {
        if (name === 'authorizer') seen.push(event);
        return invoker.invoke(name, event);
      },
    };
    const other = await startHttpApi({ functions, api, invoker: spying, logger });
    try {
      await fetch(`${other.url}/echo/7?q=1`, { headers: GOOD });
    } finally {
      await other.stop();
    }
    expect(seen[0]).toMatchObject({
      version: '2.0',
      type: 'REQUEST',
      routeArn: expect.stringMatching(
        /^arn:aws:execute-api:us-east-1:\d{12}:[^/]+\/\$default\/GET\/echo\/7$/,
      ),
      identitySource: ['Bearer good'],
      routeKey: 'GET /echo/{id}',
      rawPath: '/echo/7',
      rawQueryString: 'q=1',
      headers: { authorization: 'Bearer good' },
      queryStringParameters: { q: '1' },
      pathParameters: { id: '7' },
      requestContext: { stage: '$default', routeKey: 'GET /echo/{id}' },
    });
  });

  it('caches answers per identity source for the TTL: a revoked key lives until it expires', async () => {
    const state = fixtureState();
    const key = { authorization: 'Bearer good-revocable' };
    expect((await call('/plain', { headers: key })).status).toBe(200);
    expect((await call('/plain', { headers: key })).status).toBe(200);
    expect(state.authorizerCalls).toEqual(['Bearer good-revocable']);

    state.revoked.add('Bearer good-revocable');
    expect((await call('/plain', { headers: key })).status).toBe(200); // still cached
    // Another identity source is not served from that cache entry.
    expect((await call('/plain', { headers: { authorization: 'Bearer bad' } })).status).toBe(403);

    await new Promise((r) => setTimeout(r, api.authorizerCacheTtlSeconds * 1000 + 50));
    expect((await call('/plain', { headers: key })).status).toBe(403);
    expect(state.authorizerCalls.filter((c) => c === 'Bearer good-revocable')).toHaveLength(2);
  });

  it('caches denials too, and clearAuthorizerCache forgets them', async () => {
    const state = fixtureState();
    expect((await call('/plain', { headers: { authorization: 'Bearer bad' } })).status).toBe(403);
    expect((await call('/plain', { headers: { authorization: 'Bearer bad' } })).status).toBe(403);
    expect(state.authorizerCalls).toEqual(['Bearer bad']);

    const key = { authorization: 'Bearer good-2' };
    expect((await call('/plain', { headers: key })).status).toBe(200);
    state.revoked.add('Bearer good-2');
    server.clearAuthorizerCache();
    expect((await call('/plain', { headers: key })).status).toBe(403);
  });
});

/** A raw request whose body the test writes itself; resolves with the response even if the server cuts it off. */
function rawRequest(
  headers: Record<string, string>,
  write: (req: ReturnType<typeof request>, responded: () => boolean) => void,
): Promise<{ status: number; body: string }> {
  return new Promise((resolvePromise, reject) => {
    const url = new URL(`${server.url}/echo`);
    let done = false;
    const req = request(
      { host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers },
      (res) => {
        done = true;
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolvePromise({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }),
        );
        res.on('error', () =>
          resolvePromise({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }),
        );
      },
    );
    req.on('error', (err) => {
      if (!done) reject(err);
    });
    req.flushHeaders();
    write(req, () => done);
  });
}

describe('AWS payload limits: 10 MB at the gateway, 6 MB for the Lambda event (issue 18, item 3)', () => {
  const MiB = 1024 * 1024;
  let real: HttpApi;
  const lines: string[] = [];
  beforeAll(async () => {
    const logger = quiet(lines);
    const invoker = createInvoker({ rootDir: ROOT, functions, logger });
    real = await startHttpApi({
      functions,
      api: {
        ...api,
        maxPayloadBytes: 10 * MiB,
        maxLambdaPayloadBytes: 6 * MiB,
        integrationTimeoutSeconds: 10,
      },
      invoker,
      logger,
    });
  });
  afterAll(() => real.stop());

  const post = async (body: string | Buffer, contentType = 'text/plain') => {
    const res = await fetch(`${real.url}/echo`, {
      method: 'POST',
      headers: { ...GOOD, 'content-type': contentType },
      body,
    });
    return { status: res.status, fn: res.headers.get('x-function'), text: await res.text() };
  };

  it('passes a body whose event fits in 6 MB, escaping included', async () => {
    const res = await post('x'.repeat(5 * MiB));
    expect(res.status).toBe(200);
    expect(res.fn).toBe('api');
  });

  it('answers 413 "Request Too Long" without invoking when the escaped body outgrows the event (was 500)', async () => {
    lines.length = 0;
    // 3.5 MiB of carriage returns: under the gateway's 10 MB, but 7 MiB once each CR is written \r.
    const crs = await post('\r'.repeat(3.5 * MiB));
    expect(crs.status).toBe(413);
    expect(JSON.parse(crs.text)).toEqual({ message: 'Request Too Long' });
    expect(crs.fn).toBeNull();
    // 1.1 MB of control characters: \u0001 is 6 bytes in the event.
    expect((await post('\u0001'.repeat(1_100_000))).status).toBe(413);
    // Binary bodies travel base64-encoded: 4.5 MiB becomes 6 MiB.
    expect((await post(Buffer.alloc(4.5 * MiB, 1), 'application/octet-stream')).status).toBe(413);
    expect(lines.some((l) => l.includes('function api failed'))).toBe(false);
  });

  it('answers 413 "Request Entity Too Large" over 10 MB, before the authorizer or the event', async () => {
    const res = await post('x'.repeat(10 * MiB + 1));
    expect(res.status).toBe(413);
    expect(JSON.parse(res.text)).toEqual({ message: 'Request Entity Too Large' });
  });
});
