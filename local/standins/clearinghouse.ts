/**
 * Stand-in for CDC's Data Clearinghouse (DCH) REST API: a real HTTP server on 127.0.0.1 that issues tokens,
 * takes CVRS files, judges them with CDC's rules (./clearinghouse-judge.ts: CDC's validator, answered as CDC's
 * own Clearinghouse mock answers, never the project's own pre-send checks) and keeps, per vax_event_id, whether it
 * holds the record, so new/changed/deleted files meet the same duplicates and misses
 * they would at CDC. Faults can be switched on for tests and demos.
 *
 * Routes:
 * - `POST /v0/token/gen`: `{clientID, clientSecret, scopes: ["UPLOAD"]}` → `{token, expiration}`; 401 otherwise;
 * - `POST /v0/token/refresh`: `Authorization: <token>`, no body → a new `{token, expiration}` (the old one stops
 *   working); 401 for an unknown token or 24 h after the first token of its line was generated;
 * - `POST /v0/upload/cvrs/batch`: `Authorization: <token>`, text/plain CVRS file, gzipped or not
 *   (`Content-Encoding: gzip`), record type in the {@link RECORD_TYPE_HEADER} header (default `new`) →
 *   `{id, validationErrors, processingErrors, truncated}`;
 * - `GET  /_standin/received`: the files received, as a JSON list (counts and event IDs only);
 * - `GET|PUT|DELETE /_standin/faults`: read, set (JSON as {@link ClearinghouseFaults}) or clear the faults.
 *
 * With `tls`, it speaks HTTPS only and completes no handshake without a client certificate signed by `tls.ca`, as
 * CDC's production Clearinghouse requires a CDC-issued one (mutual TLS).
 *
 * Nothing is kept of a file beyond its event IDs and counts, and log lines carry no content.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { RECORD_TYPE_HEADER } from '#cdc/clearinghouse/client.ts';
import { localDate } from '#platform/dates.ts';
import { listenLoopback, readBody, readBytes } from '../listen.ts';
import type { Logger } from '../log.ts';
import { judgeAsCdc } from './clearinghouse-judge.ts';

export interface ClearinghouseStandinOptions {
  /** Port on 127.0.0.1; 0 or omitted: a free one. */
  port?: number;
  clientId: string;
  clientSecret: string;
  /** Lifetime of an issued token; default 900 s. */
  tokenTtlSeconds?: number;
  /** How long after its first issue a token can be refreshed; default 24 h. */
  refreshWindowSeconds?: number;
  /** Milliseconds since the epoch for issuing, expiring and refreshing tokens; default Date.now (tests move it). */
  clock?: () => number;
  /** Serve HTTPS and require a client certificate signed by `ca` (PEM strings). */
  tls?: { key: string; cert: string; ca: string; requireClientCert: true };
  /** Receives one line per request (no content). Silent by default. */
  logger?: Logger;
  /** The moment whose California date is "today" for the checks; default the clock. Tokens follow `clock`. */
  now?: () => Date;
}

export interface ReceivedFile {
  /** The receipt id answered. */
  id: string;
  fileName?: string;
  recordType?: string;
  /** `gzip`, or `identity` for a body sent as is. */
  contentEncoding: string;
  records: number;
  validationErrors: number;
  processingErrors: number;
  /** vax_event_id of every record line, in file order. */
  eventIds: string[];
  /** ISO 8601 time it was answered. */
  at: string;
}

export interface ClearinghouseFaults {
  /** The next `n` upload requests are answered with `status` and not processed. */
  failNext?: number;
  /** Status for `failNext`; default 500. */
  status?: number;
  /** Every token issued so far stops working (new tokens work). */
  expireTokens?: boolean;
}

export interface ClearinghouseStandin {
  /** `http://127.0.0.1:PORT`, or `https://` with `tls` (the API base: `/v0/...` follows). */
  url: string;
  /** Copies of the files answered with a receipt, oldest first. */
  received(): ReceivedFile[];
  /** Whether the stand-in holds a record with this vax_event_id (received and not deleted). */
  holds(vaxEventId: string): boolean;
  /** Token requests (`/v0/token/gen`) seen, granted or not. */
  tokenRequests(): number;
  /** Refresh requests (`/v0/token/refresh`) seen, granted or not. */
  refreshRequests(): number;
  setFaults(f: ClearinghouseFaults): void;
  clearFaults(): void;
  stop(): Promise<void>;
}

