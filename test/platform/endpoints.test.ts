import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import type { Endpoint } from '#platform/http/endpoint.ts';
import { route } from '#platform/http/handler.ts';
import { ALL_ENDPOINTS, ENDPOINTS_BY_FUNCTION, openApiDocument } from '#platform/http/openapi.ts';
import type { ApiEvent } from '#platform/http/request.ts';
import type { HttpError } from '#platform/http/response.ts';
import { routeTable } from '#platform/http/route-table.ts';
import { functionSpecs } from '../../infra/topology.ts';

const keys = ALL_ENDPOINTS.map((e) => e.key);

describe('route declarations (issue 13: each route declared once, everything else derived)', () => {
  it('declares every route exactly once, and each function serves exactly its declared routes', () => {
    expect(new Set(keys).size).toBe(keys.length);
    const served = functionSpecs().flatMap(([, spec]) => [
      ...(spec.routes ?? []),
      ...(spec.publicRoutes ?? []),
    ]);
    expect([...served].sort()).toEqual([...keys].sort());
    for (const [name, spec] of functionSpecs()) {
      const declared = (ENDPOINTS_BY_FUNCTION as Record<string, readonly Endpoint[]>)[name] ?? [];
      expect([...(spec.routes ?? []), ...(spec.publicRoutes ?? [])].sort(), name).toEqual(
        declared.map((e) => e.key).sort(),
      );
    }
  });

  it.each(ALL_ENDPOINTS.map((e) => [e.key, e] as const))(
    '%s has roles, a request and a response schema',
    (_k, e) => {
      expect(e.access === 'public' || e.access.length > 0).toBe(true);
      expect(e.operation.summary.length).toBeGreaterThan(10);
      const [method] = e.key.split(' ');
      if (method === 'PUT' || (method === 'POST' && !e.key.endsWith('/keys')))
        expect(e.operation.requestBody, 'a body it takes is described').not.toBe('none');
      const ok = Object.keys(e.operation.responses).filter((s) => s.startsWith('2'));
      expect(ok.length, 'a success answer').toBeGreaterThan(0);
      for (const [status, r] of Object.entries(e.operation.responses))
        expect(typeof r.description, `${status} described`).toBe('string');
    },
  );

  it('the OpenAPI document lists every route once, with security from its roles', () => {
    const doc = openApiDocument();
    const listed = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops).map(([method, op]) => [`${method.toUpperCase()} ${path}`, op] as const),
    );
    expect(listed.map(([k]) => k).sort()).toEqual([...keys].sort());
    for (const [key, op] of listed) {
      const e = ALL_ENDPOINTS.find((x) => x.key === key)!;
      const o = op as { security: unknown[]; responses: Record<string, unknown> };
      if (e.access === 'public') expect(o.security, key).toEqual([]);
      else {
        expect(o.security, key).toEqual([{ bearer: [] }]);
        expect(Object.keys(o.responses), key).toEqual(expect.arrayContaining(['401', '403']));
      }
    }
    // Every schema a route refers to is in the document.
    const refs = JSON.stringify(doc.paths).match(/#\/components\/schemas\/\w+/g) ?? [];
    for (const r of new Set(refs)) expect(Object.keys(doc.components.schemas)).toContain(r.split('/').pop());
  });

  it("README's route table is the generated one (run `npm run routes` if this fails)", () => {
    const readme = readFileSync(resolve(import.meta.dirname, '../../README.md'), 'utf8');
    expect(readme).toContain(routeTable());
  });
});

describe('route(): the role comes from the declaration', () => {
  const endpoints = [
    {
      key: 'GET /a',
      access: ['admin'],
      operation: { summary: 'admin only', requestBody: 'none', responses: {} },
    },
    {
      key: 'GET /b',
      access: ['site'],
      denied: 'Use a site key.',
      operation: { summary: 'site', requestBody: 'none', responses: {} },
    },
    { key: 'GET /c', access: 'public', operation: { summary: 'anyone', requestBody: 'none', responses: {} } },
    {
      key: 'POST /d',
      access: ['site', 'program', 'admin'],
      operation: { summary: 'a write', requestBody: 'none', responses: {} },
    },
    {
      key: 'POST /e',
      access: ['site'],
      reads: true,
      operation: { summary: 'a search', requestBody: 'none', responses: {} },
    },
  ] as const satisfies readonly Endpoint[];
  const ok = async () => ({ statusCode: 200, body: 'ok' });
  const router = route(endpoints, { 'GET /a': ok, 'GET /b': ok, 'GET /c': ok, 'POST /d': ok, 'POST /e': ok });
  const call = (routeKey: string, lambda?: Record<string, unknown>) =>
    router(
      { routeKey, requestContext: { authorizer: lambda ? { lambda } : undefined } } as unknown as ApiEvent,
      {} as Context,
    );
  const refused = async (p: Promise<unknown>) => {
    try {
      await p;
    } catch (e) {
      return e as HttpError;
    }
    throw new Error('not refused');
  };

  it('refuses a key of another role before the implementation runs, with the declared words', async () => {
    expect(await refused(call('GET /a', { role: 'site', iis_id: 'S1' }))).toMatchObject({
      statusCode: 403,
      code: 'AUTH003',
    });
    expect(await refused(call('GET /b', { role: 'admin' }))).toMatchObject({
      statusCode: 403,
      code: 'AUTH002',
      message: 'Use a site key.',
    });
    expect(await refused(call('GET /b'))).toMatchObject({ statusCode: 401 });
    expect(await refused(call('GET /z', { role: 'admin' }))).toMatchObject({ statusCode: 404 });
  });

  it('lets the declared roles, and anyone on a public route, through', async () => {
    expect(await call('GET /a', { role: 'admin' })).toMatchObject({ statusCode: 200 });
    expect(await call('GET /b', { role: 'site', iis_id: 'S1' })).toMatchObject({ statusCode: 200 });
    expect(await call('GET /c')).toMatchObject({ statusCode: 200 });
  });

  it('a read-only sign-in reads (GET, a POST declared as a read) and is refused every write (issue 16)', async () => {
    const reader = { role: 'site', iis_id: 'S1', sites: 'S1 S2', via: 'token', read_only: true };
    expect(await call('GET /b', reader)).toMatchObject({ statusCode: 200 });
    expect(await call('POST /e', reader)).toMatchObject({ statusCode: 200 });
    expect(await refused(call('POST /d', reader))).toMatchObject({ statusCode: 403, code: 'AUTH005' });
    // Program staff are read-only whatever the context says; a writer is let through.
    expect(await refused(call('POST /d', { role: 'program', via: 'token' }))).toMatchObject({
      code: 'AUTH005',
    });
    expect(await call('POST /d', { ...reader, read_only: false })).toMatchObject({ statusCode: 200 });
  });

  it("answers 401 with the authorizer's message for a refused token", async () => {
    const message = 'This token expired at 2026-12-04T18:00:00.000Z: sign in again (or request a new token).';
    expect(await refused(call('GET /b', { role: 'none', reason: 'expired', message }))).toMatchObject({
      statusCode: 401,
      code: 'AUTH001',
      message,
    });
  });
});
