/**
 * API Gateway HTTP API in front of in-process functions: route matching, Lambda proxy payload format 2.0,
 * Lambda authorizer (payload 2.0, simple responses, cached per identity source), payload limit, integration
 * timeout and API Gateway's own error answers. Binds 127.0.0.1 only.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { LOCAL_ACCOUNT_ID, LOCAL_REGION } from '../clients.ts';
import type { Invoker, LocalFunctionSpec } from '../lambda.ts';
import { listenLoopback } from '../listen.ts';
import { defaultLogger, type Logger } from '../log.ts';

export interface ApiSettings {
  /** Function that authorizes every non-public route. */
  authorizer: string;
  /** Header carrying the identity source (lower case), e.g. `authorization`. */
  identitySource: string;
  authorizerCacheTtlSeconds: number;
  maxPayloadBytes: number;
  /**
   * Synchronous Lambda invocation payload limit (default 6 MiB), measured on the serialized event: an event
   * over it is answered 413 without invoking, as API Gateway answers Lambda's RequestEntityTooLargeException.
   */
  maxLambdaPayloadBytes?: number;
  integrationTimeoutSeconds: number;
}

export interface HttpApiOptions {
  functions: Record<string, LocalFunctionSpec>;
  api: ApiSettings;
  invoker: Invoker;
  /** 0 (default) picks a free port. */
  port?: number;
  apiId?: string;
  logger?: Logger;
}

export interface HttpApi {
  url: string;
  port: number;
  clearAuthorizerCache(): void;
  stop(): Promise<void>;
}

export interface Route {
  routeKey: string;
  method: string;
  /** Path segments; `{name}` segments are parameters. */
  segments: string[];
  functionName: string;
  authorized: boolean;
}

export interface RouteMatch {
  route: Route;
  pathParameters: Record<string, string>;
}

const JSON_HEADERS = { 'content-type': 'application/json' };
/** Lambda's synchronous invocation payload limit. */
const LAMBDA_MAX_EVENT_BYTES = 6 * 1024 * 1024;

export function buildRoutes(functions: Record<string, LocalFunctionSpec>): Route[] {
  const routes: Route[] = [];
  const seen = new Set<string>();
  const add = (functionName: string, routeKey: string, authorized: boolean) => {
    const match = /^([A-Z]+) (\/\S*)$/.exec(routeKey);
    if (!match) throw new Error(`function ${functionName}: malformed route key "${routeKey}"`);
    const [, method, path] = match as unknown as [string, string, string];
    if (seen.has(routeKey)) throw new Error(`route ${routeKey} is declared twice`);
    seen.add(routeKey);
    if (path.includes('+}'))
      throw new Error(`route ${routeKey}: greedy path variables are not supported locally`);
    routes.push({ routeKey, method, segments: path.split('/').slice(1), functionName, authorized });
  };
  for (const [name, spec] of Object.entries(functions)) {
    for (const key of spec.routes ?? []) add(name, key, true);
    for (const key of spec.publicRoutes ?? []) add(name, key, false);
  }
  return routes;
}

/**
 * The route for a request, or undefined (API Gateway then answers 404 — also when only the method differs).
 * Like API Gateway, the most specific route wins: literal segments beat path variables, a method beats ANY.
 */
export function matchRoute(routes: Route[], method: string, rawPath: string): RouteMatch | undefined {
  const segments = rawPath.split('/').slice(1);
  let best: { match: RouteMatch; score: number[] } | undefined;
  for (const route of routes) {
    if (route.method !== method && route.method !== 'ANY') continue;
    if (route.segments.length !== segments.length) continue;
    const pathParameters: Record<string, string> = {};
    const score: number[] = [];
    let ok = true;
    for (let i = 0; i < segments.length && ok; i++) {
      const want = route.segments[i]!;
      const got = segments[i]!;
      const param = /^\{([^}]+)\}$/.exec(want);
      if (param) {
        if (got === '') ok = false;
        else pathParameters[param[1]!] = safeDecode(got);
        score.push(0);
      } else {
        ok = want === got;
        score.push(1);
      }
    }
    if (!ok) continue;
    score.push(route.method === 'ANY' ? 0 : 1);
    if (!best || compareScores(score, best.score) > 0) best = { match: { route, pathParameters }, score };
  }
  return best?.match;
}