const MAX_UPLOAD_BYTES = 200 * 1024 * 1024;
const MAX_JSON_BYTES = 64 * 1024;
const DEFAULT_TTL_SECONDS = 900;
const DEFAULT_REFRESH_WINDOW_SECONDS = 24 * 3600;
const KEEP = 10_000;
const RECORD_TYPES: ReadonlySet<string> = new Set(['new', 'changed', 'deleted']);
const TAG = '[clearinghouse]';

export async function startClearinghouseStandin(
  opts: ClearinghouseStandinOptions,
): Promise<ClearinghouseStandin> {
  const log: Logger = opts.logger ?? (() => {});
  const ttlSeconds = opts.tokenTtlSeconds ?? DEFAULT_TTL_SECONDS;
  const windowMs = (opts.refreshWindowSeconds ?? DEFAULT_REFRESH_WINDOW_SECONDS) * 1000;
  const now = opts.now ?? (() => new Date());
  const clock = opts.clock ?? Date.now;

  /** token → its expiry, and the end of the refresh window of the first token it descends from (ms). */
  const tokens = new Map<string, { expiresAt: number; refreshUntil: number }>();
  /** vax_event_id → whether the record is held or was deleted. */
  const records = new Map<string, 'held' | 'deleted'>();
  const received: ReceivedFile[] = [];
  let tokenRequests = 0;
  let refreshRequests = 0;
  let failNext = 0;
  let failStatus = 500;

  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res).catch(() => {
      log(`${TAG} request failed`);
      if (!res.headersSent) sendJson(res, 500, { message: 'Internal Server Error' });
      else res.destroy();
    });
  };
  const tls = opts.tls;
  const server = tls
    ? createHttpsServer(
        { key: tls.key, cert: tls.cert, ca: tls.ca, requestCert: true, rejectUnauthorized: true },
        onRequest,
      )
    : createServer(onRequest);
  // Node drops an untrusted client without a TLS alert; this line is the only trace of why.
  server.on('tlsClientError', (err: Error & { code?: string }) =>
    log(`${TAG} TLS handshake refused (${err.code ?? err.name})`),
  );

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    if (path === '/v0/token/gen') {
      if (req.method !== 'POST') return notAllowed(req, res, 'POST');
      return tokenGen(req, res);
    }
    if (path === '/v0/token/refresh') {
      if (req.method !== 'POST') return notAllowed(req, res, 'POST');
      return tokenRefresh(req, res);
    }
    if (path === '/v0/upload/cvrs/batch') {
      if (req.method !== 'POST') return notAllowed(req, res, 'POST');
      return upload(req, res);
    }
    if (path === '/_standin/received' && req.method === 'GET') {
      req.resume();
      return sendJson(res, 200, received);
    }
    if (path === '/_standin/faults') return faultControl(req, res);
    req.resume();
    return sendJson(res, 404, { message: 'Not found' });
  }

  async function tokenGen(req: IncomingMessage, res: ServerResponse): Promise<void> {
    tokenRequests++;
    const note = (status: number, outcome: string) => log(`${TAG} token/gen → ${outcome} (HTTP ${status})`);
    const body = await readBody(req, MAX_JSON_BYTES);
    let input: unknown;
    try {
      input = JSON.parse(body ?? '');
    } catch {
      note(400, 'unreadable');
      return sendJson(res, 400, { message: 'Send a JSON object with clientID, clientSecret and scopes' });
    }
    const o = (typeof input === 'object' && input !== null ? input : {}) as Record<string, unknown>;
    if (o.clientID !== opts.clientId || o.clientSecret !== opts.clientSecret) {
      note(401, 'refused');
      return sendJson(res, 401, { message: 'Unauthorized' });
    }
    if (!Array.isArray(o.scopes) || !o.scopes.includes('UPLOAD')) {
      note(400, 'no UPLOAD scope');
      return sendJson(res, 400, { message: 'scopes must include UPLOAD' });
    }
    const at = clock();
    for (const [t, { refreshUntil }] of tokens) if (refreshUntil <= at) tokens.delete(t);
    note(200, 'granted');
    return sendJson(res, 200, issue(at, at + windowMs));
  }

  async function tokenRefresh(req: IncomingMessage, res: ServerResponse): Promise<void> {
    refreshRequests++;
    const note = (status: number, outcome: string) =>
      log(`${TAG} token/refresh → ${outcome} (HTTP ${status})`);
    // The body is empty by contract; read it anyway so the connection stays usable.
    await readBody(req, MAX_JSON_BYTES);
    const old = req.headers.authorization ?? '';
    const held = tokens.get(old);
    const at = clock();
    if (held === undefined || held.refreshUntil <= at) {
      note(401, held === undefined ? 'unknown token' : 'past the refresh window');
      tokens.delete(old);
      return sendJson(res, 401, { message: 'Unauthorized' });
    }
    tokens.delete(old);
    note(200, 'refreshed');
    return sendJson(res, 200, issue(at, held.refreshUntil));
  }

  /** A new token valid for the TTL, never past the end of its refresh window. */
  function issue(at: number, refreshUntil: number): { token: string; expiration: number } {
    const token = randomBytes(24).toString('base64url');
    const expiresAt = Math.min(at + ttlSeconds * 1000, refreshUntil);
    tokens.set(token, { expiresAt, refreshUntil });
    return { token, expiration: Math.floor(expiresAt / 1000) };
  }

  async function upload(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const note = (status: number, outcome: string) => log(`${TAG} upload → ${outcome} (HTTP ${status})`);
    const bytes = await readBytes(req, MAX_UPLOAD_BYTES);
    if (res.destroyed) return note(0, 'client-closed');
    if (bytes === undefined) {
      res.setHeader('connection', 'close');
      note(413, 'too large');
      return sendJson(res, 413, { message: `The file is larger than ${MAX_UPLOAD_BYTES} bytes` });
    }
    if (failNext > 0) {
      failNext--;
      note(failStatus, 'simulated failure');
      return sendJson(res, failStatus, { message: 'Simulated failure (stand-in fault)' });
    }
    const token = req.headers.authorization ?? '';
    const expiry = tokens.get(token)?.expiresAt;
    if (expiry === undefined || expiry <= clock()) {
      note(401, 'unauthorized');
      return sendJson(res, 401, { message: 'Unauthorized' });
    }
    const contentType = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (contentType !== 'text/plain') {
      note(415, 'unsupported media type');
      return sendJson(res, 415, { message: 'Send the CVRS file as text/plain' });
    }
    const contentEncoding = (req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
    const decoded = await decode(contentEncoding, bytes);
    if (typeof decoded !== 'string') {
      note(decoded.status, decoded.outcome);
      return sendJson(res, decoded.status, { message: decoded.message });
    }
    const body = decoded;
    const typeHeader = req.headers[RECORD_TYPE_HEADER.toLowerCase()];
    const recordType = (Array.isArray(typeHeader) ? typeHeader[0] : typeHeader)?.trim().toLowerCase();
    if (recordType !== undefined && !RECORD_TYPES.has(recordType)) {
      note(400, 'unknown record type');
      return sendJson(res, 400, { message: `${RECORD_TYPE_HEADER} must be new, changed or deleted` });
    }

    const judged = judgeAsCdc(body, localDate(now()));
    const { validationErrors, processingErrors } = judged;
    if (!judged.unreadable)
      judged.ids.forEach(({ vaxEventId, recipId }, i) => {
        if (judged.refused.has(i + 1)) return;
        const error = apply(recordType ?? 'new', vaxEventId);
        if (error) processingErrors.push(`VaxEventId=${vaxEventId} RecipId=${recipId} message=${error}`);
      });

    const id = randomUUID();
    const fileName = fileNameOf(req.headers['content-disposition']);
    received.push({
      id,
      ...(fileName === undefined ? {} : { fileName }),
      ...(recordType === undefined ? {} : { recordType }),
      contentEncoding,
      records: judged.records,
      validationErrors: validationErrors.length,
      processingErrors: processingErrors.length,
      eventIds: judged.ids.map((i) => i.vaxEventId),
      at: new Date().toISOString(),
    });
    if (received.length > KEEP) received.splice(0, received.length - KEEP);
    note(
      200,
      `${judged.records} records, ${validationErrors.length} validation and ${processingErrors.length} processing errors`,
    );
    return sendJson(res, 200, { id, validationErrors, processingErrors, truncated: false });
  }

  /** Applies one valid record; answers the processing error, if any. */
  function apply(recordType: string, eventId: string): string | undefined {
    const held = records.get(eventId) === 'held';
    if (recordType === 'new') {
      if (held) return 'Record already exists';
      records.set(eventId, 'held');
    } else if (recordType === 'changed') {
      if (!held) return 'No record to change';
    } else {
      if (!held) return 'No record to delete';
      records.set(eventId, 'deleted');
    }
    return undefined;
  }

  async function faultControl(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method === 'GET') {
      req.resume();
      return sendJson(res, 200, { failNext, status: failStatus });
    }
    if (req.method === 'DELETE') {
      req.resume();
      standin.clearFaults();
      return sendJson(res, 200, { failNext, status: failStatus });
    }
    if (req.method === 'PUT' || req.method === 'POST') {
      const body = await readBody(req, MAX_JSON_BYTES);
      let input: unknown;
      try {
        input = JSON.parse(body ?? '');
      } catch {
        return sendJson(res, 400, { message: 'send a JSON object' });
      }
      const parsed = parseFaults(input);
      if (typeof parsed === 'string') return sendJson(res, 400, { message: parsed });
      standin.setFaults(parsed);
      return sendJson(res, 200, { failNext, status: failStatus });
    }
    return notAllowed(req, res, 'GET, PUT, POST, DELETE');
  }

  const port = await listenLoopback(server, opts.port ?? 0);
  let stopping: Promise<void> | undefined;
  const standin: ClearinghouseStandin = {
    url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    received: () => structuredClone(received),
    holds: (vaxEventId) => records.get(vaxEventId) === 'held',
    tokenRequests: () => tokenRequests,
    refreshRequests: () => refreshRequests,
    setFaults(f) {
      const parsed = parseFaults(f);
      if (typeof parsed === 'string') throw new RangeError(parsed);
      if (parsed.failNext !== undefined) failNext = parsed.failNext;
      if (parsed.status !== undefined) failStatus = parsed.status;
      if (parsed.expireTokens) tokens.clear();
    },
    clearFaults() {
      failNext = 0;
      failStatus = 500;
    },
    stop() {
      stopping ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return stopping;
    },
  };
  return standin;
}

