import type { Context } from 'aws-lambda';
import { publishAndClear, toMessage } from '../../shared/outbox/outbox.ts';
import type { Delivery, ReportingQueue } from '../../shared/outbox/publish.ts';
import { logger } from '../../shared/observability/logger.ts';
import { getVersion, OUTBOX_SHARDS, pendingOutbox } from '../../shared/store/doses.ts';

const PAGE = 200;
/** Stop taking new pages this long before the function's timeout. */
const SAFETY_MS = 10_000;

/**
 * Publishes stored changes whose fan-out was interrupted (a crash, a queue error) to the queues they have not
 * reached, and clears their outbox marks. Only changes older than `olderThanSeconds` are taken, so a request
 * still publishing its own changes is not raced. The outbox index is eventually consistent, so each version
 * is read again consistently and skipped if its mark is already gone. Sending twice is harmless anyway:
 * consumers key changes by (iis_id, vax_event_id, version).
 */
export const handler = async (event: { olderThanSeconds?: number } = {}, context?: Context) => {
  const before = new Date(Date.now() - (event.olderThanSeconds ?? 60) * 1000).toISOString();
  const timeLeft = () => context?.getRemainingTimeInMillis?.() ?? Number.POSITIVE_INFINITY;
  let republished = 0;
  let stillPending = 0;
  for (let shard = 0; shard < OUTBOX_SHARDS; shard++) {
    const attempted = new Set<string>();
    while (timeLeft() > SAFETY_MS) {
      const page = (await pendingOutbox(shard, before, PAGE)).filter(
        (p) => !attempted.has(`${p.iis_id}#${p.vax_event_id}#${p.version}`),
      );
      if (page.length === 0) break;
      const versions = await Promise.all(page.map((p) => getVersion(p.iis_id, p.vax_event_id, p.version)));
      const deliveries: Delivery[] = [];
      for (const [i, v] of versions.entries()) {
        const p = page[i]!;
        attempted.add(`${p.iis_id}#${p.vax_event_id}#${p.version}`);
        if (v?.outboxQueues?.length)
          deliveries.push({ message: toMessage(v), queues: v.outboxQueues as ReportingQueue[] });
      }
      stillPending += await publishAndClear(deliveries);
      republished += deliveries.length;
    }
  }
  if (republished > 0) logger.warn('outbox swept', { republished, stillPending });
  return { republished, stillPending };
};
