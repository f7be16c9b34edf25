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
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { type Answer, readReceipt, snippet, type UploadOutcome } from './answers.ts';
import type { ClearinghouseConfig } from './config.ts';
import { failureReason } from './failure-reason.ts';
import { type HttpSend, nodeSend } from './http.ts';
import { ClearinghouseTokens } from './tokens.ts';

/**
 * How a file says whether its records are new, changed or deleted. CDC does not document how it tells these
 * files apart; this header is the project's unconfirmed choice, kept here only, so it can change in one place.
 */
export const RECORD_TYPE_HEADER = 'X-CVRS-Record-Type';
export type RecordType = 'new' | 'changed' | 'deleted';

export interface ClearinghouseClientOptions {
  /** Default: node:http(s) with the config's certificate, key and CA. */
  send?: HttpSend;
  /** Per request (token or upload), including reading the answer; default 120 s. */
  timeoutMs?: number;
  /** Milliseconds since the epoch, for token expiry and the refresh window; default Date.now. */
  now?: () => number;
}

export const DEFAULT_TIMEOUT_MS = 120_000;
/** CDC's sender compresses a body longer than this. */
export const GZIP_MIN_BYTES = 1024;

const gzipAsync = promisify(gzip);

export class ClearinghouseClient {
  readonly #config: ClearinghouseConfig;
  readonly #base: string;
  readonly #send: HttpSend;
  readonly #timeoutMs: number;
  readonly #tokens: ClearinghouseTokens;

  constructor(config: ClearinghouseConfig, options: ClearinghouseClientOptions = {}) {
    this.#config = config;
    this.#base = config.url.replace(/\/+$/, '');
    this.#send = options.send ?? nodeSend(config);
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.#tokens = new ClearinghouseTokens(
      config,
      (path, headers, body) => this.#request(path, headers, body),
      options.now ?? Date.now,
    );
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

    let token = await this.#tokens.get();
    if (!token.ok) return token.outcome;
    let answer = await send(token.token);
    if (answer.ok && answer.status === 401) {
      // Refused before its time (revoked, or CDC's clock differs): only a new token can help.
      this.#tokens.forget(token.token);
      token = await this.#tokens.get();
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

/** The file name inside a quoted header parameter: printable ASCII without quotes or backslashes. */
function safeFileName(name: string): string {
  return name.replace(/[^\x20-\x7E]|["\\]/g, '_');
}
