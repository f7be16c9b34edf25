/**
 * Stand-ins for the regional CAIR registries (CAIR2, RIDE, SDIR): each a real SOAP 1.2 server on 127.0.0.1 that
 * speaks the CDC IIS WSDL (`urn:cdc:iisb:2011`), checks the credentials, reads the VXU and answers an HL7 ACK the
 * way CAIR2 does (rules: registry-ack.ts). Faults can be switched on for tests and demos, and every message it
 * answered is kept in memory so a test or a person can see what each registry got.
 *
 * Routes:
 * - `GET  /iis?wsdl`: the WSDL, with this endpoint as the service address;
 * - `POST /iis`: SOAP 1.2 `connectivityTest` and `submitSingleMessage`;
 * - `GET  /_standin/received`: what it received, as JSON (summaries: no HL7 or ACK text);
 * - `GET|PUT|DELETE /_standin/faults`: read, set (a {@link FaultMode} JSON, plus `failNext`) or clear the faults.
 *
 * Nothing here logs message content: log lines name the registry, the operation and the outcome only.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AckCode, Hl7Error } from '#codecs/hl7/index.ts';
import {
  buildConnectivityTestResponse,
  buildFault,
  buildSubmitSingleMessageResponse,
  type CdcFault,
  faultHttpStatus,
  parseSoapRequest,
  SOAP12_CONTENT_TYPE,
  type Soap12FaultCode,
  SoapEncodingError,
  SoapParseError,
} from '#codecs/soap/cdc-iis.ts';
import { cdcIisWsdl } from '#codecs/soap/cdc-iis.wsdl.ts';
import { listenLoopback, readBody } from '../listen.ts';
import type { Logger } from '../log.ts';
import { ackText, judgeVxu, type ReceivedDose } from './registry-ack.ts';

export type { ReceivedDose } from './registry-ack.ts';

export interface RegistryCredentials {
  username: string;
  password: string;
  /** When set, a request must name this facilityID too (another facility's credentials are refused). */
  facilityID?: string;
}

export interface RegistryStandinOptions {
  /** `CAIR2`, `RIDE`, `SDIR`, or any name; it appears in log lines and as the ACK's MSH-3 when MSH-5 is empty. */
  name: string;
  /** Port on 127.0.0.1; 0 or omitted: a free one. */
  port?: number;
  credentials: RegistryCredentials;
  /** MSH-6 this registry answers to (e.g. `CAIRBA`); a message naming another is rejected (AR). */
  expectedReceivingFacility?: string;
  /** Largest HL7 message accepted (UTF-8 bytes) before a MessageTooLargeFault; default 1 MiB. */
  maxMessageBytes?: number;
  /** Messages kept for `received()`, oldest dropped first; default 10,000. */
  keep?: number;
  /** Zone of the ACK's MSH-7; California by default. */
  timeZone?: string;
  /** Receives one line per request (no content). Silent by default. */
  logger?: Logger;
}

/**
 * Faults the stand-in plays, applied to every SOAP POST in this order: `latencyMs`, then `timeout`, then a
 * pending `failNext`, then `http500`, then `securityFault`; `wrongMsa2` changes only the ACK of a message it
 * answers. The WSDL and `/_standin/*` are never faulted.
 */
export interface FaultMode {
  /** Waits this long before handling the request; a client that gives up first leaves nothing received. */
  latencyMs?: number;
  /** HTTP 500: `true` or `'soap'` with a SOAP generic Receiver fault, `'plain'` with a text body. */
  http500?: boolean | 'soap' | 'plain';
  /** Never answers, until the faults are cleared (the request then goes on) or the client closes the socket. */
  timeout?: boolean;
  /** A SecurityFault for every request, whatever the credentials. */
  securityFault?: boolean;
  /**
   * Judges each message as usual but names another message in the ACK's MSA-2 (the latest one received with
   * another ID, or an unknown ID), as a registry that mixes up its answers would: the client must not take it
   * for its own.
   */
  wrongMsa2?: boolean;
}

