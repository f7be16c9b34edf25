/**
 * The Clearinghouse stand-in's tokens, as CDC's DCH issues them: `POST /v0/token/gen` for client credentials,
 * `POST /v0/token/refresh` for a new token in place of a held one, within 24 h of the first of its line.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody } from '../listen.ts';
import type { Logger } from '../log.ts';
import { MAX_JSON_BYTES, sendJson } from './clearinghouse-http.ts';

const TAG = '[clearinghouse]';

export interface TokenSettings {
  clientId: string;
  clientSecret: string;
  ttlSeconds: number;
  /** How long after its first issue a token line can be refreshed (ms). */
  windowMs: number;
  clock: () => number;
  log: Logger;
}

export function createTokens(settings: TokenSettings) {
  const { ttlSeconds, windowMs, clock, log } = settings;
  const credentials = { clientId: settings.clientId, clientSecret: settings.clientSecret };
  /** token → its expiry, and the end of the refresh window of the first token it descends from (ms). */
  const tokens = new Map<string, { expiresAt: number; refreshUntil: number }>();
  let genRequests = 0;
  let refreshRequests = 0;

  async function tokenGen(req: IncomingMessage, res: ServerResponse): Promise<void> {
    genRequests++;
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
    if (o.clientID !== credentials.clientId || o.clientSecret !== credentials.clientSecret) {
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

  return {
    gen: tokenGen,
    refresh: tokenRefresh,
    /** Whether `token` was issued and has not expired. */
    isValid(token: string): boolean {
      const expiry = tokens.get(token)?.expiresAt;
      return expiry !== undefined && expiry > clock();
    },
    /** Every token issued so far stops working. */
    expireAll: () => tokens.clear(),
    genRequests: () => genRequests,
    refreshRequests: () => refreshRequests,
  };
}
