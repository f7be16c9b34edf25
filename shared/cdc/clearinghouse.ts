/**
 * Client of CDC's Data Clearinghouse (DCH) REST API, as CDC's public tools (CDCgov/CDC_IIS_Open_Tools) use it:
 * - `POST {url}/v0/token/gen` with `{clientID, clientSecret, scopes: ["UPLOAD"]}` → `{token, expiration}`
 *   (expiration in Unix seconds); the token lasts 15 minutes;
 * - `POST {url}/v0/token/refresh` with `Authorization: <token>` and no body → the same shape: a token can be
 *   refreshed for 24 hours from when it was first issued, then a new one must be generated;
 * - `POST {url}/v0/upload/cvrs/batch` with `Authorization: <token>` (no "Bearer"), the file as text/plain (gzipped
 *   with `Content-Encoding: gzip` when over 1 KiB, as CDC's own sender does) →
 *   `{id, validationErrors, processingErrors, truncated}`.
 *
 * Production requires mutual TLS with a CDC-issued client certificate, which `fetch` cannot present without
 * undici's dispatcher; node:http(s) can, so every request goes through one small function over either.
 *
 * The outcome of an upload says what the caller should do: `accepted` (CDC has the file, possibly with record
 * errors to surface), `retry` (nothing known to be received: send the same file again later) or `refused`
 * (sending it again will not help). The client secret and key never appear in an error message or outcome.
 */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import * as http from 'node:http';
import * as https from 'node:https';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';

export interface ClearinghouseConfig {
  /** Base URL, e.g. `https://…/dch`; the `/v0/...` paths are appended. */
  url: string;
  clientId: string;
  clientSecret: string;
  /** PEM client certificate CDC issued, presented on every request (mutual TLS); needs `privateKey`. */
  certificate?: string;
  /** PEM private key of `certificate`, unencrypted. */
  privateKey?: string;
  /** PEM CA certificate(s) trusted instead of Node's bundled roots: only for a private CA (the local stand-in's). */
  ca?: string;
}

/**
 * How a file says whether its records are new, changed or deleted. CDC does not document how it tells these
 * files apart; this header is the project's unconfirmed choice, kept here only, so it can change in one place.
 */
export const RECORD_TYPE_HEADER = 'X-CVRS-Record-Type';
export type RecordType = 'new' | 'changed' | 'deleted';

export interface UploadReceipt {
  id: string;
  validationErrors: string[];
  processingErrors: string[];
  truncated: boolean;
}

export type UploadOutcome =
  | { kind: 'accepted'; receipt: UploadReceipt; status: number }
  | { kind: 'retry'; reason: string }
  /** `status` is absent when no HTTP answer came (the TLS handshake was refused). */
  | { kind: 'refused'; status?: number; reason: string };

export interface HttpRequest {
  url: string;
  headers: Record<string, string>;
  body: Uint8Array;
}
export interface HttpAnswer {
  status: number;
  body: string;
}
/** Sends one POST and reads the whole answer; rejects on network or TLS failure, or when `signal` aborts. */
export type HttpSend = (request: HttpRequest, signal: AbortSignal) => Promise<HttpAnswer>;

export interface ClearinghouseClientOptions {
  /** Default: node:http(s) with the config's certificate, key and CA. */
  send?: HttpSend;
  /** Per request (token or upload), including reading the answer; default 120 s. */
  timeoutMs?: number;
  /** Milliseconds since the epoch, for token expiry and the refresh window; default Date.now. */
  now?: () => number;
}

export const DEFAULT_TIMEOUT_MS = 120_000;
/** A token is refreshed this long before CDC's stated expiration, and generated anew this long before 24 h. */
const TOKEN_MARGIN_MS = 60_000;
/** How long after it was first issued a token can still be refreshed. */
const REFRESH_WINDOW_MS = 24 * 3600 * 1000;
/** CDC's sender compresses a body longer than this. */
export const GZIP_MIN_BYTES = 1024;
const REASON_BODY_CHARS = 200;
export const BAD_CREDENTIALS_REASON = 'Clearinghouse refused the client id or secret';
export const CLIENT_CERT_REFUSED_REASON = 'CDC Clearinghouse refused the TLS client certificate';

