import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { Caller } from '#sites/access.ts';
import { bodyBytes, MAX_BODY_BYTES } from './limits.ts';
import { HttpError } from './response.ts';

export { MAX_BODY_BYTES };

export type ApiEvent = APIGatewayProxyEventV2 & {
  requestContext: APIGatewayProxyEventV2['requestContext'] & {
    authorizer?: { lambda?: Record<string, unknown> };
  };
};

/** Parses a JSON body, or says exactly what is wrong with it. */
export function jsonBody(event: ApiEvent): unknown {
  const type = event.headers?.['content-type'] ?? '';
  if (!/^application\/(?:[\w.+-]+\+)?json\b/i.test(type))
    throw new HttpError(
      415,
      'REQ002',
      'content-type',
      `Send the body as JSON with the header "Content-Type: application/json"${type ? ` (got "${type}")` : ''}.`,
    );
  const raw = event.body ?? '';
  // Measured before anything is decoded or parsed: the limit is the one AWS admits (shared/platform/http/limits.ts).
  if (bodyBytes(raw, event.isBase64Encoded) > MAX_BODY_BYTES)
    throw new HttpError(
      413,
      'REQ003',
      'body',
      `The body is larger than ${MAX_BODY_BYTES} bytes. Split the records into several requests.`,
    );
  const text = event.isBase64Encoded ? Buffer.from(raw, 'base64').toString('utf8') : raw;
  if (text.trim() === '')
    throw new HttpError(400, 'REQ001', 'body', 'The body is empty; send a JSON object.');
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new HttpError(400, 'REQ001', 'body', `The body is not valid JSON: ${where(text, err)}.`);
  }
}

/** Line and column of a JSON syntax error, from V8's message or by position. */
function where(text: string, err: unknown): string {
  const msg = err instanceof Error ? err.message : '';
  const lc = /line (\d+) column (\d+)/.exec(msg);
  const pos = /position (\d+)/.exec(msg);
  const reason = msg
    .replace(/ in JSON at position.*$/, '')
    .replace(/^(?:Unexpected|Expected)/, (m) => m.toLowerCase());
  // V8 quotes a snippet of the input in some messages; keep only the reason so no dose content is echoed.
  const safe =
    reason
      .split(',')[0]
      ?.replace(/"[^"]*"/g, '')
      .trim() || 'syntax error';
  if (lc) return `${safe} at line ${lc[1]}, column ${lc[2]}`;
  if (pos) {
    const p = Number(pos[1]);
    const before = text.slice(0, p);
    const line = before.split('\n').length;
    const column = p - before.lastIndexOf('\n');
    return `${safe} at line ${line}, column ${column}`;
  }
  return safe;
}

/** The caller the authorizer established; a request without one never reaches business code. */
export function caller(event: ApiEvent): Caller {
  const ctx = event.requestContext.authorizer?.lambda ?? {};
  const role = ctx.role;
  const readOnly = ctx.read_only === true || ctx.read_only === 'true';
  const via = ctx.via === 'token' ? 'token' : 'key';
  if (role === 'admin') return { role: 'admin', via, ...(readOnly ? { readOnly } : {}) };
  if (role === 'program') return { role: 'program', via, readOnly: true };
  if (role === 'site' && typeof ctx.iis_id === 'string') {
    const sites = typeof ctx.sites === 'string' ? ctx.sites.split(' ').filter(Boolean) : [ctx.iis_id];
    return { role: 'site', iis_id: ctx.iis_id, sites, via, ...(readOnly ? { readOnly } : {}) };
  }
  const reason = typeof ctx.reason === 'string' ? ctx.reason : 'unknown';
  // A token's refusal comes with the authorizer's own message (which claim, which time).
  const message = typeof ctx.message === 'string' ? ctx.message : undefined;
  throw new HttpError(
    401,
    'AUTH001',
    'authorization',
    message ?? UNAUTHORIZED[reason] ?? UNAUTHORIZED.unknown!,
  );
}

const UNAUTHORIZED: Record<string, string> = {
  malformed: 'The Authorization header must be "Bearer <key>" with the key you were given at enrollment.',
  unknown: 'This key is not valid. Check that it was copied whole, or ask your administrator for a new one.',
  revoked: 'This key was revoked. Use the newest key issued to your site, or ask your administrator for one.',
};

export function requireSite(c: Caller): Caller & { iis_id: string } {
  if (c.role !== 'site' || !c.iis_id)
    throw new HttpError(
      403,
      'AUTH002',
      'authorization',
      'Doses are submitted and read with a site key or a site sign-in, not as the admin or program staff.',
    );
  return c as Caller & { iis_id: string };
}

export function requireAdmin(c: Caller): void {
  if (c.role !== 'admin')
    throw new HttpError(
      403,
      'AUTH003',
      'authorization',
      'This operation needs the admin key; a site key cannot do it.',
    );
}

/**
 * What an If-Match header asks for (RFC 9110 §13.1.1): `*` (any current version), or the versions its strong
 * entity-tags name. Our ETags are strong and look like `"3"`; a weak tag never matches for If-Match (strong
 * comparison), and a well-formed tag we never issued (`"stale-version"`) matches nothing; both leave the list
 * without that member, and an empty list is a precondition that fails (412), not a malformed request.
 */
export type IfMatch = '*' | readonly number[];

const IF_MATCH_ELEMENT = /[ \t]*(?:(W\/)?"([\x21\x23-\x7E\x80-\xFF]*)")?[ \t]*/y;

/** `"1", W/"2", "x"` → [1]; `*` → '*'; undefined if the value is not `*` or a list of entity-tags. */
export function parseIfMatch(raw: string): IfMatch | undefined {
  if (/^[ \t]*\*[ \t]*$/.test(raw)) return '*';
  const versions: number[] = [];
  let tags = 0;
  let at = 0;
  for (;;) {
    IF_MATCH_ELEMENT.lastIndex = at;
    const m = IF_MATCH_ELEMENT.exec(raw)!; // every part is optional: it always matches, maybe empty
    at = IF_MATCH_ELEMENT.lastIndex;
    if (m[2] !== undefined) {
      tags++;
      if (!m[1] && /^(?:0|[1-9]\d{0,14})$/.test(m[2])) versions.push(Number(m[2]));
    }
    if (at === raw.length) break;
    if (raw[at] !== ',') return undefined;
    at++;
  }
  return tags === 0 ? undefined : versions;
}

/** The If-Match of a change: required (428 without it, so a change cannot overwrite unseen data), well-formed (400). */
export function ifMatchCondition(event: ApiEvent): IfMatch {
  const raw = event.headers?.['if-match'];
  if (raw === undefined || raw.trim() === '')
    throw new HttpError(
      428,
      'REQ006',
      'if-match',
      'Send the header If-Match with the ETag from GET /v1/doses/{vax_event_id}, so a change cannot overwrite one you have not seen.',
    );
  const parsed = parseIfMatch(raw);
  if (!parsed)
    throw new HttpError(
      400,
      'REQ006',
      'if-match',
      'If-Match is not * or a list of entity-tags; send the ETag as given, quotes included, e.g. "1".',
    );
  return parsed;
}
