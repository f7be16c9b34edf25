/** The local HTTP API when things go wrong (failing functions, timeouts, oversized bodies) and its authorizer. */
import { describe, expect, it } from 'vitest';
import { createInvoker } from '../../local/lambda.ts';
import { startHttpApi } from '../../local/triggers/http-api.ts';
import { fixtureState } from './fixtures/state.ts';
import { quiet } from './helpers.ts';
import { api, functions, GOOD, ROOT, useHttpApi } from './http-api-harness.ts';

const t = useHttpApi();
const { call, logLines, rawRequest } = t;

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
    t.server.clearAuthorizerCache();
    expect((await call('/plain', { headers: key })).status).toBe(403);
  });
});