export interface RegistryFaults {
  /** Replaces the whole fault mode (a pending `failNext` count is kept). */
  set(mode: FaultMode): void;
  /** No faults, no pending `failNext`; requests held by `timeout` go on and are answered. */
  clear(): void;
  /** The next `n` SOAP requests answer HTTP 500 (a Receiver fault, or a plain body), then it recovers. */
  failNext(n: number, body?: 'soap' | 'plain'): void;
  /** The mode in force and the `failNext` requests still to fail. */
  current(): FaultMode & { failNext: number };
}

export interface ReceivedMessage {
  /** ISO 8601 time it was answered. */
  at: string;
  facilityID: string;
  /** The HL7 message as received (patient data: do not log). */
  hl7: string;
  parsed: { messageControlId: string; doses: ReceivedDose[] };
  /** The ERR segments of the ACK, as the stand-in meant them. */
  errors: Hl7Error[];
  ack: string;
  ackCode: AckCode;
}

/** One SOAP request and how it ended, without content: enough to count attempts and retries. */
export interface RegistryRequest {
  at: string;
  operation: 'submitSingleMessage' | 'connectivityTest' | 'unknown' | 'unreadable';
  /** HTTP status answered; 0 when the client went away first. */
  status: number;
  /** `AA`/`AE`/`AR`, `echo`, a CDC fault name, `http500`, `unsupported-media-type`, or `client-closed`. */
  outcome: string;
}

export interface RegistryStandin {
  name: string;
  /** `http://127.0.0.1:PORT/iis` */
  endpoint: string;
  port: number;
  /** Copies of every message answered with an ACK (AA, AE and AR alike), oldest first. */
  received(): ReceivedMessage[];
  /** Copies of the log of SOAP requests, oldest first (kept as long as `received`). */
  requests(): RegistryRequest[];
  /** Forgets what was received and the request log. */
  clearReceived(): void;
  faults: RegistryFaults;
  stop(): Promise<void>;
}

const DEFAULT_MAX_MESSAGE_BYTES = 1024 * 1024;
const DEFAULT_KEEP = 10_000;
/** Envelope, credentials and XML escaping around the largest message. */
const ENVELOPE_ALLOWANCE = 64 * 1024;

type Held = { release: () => void };

