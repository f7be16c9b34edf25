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
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { RECORD_TYPE_HEADER } from '#cdc/clearinghouse/client.ts';
import { localDate } from '#platform/dates.ts';
import { listenLoopback, readBody, readBytes } from '../listen.ts';
import type { Logger } from '../log.ts';
import {
  decode,
  fileNameOf,
  MAX_JSON_BYTES,
  MAX_UPLOAD_BYTES,
  notAllowed,
  sendJson,
} from './clearinghouse-http.ts';
import { judgeAsCdc } from './clearinghouse-judge.ts';
import { createTokens } from './clearinghouse-tokens.ts';
import type {
  ClearinghouseFaults,
  ClearinghouseStandin,
  ClearinghouseStandinOptions,
  ReceivedFile,
} from './clearinghouse-types.ts';

export type {
  ClearinghouseFaults,
  ClearinghouseStandin,
  ClearinghouseStandinOptions,
  ReceivedFile,
} from './clearinghouse-types.ts';

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

  const tokens = createTokens({
    clientId: opts.clientId,
    clientSecret: opts.clientSecret,
    ttlSeconds,
    windowMs,
    clock,
    log,
  });
  /** vax_event_id → whether the record is held or was deleted. */
  const records = new Map<string, 'held' | 'deleted'>();
  const received: ReceivedFile[] = [];
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
      return tokens.gen(req, res);
    }
    if (path === '/v0/token/refresh') {
      if (req.method !== 'POST') return notAllowed(req, res, 'POST');
      return tokens.refresh(req, res);
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
    if (!tokens.isValid(token)) {
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
    tokenRequests: tokens.genRequests,
    refreshRequests: tokens.refreshRequests,
    setFaults(f) {
      const parsed = parseFaults(f);
      if (typeof parsed === 'string') throw new RangeError(parsed);
      if (parsed.failNext !== undefined) failNext = parsed.failNext;
      if (parsed.status !== undefined) failStatus = parsed.status;
      if (parsed.expireTokens) tokens.expireAll();
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
