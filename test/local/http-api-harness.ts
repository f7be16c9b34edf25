/**
 * The HTTP API under test (local/triggers/http-api.ts) with fixture functions: its routes and settings, and
 * `useHttpApi()`, which starts one for the tests of a file and gives the helpers that call it.
 */
import { request } from 'node:http';
import { resolve } from 'node:path';
import { afterAll, beforeAll, beforeEach, expect } from 'vitest';
import { createInvoker, type LocalFunctionSpec } from '../../local/lambda.ts';
import { type ApiSettings, type HttpApi, startHttpApi } from '../../local/triggers/http-api.ts';
import { resetFixtureState } from './fixtures/state.ts';
import { quiet } from './helpers.ts';

export const ROOT = resolve(import.meta.dirname, '../..');
export const fn = (entry: string, extra: Partial<LocalFunctionSpec> = {}): LocalFunctionSpec => ({
  entry,
  description: 'fixture',
  timeoutSeconds: 5,
  memoryMb: 128,
  ...extra,
});

export const functions: Record<string, LocalFunctionSpec> = {
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

export const api: ApiSettings = {
  authorizer: 'authorizer',
  identitySource: 'authorization',
  authorizerCacheTtlSeconds: 1,
  maxPayloadBytes: 64 * 1024,
  maxLambdaPayloadBytes: 6 * 1024 * 1024,
  integrationTimeoutSeconds: 1,
};

export const GOOD = { authorization: 'Bearer good' };

/** Starts the API before the file's tests (fixture state and authorizer cache reset before each). */
export function useHttpApi() {
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

  return {
    get server() {
      return server;
    },
    logLines,
    call,
    echo,
    rawRequest,
  };
}
