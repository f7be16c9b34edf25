/** How the Clearinghouse stand-in reads an upload (Content-Encoding, file name) and writes its JSON answers. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';

export const MAX_UPLOAD_BYTES = 200 * 1024 * 1024;
export const MAX_JSON_BYTES = 64 * 1024;

const gunzipAsync = promisify(gunzip);

/** The body as text, decompressed as its Content-Encoding says, or the answer refusing it. */
export async function decode(
  encoding: string,
  bytes: Buffer,
): Promise<string | { status: number; outcome: string; message: string }> {
  if (encoding === 'identity') return bytes.toString('utf8');
  if (encoding !== 'gzip')
    return {
      status: 415,
      outcome: 'unsupported content encoding',
      message: 'Content-Encoding must be gzip, or absent for a body sent as is',
    };
  try {
    // The limit stops a small bomb from inflating past what an uncompressed upload may be.
    return (await gunzipAsync(bytes, { maxOutputLength: MAX_UPLOAD_BYTES })).toString('utf8');
  } catch (err) {
    return (err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE'
      ? {
          status: 413,
          outcome: 'too large once decompressed',
          message: `The file is larger than ${MAX_UPLOAD_BYTES} bytes`,
        }
      : {
          status: 400,
          outcome: 'malformed gzip',
          message: 'The body is not valid gzip (Content-Encoding: gzip)',
        };
  }
}

/** `attachment; filename="x.txt"` → `x.txt`. */
export function fileNameOf(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const m = /filename\s*=\s*(?:"([^"]*)"|([^;\s]+))/i.exec(header);
  return m ? (m[1] ?? m[2]) : undefined;
}

export function notAllowed(req: IncomingMessage, res: ServerResponse, allow: string): void {
  req.resume();
  res.setHeader('allow', allow);
  sendJson(res, 405, { message: 'Method not allowed' });
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  if (res.destroyed) return;
  const text = `${JSON.stringify(body)}\n`;
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}
