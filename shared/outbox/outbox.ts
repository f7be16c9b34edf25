import { errorSummary, logger } from '../observability/logger.ts';
import * as store from '../store/doses.ts';
import { mapLimit } from '../util/map-limit.ts';
import { type ChangeMessage, changeId, type Delivery, publishChanges, REPORTING_QUEUES } from './publish.ts';

/** The collaborators of publishing, replaceable in tests (e.g. a publish step that dies). */
export interface OutboxDeps {
  clearOutbox: typeof store.clearOutbox;
  publish: typeof publishChanges;
}

export const defaultOutboxDeps: OutboxDeps = { clearOutbox: store.clearOutbox, publish: publishChanges };
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

/** A freshly stored version still has to reach every reporting queue. */
export const freshDelivery = (v: store.DoseVersion): Delivery => ({
  message: toMessage(v),
  queues: REPORTING_QUEUES,
});

/**
 * Publishes changes and takes the queues each one reached off its outbox mark; a change that reached all of
 * its queues leaves the outbox. Answers how many changes still have a queue to reach. Never throws: the
 * changes are stored, and whatever did not complete is the sweeper's.
 */
export async function publishAndClear(
  deliveries: readonly Delivery[],
  deps: OutboxDeps = defaultOutboxDeps,
): Promise<number> {
  if (deliveries.length === 0) return 0;
  let pending = 0;
  try {
    const reached = await deps.publish(deliveries);
    await mapLimit(deliveries, CONCURRENCY, async (d) => {
      const done = reached.get(changeId(d.message)) ?? [];
      if (done.length < d.queues.length) pending++;
      if (done.length === 0) return;
      const all = d.queues.every((q) => done.includes(q));
      await deps.clearOutbox(d.message.iis_id, d.message.vax_event_id, d.message.version, all ? 'all' : done);
    });
  } catch (err) {
    logger.warn('outbox not cleared; the sweeper will publish', errorSummary(err));
    return deliveries.length;
  }
  return pending;
}
