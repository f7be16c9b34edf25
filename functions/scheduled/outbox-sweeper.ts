import { publishAndClear, toMessage } from '../../shared/outbox/outbox.ts';
import { logger } from '../../shared/observability/logger.ts';
import { getVersion, OUTBOX_SHARDS, pendingOutbox } from '../../shared/store/doses.ts';

const PAGE = 200;

/**
 * Publishes stored changes whose fan-out was interrupted (a crash, a queue error) and clears their outbox
 * marks. Only changes older than `olderThanSeconds` are taken, so a request still publishing its own changes
 * is not raced. Publishing twice is harmless: consumers key changes by (iis_id, vax_event_id, version).
 */
export const handler = async (event: { olderThanSeconds?: number } = {}) => {
  const before = new Date(Date.now() - (event.olderThanSeconds ?? 60) * 1000).toISOString();
  let republished = 0;
  let stillPending = 0;
  for (let shard = 0; shard < OUTBOX_SHARDS; shard++) {
    const pending = await pendingOutbox(shard, before, PAGE);
    const versions = await Promise.all(pending.map((p) => getVersion(p.iis_id, p.vax_event_id, p.version)));
    const changes = versions.filter((v) => v !== undefined).map(toMessage);
    stillPending += await publishAndClear(changes);
    republished += changes.length;
  }
  if (republished > 0) logger.warn('outbox swept', { republished, stillPending });
  return { republished, stillPending };
};