/**
 * Reads the client configuration (JSON with url, clientId, clientSecret, and optionally certificate, privateKey
 * and ca); errors name keys, never values.
 */
export function parseClearinghouseConfig(json: string): ClearinghouseConfig {
  let input: unknown;
  try {
    input = JSON.parse(json);
  } catch {
    // JSON.parse's message quotes the text around the error, which may be the secret.
    throw new Error('Clearinghouse config is not valid JSON');
  }
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    throw new Error('Clearinghouse config must be a JSON object with url, clientId and clientSecret');
  const o = input as Record<string, unknown>;
  const optional = (key: keyof ClearinghouseConfig): string | undefined => {
    const v = o[key];
    if (v === undefined || v === null || v === '') return undefined;
    if (typeof v !== 'string') throw new Error(`Clearinghouse config "${key}" must be a string`);
    return v;
  };
  const str = (key: keyof ClearinghouseConfig): string => {
    const v = optional(key);
    if (v === undefined) throw new Error(`Clearinghouse config is missing "${key}"`);
    return v;
  };
  const url = str('url');
  const clientId = str('clientId');
  const clientSecret = str('clientSecret');
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error('Clearinghouse config "url" is not a URL');
  }
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(parsed.hostname);
  if (parsed.protocol !== 'https:' && !(parsed.protocol === 'http:' && loopback))
    throw new Error('Clearinghouse config "url" must be https (http only for 127.0.0.1 or localhost)');
  if (parsed.username || parsed.password)
    throw new Error('Clearinghouse config "url" must not carry credentials');
  const tls = readTls(optional('certificate'), optional('privateKey'), optional('ca'));
  if (Object.keys(tls).length > 0 && parsed.protocol !== 'https:')
    throw new Error('Clearinghouse config "url" must be https when a certificate or ca is given');
  return { url, clientId, clientSecret, ...tls };
}

/** Checks the PEMs now, so a bad secret fails with its key named instead of as a vague handshake error later. */
function readTls(
  certificate: string | undefined,
  privateKey: string | undefined,
  ca: string | undefined,
): Pick<ClearinghouseConfig, 'certificate' | 'privateKey' | 'ca'> {
  if ((certificate === undefined) !== (privateKey === undefined))
    throw new Error(
      `Clearinghouse config has "${certificate ? 'certificate' : 'privateKey'}" without "${certificate ? 'privateKey' : 'certificate'}"`,
    );
  const x509 = (key: 'certificate' | 'ca', pem: string): X509Certificate => {
    try {
      return new X509Certificate(pem);
    } catch {
      throw new Error(`Clearinghouse config "${key}" is not a PEM certificate`);
    }
  };
  if (ca !== undefined) x509('ca', ca);
  if (certificate === undefined || privateKey === undefined) return ca === undefined ? {} : { ca };
  const cert = x509('certificate', certificate);
  let key: ReturnType<typeof createPrivateKey>;
  try {
    key = createPrivateKey(privateKey);
  } catch {
    throw new Error('Clearinghouse config "privateKey" is not an unencrypted PEM private key');
  }
  if (!cert.checkPrivateKey(key))
    throw new Error('Clearinghouse config "privateKey" is not the key of "certificate"');
  return { certificate, privateKey, ...(ca === undefined ? {} : { ca }) };
}

/** `line#N field=F message=M` → its parts; anything else is kept whole as the message. */
export function parseValidationError(s: string): { line?: number; field?: string; message: string } {
  // A header error is line -1, as CDC numbers it.
  const m = /^line#(-?\d+)\s+field=(\S*)\s+message=([\s\S]*)$/.exec(s.trim());
  if (!m) return { message: s };
  return { line: Number(m[1]), field: m[2]!, message: m[3]! };
}

/** `VaxEventId=<id> RecipId=<id> message=M` → the event ID and message; anything else is kept whole. */
export function parseProcessingError(s: string): { vaxEventId?: string; message: string } {
  const m = /^VaxEventId=(\S*)\s+(?:RecipId=\S*\s+)?message=([\s\S]*)$/.exec(s.trim());
  if (!m) return { message: s };
  return m[1] ? { vaxEventId: m[1], message: m[2]! } : { message: m[2]! };
}

