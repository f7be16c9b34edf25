import type { ChangeMessage } from './outbox/publish.ts';

/**
 * A queue body as a ChangeMessage, or undefined when it is not one (not JSON, or a field missing or of the
 * wrong type), so a consumer can fail that one message instead of its whole batch. Kept apart from
 * publish.ts so a consumer that only reads messages does not import the publisher (and its queue bindings).
 */
export function parseChangeMessage(body: string): ChangeMessage | undefined {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const m = value as Record<string, unknown>;
  const text = (v: unknown) => typeof v === 'string' && v.length > 0;
  if (
    m.type !== 'dose.change' ||
    m.schema !== 1 ||
    !text(m.iis_id) ||
    !text(m.vax_event_id) ||
    !Number.isSafeInteger(m.version) ||
    (m.version as number) < 1 ||
    !(m.action === 'A' || m.action === 'U' || m.action === 'D') ||
    !text(m.stored_at)
  )
    return undefined;
  return value as ChangeMessage;
}
