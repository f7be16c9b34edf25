/**
 * Bucket CORS as S3 applies it (docs.aws.amazon.com/AmazonS3/latest/userguide/cors.html, "How does Amazon S3
 * evaluate the CORS configuration on a bucket?"), for the local S3 stand-in, which has none: the web console
 * PUTs files to presigned URLs from another origin, and the browser must be refused locally where S3 would
 * refuse it. The rules come from the topology's `cors` (infra/topology.ts), with `'console'` resolved to the
 * console's origin, as the stack resolves it.
 *
 * - A preflight (OPTIONS with Origin and Access-Control-Request-Method) is answered by the first rule whose
 *   origins, methods and every requested header match: 200 with the Allow headers; else 403. A bucket without
 *   rules answers 403 too ("CORS is not enabled for this bucket").
 * - Another request with an Origin is served as always; when a rule matches, the answer carries
 *   Access-Control-Allow-Origin and the exposed headers, which is what lets the page's script read it.
 */
import type { BucketCors } from '../../infra/topology-types.ts';

export interface CorsRule {
  origins: readonly string[];
  methods: readonly string[];
  /** Lower case; `*` allows any. */
  allowedHeaders: readonly string[];
  exposedHeaders: readonly string[];
  maxAgeSeconds: number;
}

export interface CorsRequest {
  method: string;
  origin: string | undefined;
  /** Access-Control-Request-Method of a preflight. */
  requestMethod?: string | undefined;
  /** Access-Control-Request-Headers of a preflight (comma-separated). */
  requestHeaders?: string | undefined;
}

export type CorsAnswer =
  /** Not a cross-origin request of a browser: serve it as is. */
  | { kind: 'pass' }
  /** Serve it, adding these headers. */
  | { kind: 'serve'; headers: Record<string, string> }
  /** Answer the preflight now with this status, headers and S3's XML error when refused. */
  | { kind: 'preflight'; status: number; headers: Record<string, string>; body?: string };

const matches = (patterns: readonly string[], value: string) =>
  patterns.some((p) => p === '*' || p === value);

function refused(message: string): CorsAnswer {
  return {
    kind: 'preflight',
    status: 403,
    headers: { 'content-type': 'application/xml' },
    body: `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessForbidden</Code><Message>${message}</Message></Error>`,
  };
}

export function corsAnswer(rules: readonly CorsRule[] | undefined, req: CorsRequest): CorsAnswer {
  const preflight = req.method === 'OPTIONS';
  if (!req.origin) return preflight ? refused('CORSResponse: Origin is missing.') : { kind: 'pass' };
  if (preflight && !req.requestMethod)
    return refused('CORSResponse: Access-Control-Request-Method is missing.');
  const method = preflight ? req.requestMethod! : req.method;
  const headers = (req.requestHeaders ?? '')
    .split(',')
    .map((h) => h.trim().toLowerCase())
    .filter(Boolean);
  if (!rules?.length)
    return preflight ? refused('CORSResponse: CORS is not enabled for this bucket.') : { kind: 'pass' };
  const rule = rules.find(
    (r) =>
      matches(r.origins, req.origin!) &&
      r.methods.includes(method) &&
      (!preflight || headers.every((h) => matches(r.allowedHeaders, h))),
  );
  if (!rule) return preflight ? refused('CORSResponse: This CORS request is not allowed.') : { kind: 'pass' };
  const allowOrigin = rule.origins.includes('*') ? '*' : req.origin;
  if (!preflight) {
    return {
      kind: 'serve',
      headers: {
        'access-control-allow-origin': allowOrigin,
        ...(rule.exposedHeaders.length
          ? { 'access-control-expose-headers': rule.exposedHeaders.join(', ') }
          : {}),
        vary: 'Origin, Access-Control-Request-Headers, Access-Control-Request-Method',
      },
    };
  }
  return {
    kind: 'preflight',
    status: 200,
    headers: {
      'access-control-allow-origin': allowOrigin,
      'access-control-allow-methods': rule.methods.join(', '),
      ...(headers.length ? { 'access-control-allow-headers': headers.join(', ') } : {}),
      ...(rule.exposedHeaders.length
        ? { 'access-control-expose-headers': rule.exposedHeaders.join(', ') }
        : {}),
      'access-control-max-age': String(rule.maxAgeSeconds),
      vary: 'Origin, Access-Control-Request-Headers, Access-Control-Request-Method',
    },
  };
}

/** The topology's CORS of a bucket as rules, `'console'` being the console's origin (none when not served). */
export function corsRules(spec: BucketCors | undefined, consoleOrigin: string | undefined): CorsRule[] {
  if (!spec || !consoleOrigin) return [];
  return [
    {
      origins: [consoleOrigin],
      methods: spec.methods,
      allowedHeaders: spec.allowedHeaders,
      exposedHeaders: spec.exposedHeaders,
      maxAgeSeconds: spec.maxAgeSeconds,
    },
  ];
}
