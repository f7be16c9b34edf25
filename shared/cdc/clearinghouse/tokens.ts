import { type Answer, snippet, type UploadOutcome } from './answers.ts';
import type { ClearinghouseConfig } from './config.ts';

/** A token is refreshed this long before CDC's stated expiration, and generated anew this long before 24 h. */
const TOKEN_MARGIN_MS = 60_000;
/** How long after it was first issued a token can still be refreshed. */
const REFRESH_WINDOW_MS = 24 * 3600 * 1000;
export const BAD_CREDENTIALS_REASON = 'Clearinghouse refused the client id or secret';

/** `expiresAt` in ms (−∞ when CDC gave none: used for one upload); `refreshUntil`: 24 h after the first issue. */
type Token = { token: string; expiresAt: number; refreshUntil: number };
export type TokenResult = { ok: true; token: string } | { ok: false; outcome: UploadOutcome };
/** One POST to a path of the Clearinghouse API. */
export type Request = (path: string, headers: Record<string, string>, body: Uint8Array) => Promise<Answer>;

/**
 * The client's token: generated with the client id and secret (`/v0/token/gen`), refreshed (`/v0/token/refresh`)
 * for 24 hours from when it was first issued, then generated anew.
 */
export class ClearinghouseTokens {
  readonly #credentials: Pick<ClearinghouseConfig, 'clientId' | 'clientSecret'>;
  readonly #request: Request;
  readonly #now: () => number;
  #token: Token | undefined;
  #pending: Promise<TokenResult> | undefined;

  constructor(
    credentials: Pick<ClearinghouseConfig, 'clientId' | 'clientSecret'>,
    request: Request,
    now: () => number,
  ) {
    this.#credentials = credentials;
    this.#request = request;
    this.#now = now;
  }

  /** Drops the token if it is still the cached one: refused before its time, only a new one can help. */
  forget(token: string): void {
    if (this.#token?.token === token) this.#token = undefined;
  }

  /**
   * The cached token; refreshed when under a minute of it is left (while the 24 h window lasts), otherwise a new
   * one. Concurrent uploads share one token request.
   */
  get(): Promise<TokenResult> {
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
    this.forget(current.token);
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
          clientID: this.#credentials.clientId,
          clientSecret: this.#credentials.clientSecret,
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
