/**
 * Client of CDC's Data Clearinghouse (DCH) REST API, as CDC's public tools (CDCgov/CDC_IIS_Open_Tools) use it:
 * - `POST {url}/v0/token/gen` with `{clientID, clientSecret, scopes: ["UPLOAD"]}` → `{token, expiration}`
 *   (expiration in Unix seconds);
 * - `POST {url}/v0/upload/cvrs/batch` with `Authorization: <token>` (no "Bearer"), the file as text/plain →
 *   `{id, validationErrors, processingErrors, truncated}`.
 *
 * The outcome of an upload says what the caller should do: `accepted` (CDC has the file, possibly with record
 * errors to surface), `retry` (nothing known to be received: send the same file again later) or `refused`
 * (sending it again will not help). The client secret never appears in an error message or outcome.
 */

export interface ClearinghouseConfig {
  /** Base URL, e.g. `https://…/dch`; the `/v0/...` paths are appended. */
  url: string;
  clientId: string;
  clientSecret: string;
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
  | { kind: 'refused'; status: number; reason: string };

export interface ClearinghouseClientOptions {
  fetch?: typeof fetch;
  /** Per request (token or upload), including reading the answer; default 120 s. */
  timeoutMs?: number;
  /** Milliseconds since the epoch, for token expiry; default Date.now. */
  now?: () => number;
}

export const DEFAULT_TIMEOUT_MS = 120_000;
/** A token is renewed this long before CDC's stated expiration. */
const TOKEN_MARGIN_MS = 60_000;
const REASON_BODY_CHARS = 200;
export const BAD_CREDENTIALS_REASON = 'Clearinghouse refused the client id or secret';

/** Reads the client configuration (JSON with url, clientId, clientSecret); errors name keys, never values. */
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
  const str = (key: keyof ClearinghouseConfig): string => {
    const v = o[key];
    if (v === undefined || v === null || v === '')
      throw new Error(`Clearinghouse config is missing "${key}"`);
    if (typeof v !== 'string') throw new Error(`Clearinghouse config "${key}" must be a string`);
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
  return { url, clientId, clientSecret };
}

/** `line#N field=F message=M` → its parts; anything else is kept whole as the message. */
export function parseValidationError(s: string): { line?: number; field?: string; message: string } {
  const m = /^line#(\d+)\s+field=(\S*)\s+message=([\s\S]*)$/.exec(s.trim());
  if (!m) return { message: s };
  return { line: Number(m[1]), field: m[2]!, message: m[3]! };
}

/** `VaxEventId=<id> RecipId=<id> message=M` → the event ID and message; anything else is kept whole. */
export function parseProcessingError(s: string): { vaxEventId?: string; message: string } {
  const m = /^VaxEventId=(\S*)\s+(?:RecipId=\S*\s+)?message=([\s\S]*)$/.exec(s.trim());
  if (!m) return { message: s };
  return m[1] ? { vaxEventId: m[1], message: m[2]! } : { message: m[2]! };
}

type Answer = { ok: true; status: number; body: string } | { ok: false; reason: string };
type Token = { token: string; renewAt: number };
type TokenResult = { ok: true; token: string } | { ok: false; outcome: UploadOutcome };

export class ClearinghouseClient {
  readonly #config: ClearinghouseConfig;
  readonly #base: string;
  readonly #fetch: typeof fetch;
  readonly #timeoutMs: number;
  readonly #now: () => number;
  #token: Token | undefined;
  #pending: Promise<TokenResult> | undefined;

  constructor(config: ClearinghouseConfig, options: ClearinghouseClientOptions = {}) {
    this.#config = config;
    this.#base = config.url.replace(/\/+$/, '');
    this.#fetch = options.fetch ?? ((input, init) => fetch(input, init));
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.#now = options.now ?? Date.now;
  }

