/** How the registry stand-in writes its answers: plain text, JSON, SOAP 1.2 envelopes and faults. */
import type { ServerResponse } from 'node:http';
import {
  buildFault,
  type CdcFault,
  faultHttpStatus,
  SOAP12_CONTENT_TYPE,
  type Soap12FaultCode,
} from '#codecs/soap/cdc-iis.ts';

export function send(res: ServerResponse, status: number, contentType: string, body: string): void {
  if (res.destroyed) return;
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  send(res, status, 'application/json; charset=utf-8', `${JSON.stringify(body, null, 2)}\n`);
}

export function sendSoap(res: ServerResponse, status: number, envelope: string): void {
  send(res, status, SOAP12_CONTENT_TYPE, envelope);
}

/** Sends a SOAP 1.2 fault with the status the HTTP binding gives its code; returns that status. */
export function sendFault(
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

export function serverError(res: ServerResponse, body: 'soap' | 'plain'): void {
  if (body === 'plain') send(res, 500, 'text/plain; charset=utf-8', 'Internal Server Error\n');
  else
    sendSoap(res, 500, buildFault('fault', 'The registry is temporarily unavailable.', { code: 'Receiver' }));
}
