/** Answers of the HTTP API: a function's result mapped as payload 2.0 does, and API Gateway's own messages. */
import type { ServerResponse } from 'node:http';

export const JSON_HEADERS = { 'content-type': 'application/json' };

export interface MappedResponse {
  statusCode: number;
  headers: Record<string, string>;
  cookies: string[];
  body: Buffer;
}

/**
 * Maps a function's result as HTTP API does for payload 2.0: an object with `statusCode` is a structured
 * response; anything else (an object without statusCode, a string, a number…) is a 200 JSON body — a string
 * is sent as is, anything else as its JSON. Returns undefined for a malformed structured response.
 */
export function mapLambdaResult(result: unknown): MappedResponse | undefined {
  if (result !== null && typeof result === 'object' && !Array.isArray(result) && 'statusCode' in result) {
    const r = result as Record<string, unknown>;
    const status = r.statusCode;
    if (typeof status !== 'number' || !Number.isInteger(status) || status < 100 || status > 599)
      return undefined;
    const headers: Record<string, string> = {};
    if (r.headers !== undefined && r.headers !== null) {
      if (typeof r.headers !== 'object' || Array.isArray(r.headers)) return undefined;
      for (const [k, v] of Object.entries(r.headers as Record<string, unknown>)) {
        if (v === null || v === undefined) continue;
        if (typeof v === 'object') return undefined;
        headers[k.toLowerCase()] = String(v);
      }
    }
    let cookies: string[] = [];
    if (r.cookies !== undefined && r.cookies !== null) {
      if (!Array.isArray(r.cookies) || r.cookies.some((c) => typeof c !== 'string')) return undefined;
      cookies = r.cookies as string[];
    }
    if (r.body !== undefined && r.body !== null && typeof r.body !== 'string') return undefined;
    const text = (r.body as string | undefined | null) ?? '';
    const body = r.isBase64Encoded === true ? Buffer.from(text, 'base64') : Buffer.from(text, 'utf8');
    return { statusCode: status, headers, cookies, body };
  }
  const text = typeof result === 'string' ? result : JSON.stringify(result ?? null);
  return { statusCode: 200, headers: { ...JSON_HEADERS }, cookies: [], body: Buffer.from(text, 'utf8') };
}

export function send(res: ServerResponse, requestId: string, answer: MappedResponse, close = false): void {
  if (res.headersSent || res.destroyed) return;
  const headers: Record<string, string | string[]> = { ...answer.headers, 'apigw-requestid': requestId };
  if (close) {
    // The rest of an oversized body is never read: close the connection after answering, and make sure a
    // client that keeps sending cannot hold it open.
    headers.connection = 'close';
    res.once('finish', () => setTimeout(() => res.socket?.destroy(), 1000).unref());
  }
  if (answer.cookies.length) headers['set-cookie'] = answer.cookies;
  headers['content-length'] = String(answer.body.length);
  res.writeHead(answer.statusCode, headers);
  res.end(answer.body);
}

/** An answer of API Gateway's own; `close` when the rest of the request body was left unread. */
export function sendMessage(
  res: ServerResponse,
  requestId: string,
  statusCode: number,
  message: string,
  close = statusCode === 413,
): void {
  const body = Buffer.from(JSON.stringify({ message }));
  send(res, requestId, { statusCode, headers: { ...JSON_HEADERS }, cookies: [], body }, close);
}
