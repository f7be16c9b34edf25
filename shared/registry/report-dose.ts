import type { ChangeMessage } from '#doses/messages.ts';
import { ALARMS } from '#platform/alarms.ts';
import { errorSummary, logger } from '#platform/logger.ts';
import { park, releaseParked } from './parking.ts';
import { type ReportResult, reportChange } from './report.ts';

/** The dose's messages stay on the queue: their retries back off through the visibility timeout, then the DLQ. */
export class KeepOnQueue extends Error {
  override readonly name = 'KeepOnQueue';
}

/** A change message as received, with its SQS message id. */
export interface DoseMessage {
  messageId: string;
  msg: ChangeMessage;
}

/**
 * Reports the messages of one dose that arrived in one batch, through the newest (which sends every older
 * unsettled version first, in order), under the dose's lock held as `container`:(the newest's message id),
 * and settles them all alike: returns when they are done with (reported, or parked while the registry
 * refuses our credentials), throws KeepOnQueue when they must be retried. A refused credential is logged as
 * REGISTRY_CREDENTIALS_REFUSED for the alarm; an ACK answering another message as REGISTRY_ACK_MISMATCH, and
 * the dose is retried like an unanswered one.
 */
export async function reportDose(batch: DoseMessage[], container: string, now: Date): Promise<void> {
  const newest = batch.reduce((a, b) => (b.msg.version > a.msg.version ? b : a));
  const messages = batch.map((m) => m.msg);
  let kept: string | undefined;
  try {
    kept = await settle(messages, await reportChange(newest.msg, `${container}:${newest.messageId}`, now));
  } catch (err) {
    logger.error('registry report failed', errorSummary(err));
    throw new KeepOnQueue('registry report failed');
  }
  if (kept) throw new KeepOnQueue(kept);
}

/** Acts on the registry's answer; names it when the messages must stay on the queue. */
async function settle(messages: ChangeMessage[], res: ReportResult): Promise<string | undefined> {
  switch (res.kind) {
    case 'done':
      if (res.resumed)
        logger.warn('registry answering again; parked messages released', {
          registry: res.resumed,
          released: await releaseParked(res.resumed),
        });
      return undefined;
    case 'security-fault':
    case 'paused':
      // Kept, not retried into the DLQ: parked until the registry takes our credentials again.
      if (res.kind === 'security-fault')
        logger.error(ALARMS.registryCredentialsRefused.code, { registry: res.registry });
      await park(res.registry, messages);
      return undefined;
    case 'retry':
      logger.warn('registry unreachable; will retry', { registry: res.registry, reason: res.reason });
      return res.kind;
    case 'ack-mismatch':
      logger.error(ALARMS.registryAckMismatch.code, { registry: res.registry, version: res.version });
      return res.kind;
    case 'locked':
      // Another container holds the dose: its messages come back after the visibility timeout.
      return res.kind;
  }
}