type Answer = { ok: true; status: number; body: string } | { ok: false; reason: string; refused: boolean };
/** `expiresAt` in ms (−∞ when CDC gave none: used for one upload); `refreshUntil`: 24 h after the first issue. */
type Token = { token: string; expiresAt: number; refreshUntil: number };
type TokenResult = { ok: true; token: string } | { ok: false; outcome: UploadOutcome };

const gzipAsync = promisify(gzip);

export class ClearinghouseClient {
  readonly #config: ClearinghouseConfig;
  readonly #base: string;
  readonly #send: HttpSend;
  readonly #timeoutMs: number;
  readonly #now: () => number;
  #token: Token | undefined;
  #pending: Promise<TokenResult> | undefined;

  constructor(config: ClearinghouseConfig, options: ClearinghouseClientOptions = {}) {
    this.#config = config;
    this.#base = config.url.replace(/\/+$/, '');
    this.#send = options.send ?? nodeSend(config);
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.#now = options.now ?? Date.now;
  }

  /** Sends one CVRS file. Never throws for network, TLS or HTTP trouble: the outcome says what happened. */
  async upload(fileName: string, recordType: RecordType, text: string): Promise<UploadOutcome> {
    const raw = Buffer.from(text, 'utf8');
    const gzipped = raw.byteLength > GZIP_MIN_BYTES;
    const body = gzipped ? await gzipAsync(raw) : raw;
    const headers: Record<string, string> = {
      'Content-Type': 'text/plain',
      Accept: 'application/json',
      [RECORD_TYPE_HEADER]: recordType,
      'Content-Disposition': `attachment; filename="${safeFileName(fileName)}"`,
      ...(gzipped ? { 'Content-Encoding': 'gzip' } : {}),
    };
    const send = (token: string) =>
      this.#request('/v0/upload/cvrs/batch', { ...headers, Authorization: token }, body);

    let token = await this.#getToken();
    if (!token.ok) return token.outcome;
    let answer = await send(token.token);
    if (answer.ok && answer.status === 401) {
      // Refused before its time (revoked, or CDC's clock differs): only a new token can help.
      this.#forget(token.token);
      token = await this.#getToken();
      if (!token.ok) return token.outcome;
      answer = await send(token.token);
    }
    if (!answer.ok)
      return answer.refused
        ? { kind: 'refused', reason: answer.reason }
        : { kind: 'retry', reason: answer.reason };
    const { status } = answer;
    if (status === 200) {
      const receipt = readReceipt(answer.body);
      return receipt
        ? { kind: 'accepted', receipt, status }
        : { kind: 'retry', reason: `HTTP 200 without a readable receipt: ${snippet(answer.body)}` };
    }
    if (status === 429 || status >= 500)
      return { kind: 'retry', reason: `HTTP ${status}: ${snippet(answer.body)}` };
    return { kind: 'refused', status, reason: `HTTP ${status}: ${snippet(answer.body)}` };
  }

  #forget(token: string): void {
    if (this.#token?.token === token) this.#token = undefined;
  }

