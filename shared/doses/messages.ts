/**
 * The reporting queues' message contract, one module for the producer (outbox/publish.ts) and the consumers
 * (the registry reporter, the CDC stager): the message, and how a consumer reads one.
 */
import type { Action } from './store.ts';

/**
 * What goes on the reporting queues: a pointer to one stored version, not the dose itself, so no health
 * information travels through SQS and a consumer always reads the version exactly as stored. Consumers must
 * treat (iis_id, vax_event_id, version) as the identity of a change: delivery is at least once.
 */
export interface ChangeMessage {
  type: 'dose.change';
  schema: 1;
  iis_id: string;
  vax_event_id: string;
  version: number;
  action: Action;
  stored_at: string;
}

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
