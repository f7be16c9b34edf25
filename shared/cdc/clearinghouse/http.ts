import * as http from 'node:http';
import * as https from 'node:https';
import type { ClearinghouseConfig } from './config.ts';

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
export class ConnectionClosedError extends Error {
  readonly phase: 'during-handshake' | 'after-handshake';
  constructor(phase: 'during-handshake' | 'after-handshake', cause: unknown) {
    super('Connection closed before any answer', { cause });
    this.name = 'ConnectionClosedError';
    this.phase = phase;
  }
}

export const isReset = (err: unknown) => ['ECONNRESET', 'EPIPE'].includes(errorCode(err) ?? '');

export function errorCode(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e && depth < 3; depth++) {
    if (typeof e === 'object' && 'code' in e && typeof e.code === 'string') return e.code;
    e = typeof e === 'object' && 'cause' in e ? e.cause : undefined;
  }
  return undefined;
}
