import { errorSummary, logger } from '#platform/logger.ts';
import { mapLimit } from '#platform/map-limit.ts';
import type * as store from '../store.ts';
import { type ChangeMessage, changeId, type Delivery, publishChanges, REPORTING_QUEUES } from './publish.ts';
import * as intents from './store.ts';

/** The collaborators of publishing, replaceable in tests (e.g. a publish step that dies). */
export interface OutboxDeps {
  writeIntents: typeof intents.writeIntents;
  deleteIntents: typeof intents.deleteIntents;
  shrinkIntent: typeof intents.shrinkIntent;
  publish: typeof publishChanges;
}

export const defaultOutboxDeps: OutboxDeps = {
  writeIntents: intents.writeIntents,
  deleteIntents: intents.deleteIntents,
  shrinkIntent: intents.shrinkIntent,
  publish: publishChanges,
};

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

/** The intent for a change about to be stored: every reporting queue still to reach. */
export const intentFor = (v: store.DoseVersion): intents.Intent => ({
  iis_id: v.iis_id,
  vax_event_id: v.vax_event_id,
  version: v.version,
  stored_at: v.stored_at,
  queues: [...REPORTING_QUEUES],
});

/** A freshly stored version still has to reach every reporting queue. */
export const freshDelivery = (v: store.DoseVersion): Delivery => ({
  message: toMessage(v),
  queues: REPORTING_QUEUES,
});

/**
 * Publishes changes and settles their intents: deleted (in batches) once every queue has the change, shrunk
 * to the queues still missing otherwise. Answers how many changes still have a queue to reach. Never throws:
 * the changes are stored, and whatever did not complete is the sweeper's.
 */
export async function publishAndClear(
  deliveries: readonly Delivery[],
  deps: OutboxDeps = defaultOutboxDeps,
): Promise<number> {
  if (deliveries.length === 0) return 0;
  try {
    const reached = await deps.publish(deliveries);
    const complete: ChangeMessage[] = [];
    const partial: [ChangeMessage, string[]][] = [];
    for (const d of deliveries) {
      const done = reached.get(changeId(d.message)) ?? [];
      if (d.queues.every((q) => done.includes(q))) complete.push(d.message);
      else if (done.length > 0) partial.push([d.message, done]);
    }
    await deps.deleteIntents(complete);
    await mapLimit(partial, 8, ([m, done]) => deps.shrinkIntent(m, done));
    return deliveries.length - complete.length;
  } catch (err) {
    logger.warn('outbox not settled; the sweeper will publish', errorSummary(err));
    return deliveries.length;
  }
}
