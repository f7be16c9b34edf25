/**
 * Bucket CORS as S3 evaluates it (local/standins/s3-cors.ts), and the local S3 answering a browser's preflight
 * and PUT by the topology's rules: the console's origin may PUT with Content-Type, nothing else may.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topology } from '../../infra/topology.ts';
import { type CorsRule, corsAnswer, corsRules } from '../../local/standins/s3-cors.ts';
import { type SqsS3Standin, startSqsS3 } from '../../local/standins/sqs-s3.ts';

const CONSOLE = 'http://127.0.0.1:3000';
const rules = corsRules(topology.buckets.drop.cors, CONSOLE);

describe('corsAnswer', () => {
  const preflight = (origin: string | undefined, method: string, headers?: string) =>
    corsAnswer(rules, { method: 'OPTIONS', origin, requestMethod: method, requestHeaders: headers });

  it('a preflight from the console for PUT with content-type is allowed, with what it asked for', () => {
    expect(preflight(CONSOLE, 'PUT', 'Content-Type')).toEqual({
      kind: 'preflight',
      status: 200,
      headers: expect.objectContaining({
        'access-control-allow-origin': CONSOLE,
        'access-control-allow-methods': 'PUT, GET',
        'access-control-allow-headers': 'content-type',
        'access-control-expose-headers': 'etag',
        'access-control-max-age': '600',
      }),
    });
  });

  it.each([
    ['another origin', 'http://127.0.0.1:4000', 'PUT', 'content-type'],
    ['a method the rule does not list', CONSOLE, 'DELETE', undefined],
    ['a header the rule does not list', CONSOLE, 'PUT', 'content-type, x-amz-acl'],
  ])('a preflight with %s is refused 403', (_what, origin, method, headers) => {
    const a = preflight(origin, method, headers);
    expect(a).toMatchObject({ kind: 'preflight', status: 403 });
    expect((a as { body: string }).body).toContain('This CORS request is not allowed');
  });

  it('a bucket without rules refuses every preflight; a preflight needs its Origin and method', () => {
    expect(corsAnswer([], { method: 'OPTIONS', origin: CONSOLE, requestMethod: 'PUT' })).toMatchObject({
      status: 403,
      body: expect.stringContaining('CORS is not enabled for this bucket'),
    });
    expect(preflight(undefined, 'PUT')).toMatchObject({ status: 403 });
    expect(corsAnswer(rules, { method: 'OPTIONS', origin: CONSOLE })).toMatchObject({ status: 403 });
    // Nothing is served to the console when it is not served (no origin known).
    expect(corsRules(topology.buckets.drop.cors, undefined)).toEqual([]);
  });

  it('the actual request: served either way, with Allow-Origin only when a rule matches', () => {
    expect(corsAnswer(rules, { method: 'PUT', origin: CONSOLE })).toEqual({
      kind: 'serve',
      headers: expect.objectContaining({ 'access-control-allow-origin': CONSOLE }),
    });
    expect(corsAnswer(rules, { method: 'PUT', origin: 'http://evil.test' })).toEqual({ kind: 'pass' });
    expect(corsAnswer(rules, { method: 'PUT', origin: undefined })).toEqual({ kind: 'pass' });
    const any: CorsRule[] = [{ ...rules[0]!, origins: ['*'] }];
    expect(corsAnswer(any, { method: 'PUT', origin: 'http://x.test' })).toMatchObject({
      headers: { 'access-control-allow-origin': '*' },
    });
  });
});

describe('the local S3 stand-in', () => {
  let s3: SqsS3Standin;
  beforeAll(async () => {
    s3 = await startSqsS3({ cors: (bucket) => (bucket === 'drop' ? rules : undefined) });
    await fetch(`${s3.endpoint}/drop`, { method: 'PUT' });
  });
  afterAll(() => s3.stop());

  it('answers the preflight and the PUT by the bucket’s rules; other buckets refuse', async () => {
    const ok = await fetch(`${s3.endpoint}/drop/incoming/a.csv`, {
      method: 'OPTIONS',
      headers: {
        origin: CONSOLE,
        'access-control-request-method': 'PUT',
        'access-control-request-headers': 'content-type',
      },
    });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('access-control-allow-origin')).toBe(CONSOLE);
    const refused = await fetch(`${s3.endpoint}/drop/incoming/a.csv`, {
      method: 'OPTIONS',
      headers: { origin: 'http://127.0.0.1:1', 'access-control-request-method': 'PUT' },
    });
    expect(refused.status).toBe(403);
    const other = await fetch(`${s3.endpoint}/reports/x`, {
      method: 'OPTIONS',
      headers: { origin: CONSOLE, 'access-control-request-method': 'PUT' },
    });
    expect(other.status).toBe(403);
    const put = await fetch(`${s3.endpoint}/drop/incoming/a.csv`, {
      method: 'PUT',
      headers: { origin: CONSOLE, 'content-type': 'text/csv' },
      body: 'a,b\n',
    });
    expect(put.status).toBe(200);
    expect(put.headers.get('access-control-allow-origin')).toBe(CONSOLE);
    expect(put.headers.get('access-control-expose-headers')).toBe('etag');
    expect(put.headers.get('etag')).toBeTruthy();
  });
});