  /** Sends one CVRS file. Never throws for network or HTTP trouble: the outcome says what happened. */
  async upload(fileName: string, recordType: RecordType, text: string): Promise<UploadOutcome> {
    let token = await this.#getToken();
    if (!token.ok) return token.outcome;
    let answer = await this.#send(token.token, fileName, recordType, text);
    if (answer.ok && answer.status === 401) {
      this.#forget(token.token);
      token = await this.#getToken();
      if (!token.ok) return token.outcome;
      answer = await this.#send(token.token, fileName, recordType, text);
    }
    if (!answer.ok) return { kind: 'retry', reason: answer.reason };
    const { status, body } = answer;
    if (status === 200) {
      const receipt = readReceipt(body);
      return receipt
        ? { kind: 'accepted', receipt, status }
        : { kind: 'retry', reason: `HTTP 200 without a readable receipt: ${snippet(body)}` };
    }
    if (status === 429 || status >= 500) return { kind: 'retry', reason: `HTTP ${status}: ${snippet(body)}` };
    return { kind: 'refused', status, reason: `HTTP ${status}: ${snippet(body)}` };
  }

  #send(token: string, fileName: string, recordType: RecordType, text: string): Promise<Answer> {
    return this.#request(`${this.#base}/v0/upload/cvrs/batch`, {
      method: 'POST',
      headers: {
        Authorization: token,
        'Content-Type': 'text/plain',
        Accept: 'application/json',
        [RECORD_TYPE_HEADER]: recordType,
        'Content-Disposition': `attachment; filename="${safeFileName(fileName)}"`,
      },
      body: text,
    });
  }

  #forget(token: string): void {
    if (this.#token?.token === token) this.#token = undefined;
  }

  /** The cached token, or a new one; concurrent uploads share one token request. */
  #getToken(): Promise<TokenResult> {
    if (this.#token && this.#now() < this.#token.renewAt)
      return Promise.resolve({ ok: true, token: this.#token.token });
    this.#pending ??= this.#newToken().finally(() => {
      this.#pending = undefined;
    });
    return this.#pending;
  }

  async #newToken(): Promise<TokenResult> {
    const answer = await this.#request(`${this.#base}/v0/token/gen`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({
        clientID: this.#config.clientId,
        clientSecret: this.#config.clientSecret,
        scopes: ['UPLOAD'],
      }),
    });
    const fail = (outcome: UploadOutcome): TokenResult => ({ ok: false, outcome });
    if (!answer.ok) return fail({ kind: 'retry', reason: `Token request: ${answer.reason}` });
    const { status, body } = answer;
    if (status === 401) return fail({ kind: 'refused', status, reason: BAD_CREDENTIALS_REASON });
    if (status === 429 || status >= 500)
      return fail({ kind: 'retry', reason: `Token request: HTTP ${status}: ${snippet(body)}` });
    if (status !== 200)
      return fail({ kind: 'refused', status, reason: `Token request: HTTP ${status}: ${snippet(body)}` });
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      parsed = undefined;
    }
    const o = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as Record<string, unknown>;
    if (typeof o.token !== 'string' || o.token === '')
      // No snippet: a token answer is a credential.
      return fail({ kind: 'retry', reason: 'Token request: HTTP 200 without a token' });
    // Without a usable expiration the token is used for this upload only.
    const renewAt =
      typeof o.expiration === 'number' && Number.isFinite(o.expiration)
        ? o.expiration * 1000 - TOKEN_MARGIN_MS
        : Number.NEGATIVE_INFINITY;
    this.#token = { token: o.token, renewAt };
    return { ok: true, token: o.token };
  }

  async #request(url: string, init: RequestInit): Promise<Answer> {
    try {
      const res = await this.#fetch(url, { ...init, signal: AbortSignal.timeout(this.#timeoutMs) });
      return { ok: true, status: res.status, body: await res.text() };
    } catch (err) {
      return { ok: false, reason: networkReason(err, this.#timeoutMs) };
    }
  }
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

function networkReason(err: unknown, timeoutMs: number): string {
  if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError'))
    return `No answer within ${timeoutMs} ms`;
  if (err instanceof Error) {
    const cause = (err as { cause?: unknown }).cause;
    const code =
      typeof cause === 'object' && cause !== null && 'code' in cause ? String(cause.code) : undefined;
    return `Network error: ${err.message}${code ? ` (${code})` : ''}`;
  }
  return 'Network error';
}

const snippet = (body: string) => body.slice(0, REASON_BODY_CHARS);

/** The file name inside a quoted header parameter: printable ASCII without quotes or backslashes. */
function safeFileName(name: string): string {
  return name.replace(/[^\x20-\x7E]|["\\]/g, '_');
}
