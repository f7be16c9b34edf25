/** The local HTTP API's payload limits at AWS's sizes: 10 MB at the gateway, 6 MB for the Lambda event. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInvoker } from '../../local/lambda.ts';
import { type HttpApi, startHttpApi } from '../../local/triggers/http-api.ts';
import { quiet } from './helpers.ts';
import { api, functions, GOOD, ROOT } from './http-api-harness.ts';

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
