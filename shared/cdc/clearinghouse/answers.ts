// What the Clearinghouse answers: receipts, CDC's error strings, and what the caller should do.

/** How much of an unexpected answer's body a reason quotes. */
const REASON_BODY_CHARS = 200;

export interface UploadReceipt {
  id: string;
  validationErrors: string[];
  processingErrors: string[];
  truncated: boolean;
}

export type UploadOutcome =
  | { kind: 'accepted'; receipt: UploadReceipt; status: number }
  | { kind: 'retry'; reason: string }
  /** `status` is absent when no HTTP answer came (the TLS handshake was refused). */
  | { kind: 'refused'; status?: number; reason: string };

/** A request's HTTP answer, or why none came (`refused` when sending again cannot help). */
export type Answer =
  | { ok: true; status: number; body: string }
  | { ok: false; reason: string; refused: boolean };

/** `line#N field=F message=M` → its parts; anything else is kept whole as the message. */
export function parseValidationError(s: string): { line?: number; field?: string; message: string } {
  // A header error is line -1, as CDC numbers it.
  const m = /^line#(-?\d+)\s+field=(\S*)\s+message=([\s\S]*)$/.exec(s.trim());
  if (!m) return { message: s };
  return { line: Number(m[1]), field: m[2]!, message: m[3]! };
}

/** `VaxEventId=<id> RecipId=<id> message=M` → the event ID and message; anything else is kept whole. */
export function parseProcessingError(s: string): { vaxEventId?: string; message: string } {
  const m = /^VaxEventId=(\S*)\s+(?:RecipId=\S*\s+)?message=([\s\S]*)$/.exec(s.trim());
  if (!m) return { message: s };
  return m[1] ? { vaxEventId: m[1], message: m[2]! } : { message: m[2]! };
}

/** A 200's body as a receipt; undefined when it is not one. */
export function readReceipt(body: string): UploadReceipt | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  const o = parsed as Record<string, unknown>;
  if (typeof o.id !== 'string') return undefined;
  const strings = (v: unknown): string[] | undefined =>
    v === undefined || v === null
      ? []
      : Array.isArray(v) && v.every((s) => typeof s === 'string')
        ? [...v]
        : undefined;
  const validationErrors = strings(o.validationErrors);
  const processingErrors = strings(o.processingErrors);
  if (!validationErrors || !processingErrors) return undefined;
  return { id: o.id, validationErrors, processingErrors, truncated: o.truncated === true };
}

export const snippet = (body: string) => body.slice(0, REASON_BODY_CHARS);