  /**
   * The cached token; refreshed when under a minute of it is left (while the 24 h window lasts), otherwise a new
   * one. Concurrent uploads share one token request.
   */
  #getToken(): Promise<TokenResult> {
    const current = this.#token;
    const now = this.#now();
    if (current && now < current.expiresAt - TOKEN_MARGIN_MS)
      return Promise.resolve({ ok: true, token: current.token });
    this.#pending ??= (
      current && now < current.refreshUntil - TOKEN_MARGIN_MS ? this.#refresh(current) : this.#generate()
    ).finally(() => {
      this.#pending = undefined;
    });
    return this.#pending;
  }

  async #refresh(current: Token): Promise<TokenResult> {
    const answer = await this.#request(
      '/v0/token/refresh',
      { Authorization: current.token, Accept: 'application/json' },
      new Uint8Array(0),
    );
    // No answer at all (network, TLS, timeout): asking for a new token would only meet the same wall, and the
    // current one may still be refreshed on the next try.
    if (!answer.ok) {
      const reason = `Token refresh: ${answer.reason}`;
      return { ok: false, outcome: answer.refused ? { kind: 'refused', reason } : { kind: 'retry', reason } };
    }
    const token = answer.status === 200 ? readToken(answer.body) : undefined;
    if (token) {
      this.#token = { ...token, refreshUntil: current.refreshUntil };
      return { ok: true, token: token.token };
    }
    // Refused (revoked, or a window shorter than documented) or garbled: a new token is the way on, and if that
    // fails too, its outcome says why.
    this.#forget(current.token);
    return this.#generate();
  }

  async #generate(): Promise<TokenResult> {
    // Measured before asking, so the 24 h window never outlasts CDC's.
    const issuedAt = this.#now();
    const answer = await this.#request(
      '/v0/token/gen',
      { 'Content-Type': 'application/json', Accept: 'application/json' },
      Buffer.from(
        JSON.stringify({
          clientID: this.#config.clientId,
          clientSecret: this.#config.clientSecret,
          scopes: ['UPLOAD'],
        }),
      ),
    );
    const fail = (outcome: UploadOutcome): TokenResult => ({ ok: false, outcome });
    if (!answer.ok) {
      const reason = `Token request: ${answer.reason}`;
      return fail(answer.refused ? { kind: 'refused', reason } : { kind: 'retry', reason });
    }
    const { status, body } = answer;
    if (status === 401) return fail({ kind: 'refused', status, reason: BAD_CREDENTIALS_REASON });
    if (status === 429 || status >= 500)
      return fail({ kind: 'retry', reason: `Token request: HTTP ${status}: ${snippet(body)}` });
    if (status !== 200)
      return fail({ kind: 'refused', status, reason: `Token request: HTTP ${status}: ${snippet(body)}` });
    const token = readToken(body);
    // No snippet: a token answer is a credential.
    if (!token) return fail({ kind: 'retry', reason: 'Token request: HTTP 200 without a token' });
    this.#token = { ...token, refreshUntil: issuedAt + REFRESH_WINDOW_MS };
    return { ok: true, token: token.token };
  }

  async #request(path: string, headers: Record<string, string>, body: Uint8Array): Promise<Answer> {
    try {
      return {
        ok: true,
        ...(await this.#send(
          { url: `${this.#base}${path}`, headers, body },
          AbortSignal.timeout(this.#timeoutMs),
        )),
      };
    } catch (err) {
      return { ok: false, ...failureReason(err, this.#timeoutMs, this.#config.certificate !== undefined) };
    }
  }
}

/** `{token, expiration}` (expiration in Unix seconds) → the token and its expiry in ms; undefined without a token. */
function readToken(body: string): { token: string; expiresAt: number } | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  const o = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as Record<string, unknown>;
  if (typeof o.token !== 'string' || o.token === '') return undefined;
  const expiresAt =
    typeof o.expiration === 'number' && Number.isFinite(o.expiration)
      ? o.expiration * 1000
      : Number.NEGATIVE_INFINITY;
  return { token: o.token, expiresAt };
}

/**
 * One POST over node:http or node:https (by the URL's scheme), presenting the configured client certificate.
 * No connection is kept alive: a day is a handful of requests, and a pooled socket left over from an earlier
 * Lambda invocation may have been closed by the server while the container was frozen.
 */
export function nodeSend(tls: Pick<ClearinghouseConfig, 'certificate' | 'privateKey' | 'ca'>): HttpSend {
  const tlsOptions: https.RequestOptions = {
    ...(tls.certificate ? { cert: tls.certificate } : {}),
    ...(tls.privateKey ? { key: tls.privateKey } : {}),
    ...(tls.ca ? { ca: tls.ca } : {}),
  };
  return (request, signal) =>
    new Promise<HttpAnswer>((resolve, reject) => {
      if (signal.aborted) return reject(signal.reason);
      const url = new URL(request.url);
      const secure = url.protocol === 'https:';
      let handshakeDone = false;
      let answered = false;
      const options: https.RequestOptions = {
        method: 'POST',
        headers: { ...request.headers, 'Content-Length': String(request.body.byteLength) },
        agent: false,
        ...(secure ? tlsOptions : {}),
      };
      const req = (secure ? https.request : http.request)(url, options, (res) => {
        answered = true;
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          signal.removeEventListener('abort', onAbort);
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') });
        });
        res.on('error', reject);
        res.on('close', () => {
          if (!res.complete) reject(new Error('The connection closed before the whole answer arrived'));
        });
      });
      const onAbort = () => {
        reject(signal.reason);
        req.destroy();
      };
      signal.addEventListener('abort', onAbort, { once: true });
      req.on('socket', (socket) => socket.once('secureConnect', () => (handshakeDone = true)));
      req.on('error', (err) => {
        signal.removeEventListener('abort', onAbort);
        reject(
          secure && !answered && isReset(err)
            ? new ConnectionClosedError(handshakeDone ? 'after-handshake' : 'during-handshake', err)
            : err,
        );
      });
      req.end(request.body);
    });
}

