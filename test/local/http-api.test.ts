/** The local HTTP API: routing, the payload format 2.0 event and how a function's result is answered. */
import { describe, expect, it } from 'vitest';
import {
  buildRoutes,
  collectHeaders,
  isTextContentType,
  mapLambdaResult,
  matchRoute,
  parseQuery,
} from '../../local/triggers/http-api.ts';
import { fixtureState } from './fixtures/state.ts';
import { fn, functions, GOOD, useHttpApi } from './http-api-harness.ts';

const t = useHttpApi();
const { call, echo } = t;

describe('routing', () => {
  it('binds loopback only', () => {
    expect(new URL(t.server.url).hostname).toBe('127.0.0.1');
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
    const res = await fetch(`${t.server.url}/echo/a%20b?x=1&y=2&x=3&flag&enc=%2B%26`, {
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
      domainName: new URL(t.server.url).host,
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
