import * as store from '../store/doses.ts';
import { mapLimit } from '../util/map-limit.ts';
import { type ChangeMessage, changeId, publishChanges } from './publish.ts';

/** The collaborators of publishing, replaceable in tests (e.g. a publish step that dies). */
export interface OutboxDeps {
  clearOutbox: typeof store.clearOutbox;
  publish: typeof publishChanges;
}

const CONCURRENCY = 16;

export function toMessage(v: store.DoseVersion): ChangeMessage {
  return {
    type: 'dose.change',
    schema: 1,
    iis_id: v.iis_id,
    vax_event_id: v.vax_event_id,
    version: v.version,
    action: v.action,
    stored_at: v.stored_at,
  };
}

/**
 * Publishes changes and clears the outbox marks of those that reached every queue; the rest keep their mark
 * and wait for the sweeper. Answers how many are still pending.
 */
export async function publishAndClear(
  changes: readonly ChangeMessage[],
  deps: OutboxDeps = { clearOutbox: store.clearOutbox, publish: publishChanges },
): Promise<number> {
  if (changes.length === 0) return 0;
  const published = await deps.publish(changes);
  const done = changes.filter((c) => published.has(changeId(c)));
  await mapLimit(done, CONCURRENCY, (c) => deps.clearOutbox(c.iis_id, c.vax_event_id, c.version));
  return changes.length - done.length;
}