/** An https connection closed before any answer: how a Node (or other) server drops a client it does not trust. */
class ConnectionClosedError extends Error {
  readonly phase: 'during-handshake' | 'after-handshake';
  constructor(phase: 'during-handshake' | 'after-handshake', cause: unknown) {
    super('Connection closed before any answer', { cause });
    this.name = 'ConnectionClosedError';
    this.phase = phase;
  }
}

const isReset = (err: unknown) => ['ECONNRESET', 'EPIPE'].includes(errorCode(err) ?? '');

function errorCode(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e && depth < 3; depth++) {
    if (typeof e === 'object' && 'code' in e && typeof e.code === 'string') return e.code;
    e = typeof e === 'object' && 'cause' in e ? e.cause : undefined;
  }
  return undefined;
}

/** The TLS alerts a server sends when it does not accept the client's certificate (or got none). */
const CLIENT_CERT_ALERT =
  /alert (certificate required|handshake failure|bad certificate|unknown ca|certificate (?:expired|revoked|unknown)|unsupported certificate|access denied)/i;
/** Node's codes for a server certificate it cannot trust. */
const SERVER_CERT_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/**
 * Why a request got no HTTP answer, in words an operator can act on; `refused` when sending again cannot help
 * until someone changes the configuration (a certificate refused by either side).
 */
function failureReason(
  err: unknown,
  timeoutMs: number,
  hasCertificate: boolean,
): { reason: string; refused: boolean } {
  if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError'))
    return { reason: `No answer within ${timeoutMs} ms`, refused: false };
  const fix = hasCertificate
    ? 'check that "certificate" and "privateKey" in the CDC_CLEARINGHOUSE secret are the pair CDC issued and have not expired'
    : 'none is configured: add the CDC-issued "certificate" and "privateKey" to the CDC_CLEARINGHOUSE secret';
  const code = errorCode(err);
  const message = err instanceof Error ? err.message : '';
  const alert = CLIENT_CERT_ALERT.exec(message)?.[1];
  if (alert) return { reason: `${CLIENT_CERT_REFUSED_REASON} (TLS alert "${alert}"): ${fix}`, refused: true };
  if (err instanceof ConnectionClosedError)
    return {
      reason: `${CLIENT_CERT_REFUSED_REASON}, most likely: it closed the connection ${err.phase === 'after-handshake' ? 'right after' : 'during'} the TLS handshake without answering (${errorCode(err.cause) ?? 'reset'}); ${fix}`,
      refused: false,
    };
  if (code && SERVER_CERT_CODES.has(code))
    return {
      reason: `The CDC Clearinghouse's server certificate is not trusted (${code}); "ca" in the CDC_CLEARINGHOUSE secret is only for a private CA`,
      refused: true,
    };
  if (err instanceof Error)
    return { reason: `Network error: ${err.message}${code ? ` (${code})` : ''}`, refused: false };
  return { reason: 'Network error', refused: false };
}

function readReceipt(body: string): UploadReceipt | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  const o = parsed as Record<string, unknown>;
  if (typeof o.id !== 'string') return undefined;
  const strings = (v: unknown): string[] | undefined =>
    v === undefined || v === null
      ? []
      : Array.isArray(v) && v.every((s) => typeof s === 'string')
        ? [...v]
        : undefined;
  const validationErrors = strings(o.validationErrors);
  const processingErrors = strings(o.processingErrors);
  if (!validationErrors || !processingErrors) return undefined;
  return { id: o.id, validationErrors, processingErrors, truncated: o.truncated === true };
}

const snippet = (body: string) => body.slice(0, REASON_BODY_CHARS);

/** The file name inside a quoted header parameter: printable ASCII without quotes or backslashes. */
function safeFileName(name: string): string {
  return name.replace(/[^\x20-\x7E]|["\\]/g, '_');
}
