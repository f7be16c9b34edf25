/**
 * The real API handlers (functions/doses/api.ts, functions/doses/soap.ts) on the local runtime's in-memory
 * stand-ins (dynalite, fauxqs), invoked in-process as Lambda would (JSON round-trip of event and answer), with
 * an API Gateway v2 event like the one the HTTP API builds. Started once per fuzz run.
 */
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { type LocalRuntime, startLocalRuntime } from '../../local/runtime.ts';
import { intakeOnly } from '../../local/topologies.ts';
import { demoSite } from '../fixtures/doses.ts';

export const ADMIN_KEY = 'fuzz-admin-key-0123456789';

export interface Pipeline {
  rt: LocalRuntime;
  site: { iis_id: string; api_key: string };
  /** Invokes a function with an HTTP API event; answers status, headers and body as the client would see. */
  call(
    fn: 'doses' | 'soapIntake',
    req: {
      method: string;
      path: string;
      routeKey: string;
      headers?: Record<string, string>;
      body?: string;
      pathParameters?: Record<string, string>;
      auth?: Record<string, unknown>;
    },
  ): Promise<{ status: number; body: string; headers: Record<string, string> }>;
  stop(): Promise<void>;
}

let seq = 0;

function apiEvent(req: Parameters<Pipeline['call']>[1]) {
  seq++;
  return {
    version: '2.0',
    routeKey: req.routeKey,
    rawPath: req.path,
    rawQueryString: '',
    headers: { host: 'fuzz.local', ...(req.headers ?? {}) },
    ...(req.pathParameters ? { pathParameters: req.pathParameters } : {}),
    requestContext: {
      accountId: '000000000000',
      apiId: 'fuzz',
      domainName: 'fuzz.local',
      domainPrefix: 'fuzz',
      http: {
        method: req.method,
        path: req.path,
        protocol: 'HTTP/1.1',
        sourceIp: '127.0.0.1',
        userAgent: 'fuzz',
      },
      requestId: `fuzz-${seq}`,
      routeKey: req.routeKey,
      stage: '$default',
      time: new Date().toUTCString(),
      timeEpoch: Date.now(),
      ...(req.auth ? { authorizer: { lambda: req.auth } } : {}),
    },
    ...(req.body !== undefined ? { body: req.body } : {}),
    isBase64Encoded: false,
  };
}

export async function startPipeline(): Promise<Pipeline> {
  const rt = await startLocalRuntime({
    topology: intakeOnly(),
    port: 0,
    schedules: false,
    registries: false,
    clearinghouse: false,
    iam: false,
    sqs: { waitTimeSeconds: 1 },
    logger: () => {},
    extraEnv: { ADMIN_KEY, POWERTOOLS_LOG_LEVEL: 'CRITICAL' },
  });
  const res = await fetch(`${rt.apiUrl}/v1/sites`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ ...demoSite, iis_id: `FUZZ${process.pid}` }),
  });
  if (res.status !== 201) throw new Error(`enroll failed: ${res.status} ${await res.text()}`);
  const site = (await res.json()) as { iis_id: string; api_key: string };
  return {
    rt,
    site,
    async call(fn, req) {
      const out = (await rt.invoke(fn, apiEvent(req))) as APIGatewayProxyStructuredResultV2;
      return {
        status: out.statusCode ?? 200,
        body: typeof out.body === 'string' ? out.body : '',
        headers: (out.headers ?? {}) as Record<string, string>,
      };
    },
    stop: () => rt.stop(),
  };
}