function parseFaults(input: unknown): ClearinghouseFaults | string {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return 'send a JSON object';
  const o = input as Record<string, unknown>;
  const unknown = Object.keys(o).filter((k) => !['failNext', 'status', 'expireTokens'].includes(k));
  if (unknown.length > 0) return `unknown fault setting(s): ${unknown.join(', ')}`;
  const out: ClearinghouseFaults = {};
  if (o.failNext !== undefined) {
    if (typeof o.failNext !== 'number' || !Number.isInteger(o.failNext) || o.failNext < 0)
      return 'failNext must be a whole number ≥ 0';
    out.failNext = o.failNext;
  }
  if (o.status !== undefined) {
    if (typeof o.status !== 'number' || !Number.isInteger(o.status) || o.status < 400 || o.status > 599)
      return 'status must be an HTTP error status (400–599)';
    out.status = o.status;
  }
  if (o.expireTokens !== undefined) {
    if (typeof o.expireTokens !== 'boolean') return 'expireTokens must be true or false';
    out.expireTokens = o.expireTokens;
  }
  return out;
}

const gunzipAsync = promisify(gunzip);

/** The body as text, decompressed as its Content-Encoding says, or the answer refusing it. */
async function decode(
  encoding: string,
  bytes: Buffer,
): Promise<string | { status: number; outcome: string; message: string }> {
  if (encoding === 'identity') return bytes.toString('utf8');
  if (encoding !== 'gzip')
    return {
      status: 415,
      outcome: 'unsupported content encoding',
      message: 'Content-Encoding must be gzip, or absent for a body sent as is',
    };
  try {
    // The limit stops a small bomb from inflating past what an uncompressed upload may be.
    return (await gunzipAsync(bytes, { maxOutputLength: MAX_UPLOAD_BYTES })).toString('utf8');
  } catch (err) {
    return (err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE'
      ? {
          status: 413,
          outcome: 'too large once decompressed',
          message: `The file is larger than ${MAX_UPLOAD_BYTES} bytes`,
        }
      : {
          status: 400,
          outcome: 'malformed gzip',
          message: 'The body is not valid gzip (Content-Encoding: gzip)',
        };
  }
}

/** `attachment; filename="x.txt"` → `x.txt`. */
function fileNameOf(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const m = /filename\s*=\s*(?:"([^"]*)"|([^;\s]+))/i.exec(header);
  return m ? (m[1] ?? m[2]) : undefined;
}

function notAllowed(req: IncomingMessage, res: ServerResponse, allow: string): void {
  req.resume();
  res.setHeader('allow', allow);
  sendJson(res, 405, { message: 'Method not allowed' });
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  if (res.destroyed) return;
  const text = `${JSON.stringify(body)}\n`;
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}