function compareScores(a: number[], b: number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** HTTP API passes text bodies as strings and everything else base64-encoded. */
export function isTextContentType(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  return (
    type.startsWith('text/') ||
    type === 'application/json' ||
    type.endsWith('+json') ||
    type === 'application/xml' ||
    type.endsWith('+xml') ||
    type === 'application/x-www-form-urlencoded' ||
    type === 'application/javascript'
  );
}

/** Header names lower-cased, repeated headers joined with commas; the cookie header goes to `cookies`. */
export function collectHeaders(rawHeaders: string[]): {
  headers: Record<string, string>;
  cookies?: string[];
} {
  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!.toLowerCase();
    const value = rawHeaders[i + 1]!;
    if (name === 'cookie') {
      for (const c of value.split(';')) if (c.trim()) cookies.push(c.trim());
      continue;
    }
    headers[name] = name in headers ? `${headers[name]},${value}` : value;
  }
  return cookies.length ? { headers, cookies } : { headers };
}

/** Query parameters as HTTP API gives them: decoded, repeated names joined with commas; undefined when none. */
export function parseQuery(rawQueryString: string): Record<string, string> | undefined {
  if (!rawQueryString) return undefined;
  const out: Record<string, string> = {};
  for (const pair of rawQueryString.split('&')) {
    if (!pair) continue;
    const eq = pair.indexOf('=');
    const name = safeDecode(eq < 0 ? pair : pair.slice(0, eq));
    const value = safeDecode(eq < 0 ? '' : pair.slice(eq + 1));
    out[name] = name in out ? `${out[name]},${value}` : value;
  }
  return Object.keys(out).length ? out : undefined;
}

/** `12/Mar/2020:19:03:58 +0000`, the format of requestContext.time. */
function clfTime(date: Date): string {
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const p = (n: number) => String(n).padStart(2, '0');
  return (
    `${p(date.getUTCDate())}/${months[date.getUTCMonth()]}/${date.getUTCFullYear()}:` +
    `${p(date.getUTCHours())}:${p(date.getUTCMinutes())}:${p(date.getUTCSeconds())} +0000`
  );
}

interface AuthorizerAnswer {
  isAuthorized: boolean;
  context: unknown;
  expiresAt: number;
}

class BodyTooLarge extends Error {}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        // Stop buffering at once; nothing past the limit is kept.
        req.off('data', onData);
        req.pause();
        chunks.length = 0;
        reject(new BodyTooLarge());
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => resolve(Buffer.concat(chunks)));
    req.once('error', reject);
  });
}

interface MappedResponse {
  statusCode: number;
  headers: Record<string, string>;
  cookies: string[];
  body: Buffer;
}

/**
 * Maps a function's result as HTTP API does for payload 2.0: an object with `statusCode` is a structured
 * response; anything else (an object without statusCode, a string, a number…) is a 200 JSON body — a string
 * is sent as is, anything else as its JSON. Returns undefined for a malformed structured response.
 */
export function mapLambdaResult(result: unknown): MappedResponse | undefined {
  if (result !== null && typeof result === 'object' && !Array.isArray(result) && 'statusCode' in result) {
    const r = result as Record<string, unknown>;
    const status = r.statusCode;
    if (typeof status !== 'number' || !Number.isInteger(status) || status < 100 || status > 599)
      return undefined;
    const headers: Record<string, string> = {};
    if (r.headers !== undefined && r.headers !== null) {
      if (typeof r.headers !== 'object' || Array.isArray(r.headers)) return undefined;
      for (const [k, v] of Object.entries(r.headers as Record<string, unknown>)) {
        if (v === null || v === undefined) continue;
        if (typeof v === 'object') return undefined;
        headers[k.toLowerCase()] = String(v);
      }
    }
    let cookies: string[] = [];
    if (r.cookies !== undefined && r.cookies !== null) {
      if (!Array.isArray(r.cookies) || r.cookies.some((c) => typeof c !== 'string')) return undefined;
      cookies = r.cookies as string[];
    }
    if (r.body !== undefined && r.body !== null && typeof r.body !== 'string') return undefined;
    const text = (r.body as string | undefined | null) ?? '';
    const body = r.isBase64Encoded === true ? Buffer.from(text, 'base64') : Buffer.from(text, 'utf8');
    return { statusCode: status, headers, cookies, body };
  }
  const text = typeof result === 'string' ? result : JSON.stringify(result ?? null);
  return { statusCode: 200, headers: { ...JSON_HEADERS }, cookies: [], body: Buffer.from(text, 'utf8') };
}

