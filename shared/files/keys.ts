import { createHash, randomBytes } from 'node:crypto';
import { INCOMING } from './storage.ts';

/** Upload ids issued by POST /v1/uploads. */
export const newUploadId = () => `up_${randomBytes(10).toString('hex')}`;
const ISSUED = /^up_[a-f0-9]{20}$/;
const IIS_ID = /^[A-Z0-9-]{1,20}$/;

export interface DroppedFile {
  iis_id: string;
  upload_id: string;
  /** The file's own name, used for its results. */
  name: string;
}

/**
 * Who a dropped key belongs to: `incoming/<iis_id>/<upload_id>/<name>` from POST /v1/uploads, or
 * `incoming/<iis_id>/<anything>/<name>` from an operator with bucket access, whose upload id is derived from
 * the key and its ETag (the same object notified twice is the same upload).
 */
export function parseIncomingKey(key: string, etag: string): DroppedFile | undefined {
  if (!key.startsWith(INCOMING)) return undefined;
  const parts = key.slice(INCOMING.length).split('/');
  const iis = parts[0]?.toUpperCase() ?? '';
  const name = parts.at(-1) ?? '';
  if (!IIS_ID.test(iis) || parts.length < 2 || name === '') return undefined;
  const issued = parts.length === 3 && ISSUED.test(parts[1]!) ? parts[1]! : undefined;
  const upload_id =
    issued ?? `dr_${createHash('sha256').update(`${key}\u0000${etag}`).digest('hex').slice(0, 20)}`;
  return { iis_id: iis, upload_id, name };
}

/** A file name safe to echo in keys and results: no path, no control characters. */
export function safeName(name: string): string | undefined {
  const n = name.trim();
  const control = [...n].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f);
  if (n.length === 0 || n.length > 200 || control || /[/\\]/.test(n) || n === '.' || n === '..')
    return undefined;
  return n;
}
