/**
 * Request size limits, chosen so that AWS itself admits every request within them.
 *
 * API Gateway (HTTP API) takes bodies up to 10 MB (10,485,760 bytes) and hands a text body (JSON, XML) to
 * Lambda as a string inside a JSON event; Lambda takes an event of at most 6 MB (6,291,456 bytes). Escaped
 * in that event a body byte takes up to 6 bytes: a control character becomes `\u0001`, a CR `\r`, a quote
 * `\"`. A body of 4 MiB escaped twice (carriage returns, quotes) or of 1.1 MB escaped six times exceeds the
 * event limit, Lambda refuses the invocation and the function never runs: no size check of ours can answer.
 * So the body limit is the one at which the worst case still fits: 6 × 1,000,000 bytes, plus everything else
 * the event carries (headers, path and query several times over, request context), stays under 6,291,456
 * bytes. Bodies are base64-encoded only for non-text media types (4/3), which no route reads.
 */

/** API Gateway HTTP API payload quota ("10 MB", not adjustable): larger requests get 413 from the gateway. */
export const API_GATEWAY_MAX_BODY_BYTES = 10 * 1024 * 1024;

/** Lambda's synchronous invocation payload quota ("6 MB"), measured on the serialized event. */
export const LAMBDA_MAX_EVENT_BYTES = 6 * 1024 * 1024;

/** The most a body byte can grow to in the event's JSON (`\u0000`…`\u001f`). */
export const WORST_CASE_ESCAPE_FACTOR = 6;

/**
 * Room kept for the event around the body: request line and header values (at most 10,240 bytes by API
 * Gateway's quota) appear up to 4 times (rawPath, http.path, pathParameters; rawQueryString and
 * queryStringParameters), escaped at worst 6 times, plus the request context and the authorizer's context.
 */
export const EVENT_ENVELOPE_BYTES = 256 * 1024;

/** Largest request body any route takes, in bytes as sent (UTF-8): JSON routes and SOAP alike. */
export const MAX_BODY_BYTES = 1_000_000;

// The documented limit must be one AWS admits whatever the bytes.
if (MAX_BODY_BYTES * WORST_CASE_ESCAPE_FACTOR + EVENT_ENVELOPE_BYTES > LAMBDA_MAX_EVENT_BYTES)
  throw new Error('MAX_BODY_BYTES does not fit in a Lambda event at worst-case escaping');

/** Byte length of a body as the client sent it (a base64 event body is measured decoded, without decoding it). */
export function bodyBytes(body: string | undefined, isBase64Encoded: boolean | undefined): number {
  if (!body) return 0;
  if (!isBase64Encoded) return Buffer.byteLength(body, 'utf8');
  const padding = body.endsWith('==') ? 2 : body.endsWith('=') ? 1 : 0;
  return Math.floor((body.length * 3) / 4) - padding;
}
