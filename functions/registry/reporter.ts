import { randomUUID } from 'node:crypto';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { parseChangeMessage } from '#doses/messages.ts';
import type { ChangeMessage } from '#doses/outbox/publish.ts';
import { errorSummary, logger } from '#platform/logger.ts';
import { mapLimit } from '#platform/map-limit.ts';
import { park, releaseParked } from '#registry/parking.ts';
import { reportChange } from '#registry/report.ts';

/** Identifies this container's locks: a lock left by a dead container expires instead. */
const container = randomUUID();
/** Doses reported at once per invocation (with the mapping's maximumConcurrency, the cap per registry). */
const CONCURRENCY = 4;

/**
 * Consumer of the registry queue. Messages of one dose in a batch are reported together, through the newest
 * (which sends every older unsettled version first, in order); a message that could not be settled stays on
 * the queue (partial batch response), so its retries back off through the visibility timeout and end in the
 * DLQ. A refused credential is logged as REGISTRY_CREDENTIALS_REFUSED for the alarm; an ACK answering another
 * message as REGISTRY_ACK_MISMATCH, and the dose is retried like an unanswered one. A body that is not a
 * change message fails that message alone, logged as REGISTRY_MESSAGE_MALFORMED with its message id only.
 */
export const handler = async (event: SQSEvent): Promise<SQSBatchResponse> => {
  const byDose = new Map<string, { record: SQSRecord; msg: ChangeMessage }[]>();
  const failed: string[] = [];
  for (const record of event.Records) {
    const msg = parseChangeMessage(record.body);
    if (!msg) {
      // Fails this message only (its retries end in the DLQ); the rest of the batch is reported. The body is
      // not logged: a malformed one could hold anything.
      logger.error('REGISTRY_MESSAGE_MALFORMED', { messageId: record.messageId });
      failed.push(record.messageId);
      continue;
    }
    const key = `${msg.iis_id}#${msg.vax_event_id}`;
    byDose.set(key, [...(byDose.get(key) ?? []), { record, msg }]);
  }
  await mapLimit([...byDose.values()], CONCURRENCY, async (group) => {
    const newest = group.reduce((a, b) => (b.msg.version > a.msg.version ? b : a));
    const fail = () => failed.push(...group.map((g) => g.record.messageId));
    try {
      const res = await reportChange(newest.msg, `${container}:${newest.record.messageId}`, new Date());
      if (res.kind === 'done') {
        if (res.resumed)
          logger.warn('registry answering again; parked messages released', {
            registry: res.resumed,
            released: await releaseParked(res.resumed),
          });
        return;
      }
      if (res.kind === 'security-fault' || res.kind === 'paused') {
        // Kept, not retried into the DLQ: parked until the registry takes our credentials again.
        if (res.kind === 'security-fault')
          logger.error('REGISTRY_CREDENTIALS_REFUSED', { registry: res.registry });
        await park(
          res.registry,
          group.map((g) => g.msg),
        );
        return;
      }
      if (res.kind === 'retry')
        logger.warn('registry unreachable; will retry', { registry: res.registry, reason: res.reason });
      if (res.kind === 'ack-mismatch')
        logger.error('REGISTRY_ACK_MISMATCH', { registry: res.registry, version: res.version });
      fail();
    } catch (err) {
      logger.error('registry report failed', errorSummary(err));
      fail();
    }
  });
  return { batchItemFailures: failed.map((itemIdentifier) => ({ itemIdentifier })) };
};
