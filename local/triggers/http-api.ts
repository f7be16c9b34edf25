/**
 * API Gateway HTTP API in front of in-process functions: route matching, Lambda proxy payload format 2.0,
 * Lambda authorizer (payload 2.0, simple responses, cached per identity source), payload limit, integration
 * timeout and API Gateway's own error answers. Binds 127.0.0.1 only.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { LOCAL_ACCOUNT_ID, LOCAL_REGION } from '../clients.ts';
import { type ConsoleSite, serveConsole } from '../console-site.ts';
import type { Invoker, LocalFunctionSpec } from '../lambda.ts';
import { listenLoopback } from '../listen.ts';
import { defaultLogger, type Logger } from '../log.ts';
import type { Meter } from '../metering/meter.ts';
import { createAuthorizer } from './http-api-authorizer.ts';
import {
  BodyTooLarge,
  clfTime,
  collectHeaders,
  isTextContentType,
  parseQuery,
  readBody,
} from './http-api-request.ts';
import { JSON_HEADERS, mapLambdaResult, send, sendMessage } from './http-api-response.ts';
import { buildRoutes, matchRoute } from './http-api-routes.ts';

export { collectHeaders, isTextContentType, parseQuery } from './http-api-request.ts';
export { mapLambdaResult } from './http-api-response.ts';
export { buildRoutes, matchRoute, type Route, type RouteMatch } from './http-api-routes.ts';

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
  /**
   * The web console (docs/console.md): GET and HEAD of paths outside the API's routes are its files, as
   * CloudFront serves them in AWS. Without it every unmatched path is API Gateway's 404.
   */
  console?: ConsoleSite;
  /** Counts each request that matches a route, as API Gateway bills it (bench metering). */
  meter?: Pick<Meter, 'apiRequest'>;
}

export interface HttpApi {
  url: string;
  port: number;
  clearAuthorizerCache(): void;
  stop(): Promise<void>;
}

/** Lambda's synchronous invocation payload limit. */
const LAMBDA_MAX_EVENT_BYTES = 6 * 1024 * 1024;

export async function startHttpApi(options: HttpApiOptions): Promise<HttpApi> {
  const logger = options.logger ?? defaultLogger;
  const { api, invoker } = options;
  const apiId = options.apiId ?? 'localapi';
  const routes = buildRoutes(options.functions);
  // The API's paths: every route's first segment (/v1). Anything under them keeps API Gateway's answers.
  const apiPrefixes = [...new Set(routes.map((r) => `/${r.segments[0]}`))];
  const underApi = (path: string) => apiPrefixes.some((p) => path === p || path.startsWith(`${p}/`));
  const authorizer = createAuthorizer(api, invoker, logger);

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
      if (options.console && (method === 'GET' || method === 'HEAD') && !underApi(rawPath)) {
        serveConsole(options.console, req, res, rawPath);
        return;
      }
      sendMessage(res, requestId, 404, 'Not Found');
      return;
    }
    const { route, pathParameters } = match;
    options.meter?.apiRequest(body.length);
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
      const verdict = await withIntegrationTimeout(() => authorizer.authorize(identity, authorizerEvent));
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
    clearAuthorizerCache: authorizer.clear,
    stop() {
      stopped ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      return stopped;
    },
  };
}
