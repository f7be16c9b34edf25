import type { Context } from 'aws-lambda';
import { publishAndClear, toMessage } from '#doses/outbox/outbox.ts';
import type { Delivery, ReportingQueue } from '#doses/outbox/publish.ts';
import { type ChangeRef, deleteIntents, OUTBOX_SHARDS, pendingIntents } from '#doses/outbox/store.ts';
import { getVersion } from '#doses/store.ts';
import { logger } from '#platform/logger.ts';
import { releaseExpiredPauses } from '#registry/parking.ts';

const PAGE = 200;
/** Stop taking new pages this long before the function's timeout. */
const SAFETY_MS = 10_000;
/** Lambda's longest timeout: an intent younger than this may belong to a writer that is still running. */
const DEFAULT_AGE_SECONDS = 900;

/**
 * Settles outbox intents left behind by a writer that died or a queue that failed: if the change was stored
 * by that very attempt (same stored_at), it is published to the queues it has not reached; otherwise (never
 * stored, or stored by a later attempt that published it itself) the intent is dropped. Sending twice is
 * harmless anyway: consumers key changes by (iis_id, vax_event_id, version).
 */
export const handler = async (event: { olderThanSeconds?: number } = {}, context?: Context) => {
  const before = new Date(Date.now() - (event.olderThanSeconds ?? DEFAULT_AGE_SECONDS) * 1000).toISOString();
  const timeLeft = () => context?.getRemainingTimeInMillis?.() ?? Number.POSITIVE_INFINITY;
  let republished = 0;
  let dropped = 0;
  let stillPending = 0;
  for (let shard = 0; shard < OUTBOX_SHARDS; shard++) {
    const attempted = new Set<string>();
    while (timeLeft() > SAFETY_MS) {
      const page = (await pendingIntents(shard, before, PAGE)).filter(
        (i) => !attempted.has(`${i.stored_at}#${i.iis_id}#${i.vax_event_id}#${i.version}`),
      );
      if (page.length === 0) break;
      const versions = await Promise.all(page.map((i) => getVersion(i.iis_id, i.vax_event_id, i.version)));
      const deliveries: Delivery[] = [];
      const stale: ChangeRef[] = [];
      for (const [n, v] of versions.entries()) {
        const intent = page[n]!;
        attempted.add(`${intent.stored_at}#${intent.iis_id}#${intent.vax_event_id}#${intent.version}`);
        if (v && v.stored_at === intent.stored_at)
          deliveries.push({ message: toMessage(v), queues: intent.queues as ReportingQueue[] });
        else stale.push(intent);
      }
      await deleteIntents(stale);
      stillPending += await publishAndClear(deliveries);
      republished += deliveries.length;
      dropped += stale.length;
    }
  }
  if (republished + dropped > 0) logger.warn('outbox swept', { republished, dropped, stillPending });
  // Registries paused for refused credentials get their parked messages back once the pause is over.
  const released = await releaseExpiredPauses(new Date());
  return { republished, dropped, stillPending, released };
};