export async function startHttpApi(options: HttpApiOptions): Promise<HttpApi> {
  const logger = options.logger ?? defaultLogger;
  const { api, invoker } = options;
  const apiId = options.apiId ?? 'localapi';
  const routes = buildRoutes(options.functions);
  const authorizerCache = new Map<string, AuthorizerAnswer>();

  function send(res: ServerResponse, requestId: string, answer: MappedResponse, close = false): void {
    if (res.headersSent || res.destroyed) return;
    const headers: Record<string, string | string[]> = { ...answer.headers, 'apigw-requestid': requestId };
    if (close) {
      // The rest of an oversized body is never read: close the connection after answering, and make sure a
      // client that keeps sending cannot hold it open.
      headers.connection = 'close';
      res.once('finish', () => setTimeout(() => res.socket?.destroy(), 1000).unref());
    }
    if (answer.cookies.length) headers['set-cookie'] = answer.cookies;
    headers['content-length'] = String(answer.body.length);
    res.writeHead(answer.statusCode, headers);
    res.end(answer.body);
  }

  /** An answer of API Gateway's own; `close` when the rest of the request body was left unread. */
  function sendMessage(
    res: ServerResponse,
    requestId: string,
    statusCode: number,
    message: string,
    close = statusCode === 413,
  ): void {
    const body = Buffer.from(JSON.stringify({ message }));
    send(res, requestId, { statusCode, headers: { ...JSON_HEADERS }, cookies: [], body }, close);
  }

  /** Runs `fn` with the API's integration timeout; 'timeout' when API Gateway would give up. */
  async function withIntegrationTimeout<T>(fn: () => Promise<T>): Promise<T | 'timeout'> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), api.integrationTimeoutSeconds * 1000);
    });
    try {
      return await Promise.race([fn(), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  async function authorize(
    identity: string,
    event: Record<string, unknown>,
  ): Promise<{ isAuthorized: boolean; context: unknown } | 'error'> {
    const now = Date.now();
    const cached = authorizerCache.get(identity);
    if (cached && cached.expiresAt > now) return cached;
    let answer: unknown;
    try {
      answer = await invoker.invoke(api.authorizer, event);
    } catch {
      return 'error'; // logged by the invoker
    }
    if (
      answer === null ||
      typeof answer !== 'object' ||
      typeof (answer as { isAuthorized?: unknown }).isAuthorized !== 'boolean'
    ) {
      logger(`[local] authorizer ${api.authorizer} returned a malformed simple response`);
      return 'error';
    }
    const { isAuthorized, context } = answer as { isAuthorized: boolean; context?: unknown };
    const result = { isAuthorized, context: context ?? null };
    if (api.authorizerCacheTtlSeconds > 0) {
      authorizerCache.set(identity, {
        ...result,
        expiresAt: Date.now() + api.authorizerCacheTtlSeconds * 1000,
      });
    }
    return result;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const now = new Date();
    const requestId = randomBytes(12).toString('base64').slice(0, 16);
    const method = (req.method ?? 'GET').toUpperCase();
    const rawUrl = req.url ?? '/';
    const q = rawUrl.indexOf('?');
    const rawPath = q < 0 ? rawUrl : rawUrl.slice(0, q);
    const rawQueryString = q < 0 ? '' : rawUrl.slice(q + 1);

    const declaredLength = Number(req.headers['content-length'] ?? 0);
    if (declaredLength > api.maxPayloadBytes) {
      sendMessage(res, requestId, 413, 'Request Entity Too Large');
      return;
    }
    const match = matchRoute(routes, method, rawPath);
    let body: Buffer;
    try {
      body = await readBody(req, api.maxPayloadBytes);
    } catch (err) {
      if (err instanceof BodyTooLarge) sendMessage(res, requestId, 413, 'Request Entity Too Large');
      else res.destroy();
      return;
    }
    if (!match) {
      sendMessage(res, requestId, 404, 'Not Found');
      return;
    }
    const { route, pathParameters } = match;
    const { headers, cookies } = collectHeaders(req.rawHeaders);
    const sourceIp = (req.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, '');
    headers['x-forwarded-for'] = headers['x-forwarded-for']
      ? `${headers['x-forwarded-for']},${sourceIp}`
      : sourceIp;
    headers['x-forwarded-port'] = String(req.socket.localPort ?? '');
    headers['x-forwarded-proto'] = 'http';
    headers['x-amzn-trace-id'] ??=
      `Root=1-${Math.floor(now.getTime() / 1000).toString(16)}-${randomBytes(12).toString('hex')}`;
    const host = headers.host ?? `127.0.0.1:${req.socket.localPort}`;
    const queryStringParameters = parseQuery(rawQueryString);
    const requestContext: Record<string, unknown> = {
      accountId: LOCAL_ACCOUNT_ID,
      apiId,
      domainName: host,
      domainPrefix: host.split('.')[0],
      http: {
        method,
        path: rawPath,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp,
        userAgent: headers['user-agent'] ?? '',
      },
      requestId,
      routeKey: route.routeKey,
      stage: '$default',
      time: clfTime(now),
      timeEpoch: now.getTime(),
    };
    const common = {
      version: '2.0',
      routeKey: route.routeKey,
      rawPath,
      rawQueryString,
      ...(cookies ? { cookies } : {}),
      headers,
      ...(queryStringParameters ? { queryStringParameters } : {}),
      ...(Object.keys(pathParameters).length ? { pathParameters } : {}),
    };

    if (route.authorized) {
      const identity = headers[api.identitySource];
      if (!identity) {
        sendMessage(res, requestId, 401, 'Unauthorized');
        return;
      }
      const authorizerEvent = {
        type: 'REQUEST',
        routeArn: `arn:aws:execute-api:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:${apiId}/$default/${method}${rawPath}`,
        identitySource: [identity],
        ...common,
        requestContext,
      };
      const verdict = await withIntegrationTimeout(() => authorize(identity, authorizerEvent));
      if (verdict === 'timeout' || verdict === 'error') {
        sendMessage(res, requestId, 500, 'Internal Server Error');
        return;
      }
      if (!verdict.isAuthorized) {
        sendMessage(res, requestId, 403, 'Forbidden');
        return;
      }
      requestContext.authorizer = { lambda: verdict.context };
    }

    const hasBody = body.length > 0;
    const text = isTextContentType(headers['content-type']);
    const event = {
      ...common,
      requestContext,
      ...(hasBody ? { body: text ? body.toString('utf8') : body.toString('base64') } : {}),
      isBase64Encoded: hasBody && !text,
    };
    // Lambda measures the invocation payload, the event as JSON: a body under the gateway's 10 MB can still
    // exceed 6 MB once escaped (a CR becomes \r, a control character \u0001). Lambda refuses it and the
    // function never runs; API Gateway answers 413 "Request Too Long" (observed for Lambda proxy integrations).
    const maxEvent = api.maxLambdaPayloadBytes ?? LAMBDA_MAX_EVENT_BYTES;
    if (Buffer.byteLength(JSON.stringify(event)) > maxEvent) {
      logger(`[local] ${route.routeKey}: event exceeds Lambda's ${maxEvent}-byte payload limit: 413`);
      sendMessage(res, requestId, 413, 'Request Too Long', false);
      return;
    }
    const outcome = await withIntegrationTimeout(() =>
      invoker.invoke(route.functionName, event).then(
        (result) => ({ ok: true as const, result }),
        (error: unknown) => ({ ok: false as const, error }),
      ),
    );
    if (outcome === 'timeout') {
      logger(`[local] ${route.routeKey}: integration timed out after ${api.integrationTimeoutSeconds}s`);
      sendMessage(res, requestId, 503, 'Service Unavailable');
      return;
    }
    if (!outcome.ok) {
      // The handler threw or timed out (FunctionTimeoutError), its module is unavailable
      // (HandlerUnavailableError), or its result exceeded Lambda's 6 MB (PayloadTooLargeError): HTTP API
      // answers 500 for every failed integration. The invoker has logged name and message.
      sendMessage(res, requestId, 500, 'Internal Server Error');
      return;
    }
    const mapped = mapLambdaResult(outcome.result);
    if (!mapped) {
      logger(`[local] ${route.routeKey}: function ${route.functionName} returned a malformed response`);
      sendMessage(res, requestId, 500, 'Internal Server Error');
      return;
    }
    send(res, requestId, mapped);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) {
        res.writeHead(500, JSON_HEADERS);
        res.end(JSON.stringify({ message: 'Internal Server Error' }));
      } else res.destroy();
    });
  });
  const port = await listenLoopback(server, options.port ?? 0);
  let stopped: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    clearAuthorizerCache: () => authorizerCache.clear(),
    stop() {
      stopped ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      return stopped;
    },
  };
}