export async function startRegistryStandin(options: RegistryStandinOptions): Promise<RegistryStandin> {
  const { name, credentials } = options;
  const maxMessageBytes = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  const maxBodyBytes = maxMessageBytes * 6 + ENVELOPE_ALLOWANCE; // `&#13;` for every CR, at worst
  const keep = options.keep ?? DEFAULT_KEEP;
  const log: Logger = options.logger ?? (() => {});
  const tag = `[registry ${name}]`;

  let mode: FaultMode = {};
  let failNext = 0;
  let failNextBody: 'soap' | 'plain' = 'soap';
  const held = new Set<Held>();
  let received: ReceivedMessage[] = [];
  let requests: RegistryRequest[] = [];
  let ackSeq = 0;
  let stopped = false;
  let endpoint = '';

  const pushBounded = <T>(list: T[], item: T) => {
    list.push(item);
    if (list.length > keep) list.splice(0, list.length - keep);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      log(`${tag} request failed: ${err instanceof Error ? err.name : 'Error'}`);
      if (!res.headersSent) send(res, 500, 'text/plain; charset=utf-8', 'Internal Server Error');
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname === '/iis') {
      if (req.method === 'GET' && [...url.searchParams.keys()].some((k) => k.toLowerCase() === 'wsdl')) {
        req.resume();
        return send(res, 200, 'text/xml; charset=utf-8', cdcIisWsdl(endpoint));
      }
      if (req.method === 'POST') return soap(req, res);
      req.resume();
      res.setHeader('allow', 'GET, POST');
      return send(res, 405, 'text/plain; charset=utf-8', 'POST SOAP 1.2 here, or GET ?wsdl\n');
    }
    if (url.pathname === '/_standin/received' && req.method === 'GET') {
      req.resume();
      const summary = received.map(({ hl7: _hl7, ack: _ack, ...rest }) => rest);
      return sendJson(res, 200, { name, received: summary });
    }
    if (url.pathname === '/_standin/faults') return faultControl(req, res);
    req.resume();
    return send(res, 404, 'text/plain; charset=utf-8', 'Not found\n');
  }

  async function faultControl(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method === 'GET') {
      req.resume();
      return sendJson(res, 200, faults.current());
    }
    if (req.method === 'DELETE') {
      req.resume();
      faults.clear();
      return sendJson(res, 200, faults.current());
    }
    if (req.method === 'PUT' || req.method === 'POST') {
      const body = await readBody(req, 64 * 1024);
      let input: unknown;
      try {
        input = JSON.parse(body ?? '');
      } catch {
        return sendJson(res, 400, { message: 'send a JSON object' });
      }
      const parsed = parseFaultInput(input);
      if (typeof parsed === 'string') return sendJson(res, 400, { message: parsed });
      faults.set(parsed.mode);
      if (parsed.failNext !== undefined) faults.failNext(parsed.failNext, parsed.failNextBody);
      return sendJson(res, 200, faults.current());
    }
    req.resume();
    res.setHeader('allow', 'GET, PUT, POST, DELETE');
    return send(res, 405, 'text/plain; charset=utf-8', 'Method not allowed\n');
  }

  async function soap(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const at = () => new Date().toISOString();
    let gone = false;
    res.once('close', () => {
      if (!res.writableEnded) gone = true;
    });
    const note = (operation: RegistryRequest['operation'], status: number, outcome: string) => {
      pushBounded(requests, { at: at(), operation, status, outcome });
      log(`${tag} ${operation} → ${outcome} (HTTP ${status || 'none'})`);
    };

    const body = await readBody(req, maxBodyBytes);
    if (gone) return note('unreadable', 0, 'client-closed');
    if (body === undefined) {
      res.setHeader('connection', 'close');
      sendFault(res, 'MessageTooLargeFault', 'The request is larger than this registry accepts.', {
        maxSize: maxMessageBytes,
      });
      return note('unreadable', 400, 'MessageTooLargeFault');
    }

    // Faults, in the documented order.
    if (mode.latencyMs && mode.latencyMs > 0) {
      await waitOrClose(res, mode.latencyMs);
      if (gone || stopped) return note('unreadable', 0, 'client-closed');
    }
    if (mode.timeout) {
      await holdUntilCleared(res);
      // A client that gave up just before the clear may not have been seen closing yet: give its FIN a turn.
      await new Promise((resolve) => setImmediate(resolve));
      if (gone || stopped) return note('unreadable', 0, 'client-closed');
    }
    if (failNext > 0) {
      failNext--;
      serverError(res, failNextBody);
      return note('unreadable', 500, 'http500');
    }
    if (mode.http500) {
      serverError(res, mode.http500 === 'plain' ? 'plain' : 'soap');
      return note('unreadable', 500, 'http500');
    }

    const contentType = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (contentType !== 'application/soap+xml' && contentType !== 'text/xml') {
      send(res, 415, 'text/plain; charset=utf-8', 'Send SOAP 1.2 as application/soap+xml\n');
      return note('unreadable', 415, 'unsupported-media-type');
    }

    let request: ReturnType<typeof parseSoapRequest>;
    try {
      request = parseSoapRequest(body);
    } catch (err) {
      if (!(err instanceof SoapParseError)) throw err;
      const code: Soap12FaultCode = err.kind === 'version-mismatch' ? 'VersionMismatch' : 'Sender';
      const status = sendFault(res, 'fault', err.message, { code });
      return note('unreadable', status, code === 'VersionMismatch' ? 'VersionMismatch' : 'fault');
    }

    if (mode.securityFault) {
      const status = sendFault(res, 'SecurityFault', 'The registry refused the credentials.');
      return note(operationOf(request.operation), status, 'SecurityFault');
    }

    if (request.operation === 'unknown') {
      const status = sendFault(res, 'UnsupportedOperationFault', 'This operation is not supported.', {
        detail: 'Supported: connectivityTest, submitSingleMessage (namespace urn:cdc:iisb:2011).',
      });
      return note('unknown', status, 'UnsupportedOperationFault');
    }
    if (request.operation === 'connectivityTest') {
      sendSoap(res, 200, buildConnectivityTestResponse(request.echoBack));
      return note('connectivityTest', 200, 'echo');
    }

    // submitSingleMessage
    const credentialsOk =
      request.username === credentials.username &&
      request.password === credentials.password &&
      (credentials.facilityID === undefined || request.facilityID === credentials.facilityID);
    if (!credentialsOk) {
      const status = sendFault(res, 'SecurityFault', 'Invalid username, password or facilityID.');
      return note('submitSingleMessage', status, 'SecurityFault');
    }
    const size = Buffer.byteLength(request.hl7Message, 'utf8');
    if (size > maxMessageBytes) {
      const status = sendFault(res, 'MessageTooLargeFault', 'The HL7 message is too large.', {
        size,
        maxSize: maxMessageBytes,
      });
      return note('submitSingleMessage', status, 'MessageTooLargeFault');
    }

    const judgement = judgeVxu(request.hl7Message, {
      expectedReceivingFacility: options.expectedReceivingFacility,
    });
    const sentAt = new Date();
    ackSeq++;
    const ack = ackText(judgement, {
      registryName: name,
      controlId: `${name}-ACK-${String(ackSeq).padStart(6, '0')}`,
      sentAt,
      timeZone: options.timeZone,
      answers: mode.wrongMsa2 ? otherControlId(judgement.messageControlId) : undefined,
    });
    let envelope: string;
    try {
      envelope = buildSubmitSingleMessageResponse(ack);
    } catch (err) {
      // The ACK echoes MSH fields; text XML cannot carry is the sender's doing, but answer as a server fault.
      if (!(err instanceof SoapEncodingError)) throw err;
      const status = sendFault(res, 'fault', 'The acknowledgement could not be encoded.');
      return note('submitSingleMessage', status, 'fault');
    }
    pushBounded(received, {
      at: sentAt.toISOString(),
      facilityID: request.facilityID,
      hl7: request.hl7Message,
      parsed: { messageControlId: judgement.messageControlId, doses: judgement.doses },
      errors: judgement.errors,
      ack,
      ackCode: judgement.ackCode,
    });
    sendSoap(res, 200, envelope);
    return note('submitSingleMessage', 200, judgement.ackCode);
  }

  /** The latest message received with another control ID than this one (a resend keeps its ID), or none known. */
  function otherControlId(controlId: string): string {
    const other = received.findLast((m) => m.parsed.messageControlId !== controlId);
    return other?.parsed.messageControlId ?? `${name}-UNSOLICITED-${ackSeq}`;
  }

  function waitOrClose(res: ServerResponse, ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        res.off('close', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      res.once('close', done);
    });
  }

  function holdUntilCleared(res: ServerResponse): Promise<void> {
    return new Promise((resolve) => {
      const entry: Held = {
        release: () => {
          held.delete(entry);
          res.off('close', entry.release);
          resolve();
        },
      };
      held.add(entry);
      res.once('close', entry.release);
    });
  }

  function releaseHeld(): void {
    for (const h of [...held]) h.release();
  }

  const faults: RegistryFaults = {
    set(next) {
      mode = { ...next };
      if (!mode.timeout) releaseHeld();
    },
    clear() {
      mode = {};
      failNext = 0;
      releaseHeld();
    },
    failNext(n, body = 'soap') {
      if (!Number.isInteger(n) || n < 0) throw new RangeError('failNext: n must be a whole number ≥ 0');
      failNext = n;
      failNextBody = body;
    },
    current() {
      return { ...mode, failNext };
    },
  };

  const port = await listenLoopback(server, options.port ?? 0);
  endpoint = `http://127.0.0.1:${port}/iis`;

  let stopping: Promise<void> | undefined;
  return {
    name,
    endpoint,
    port,
    received: () => structuredClone(received),
    requests: () => structuredClone(requests),
    clearReceived() {
      received = [];
      requests = [];
    },
    faults,
    stop() {
      stopping ??= new Promise<void>((resolve) => {
        stopped = true;
        releaseHeld();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return stopping;
    },
  };
}

function operationOf(op: string): RegistryRequest['operation'] {
  return op === 'submitSingleMessage' || op === 'connectivityTest' ? op : 'unknown';
}

function send(res: ServerResponse, status: number, contentType: string, body: string): void {
  if (res.destroyed) return;
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  send(res, status, 'application/json; charset=utf-8', `${JSON.stringify(body, null, 2)}\n`);
}

function sendSoap(res: ServerResponse, status: number, envelope: string): void {
  send(res, status, SOAP12_CONTENT_TYPE, envelope);
}

/** Sends a SOAP 1.2 fault with the status the HTTP binding gives its code; returns that status. */
function sendFault(
  res: ServerResponse,
  fault: CdcFault,
  reason: string,
  opts: { code?: Soap12FaultCode; detail?: string; size?: number; maxSize?: number } = {},
): number {
  const code = opts.code ?? (fault === 'fault' ? 'Receiver' : 'Sender');
  const status = faultHttpStatus(code);
  sendSoap(res, status, buildFault(fault, reason, { ...opts, code }));
  return status;
}

function serverError(res: ServerResponse, body: 'soap' | 'plain'): void {
  if (body === 'plain') send(res, 500, 'text/plain; charset=utf-8', 'Internal Server Error\n');
  else
    sendSoap(res, 500, buildFault('fault', 'The registry is temporarily unavailable.', { code: 'Receiver' }));
}

interface FaultInput {
  mode: FaultMode;
  failNext?: number;
  failNextBody?: 'soap' | 'plain';
}

/** Reads the JSON body of `PUT /_standin/faults`; a string is the reason it was refused. */
function parseFaultInput(input: unknown): FaultInput | string {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return 'send a JSON object';
  const o = input as Record<string, unknown>;
  const known = new Set([
    'latencyMs',
    'http500',
    'timeout',
    'securityFault',
    'wrongMsa2',
    'failNext',
    'failNextBody',
  ]);
  const unknown = Object.keys(o).filter((k) => !known.has(k));
  if (unknown.length > 0) return `unknown fault setting(s): ${unknown.join(', ')}`;
  const mode: FaultMode = {};
  if (o.latencyMs !== undefined) {
    if (typeof o.latencyMs !== 'number' || !(o.latencyMs >= 0)) return 'latencyMs must be a number ≥ 0';
    mode.latencyMs = o.latencyMs;
  }
  if (o.http500 !== undefined) {
    if (typeof o.http500 !== 'boolean' && o.http500 !== 'soap' && o.http500 !== 'plain')
      return "http500 must be true, false, 'soap' or 'plain'";
    mode.http500 = o.http500;
  }
  for (const k of ['timeout', 'securityFault', 'wrongMsa2'] as const) {
    if (o[k] === undefined) continue;
    if (typeof o[k] !== 'boolean') return `${k} must be true or false`;
    mode[k] = o[k];
  }
  const out: FaultInput = { mode };
  if (o.failNext !== undefined) {
    if (typeof o.failNext !== 'number' || !Number.isInteger(o.failNext) || o.failNext < 0)
      return 'failNext must be a whole number ≥ 0';
    out.failNext = o.failNext;
  }
  if (o.failNextBody !== undefined) {
    if (o.failNextBody !== 'soap' && o.failNextBody !== 'plain')
      return "failNextBody must be 'soap' or 'plain'";
    out.failNextBody = o.failNextBody;
  }
  return out;
}
