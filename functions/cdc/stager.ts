import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { stageMessage } from '#cdc/stage.ts';
import type { ChangeMessage } from '#doses/outbox/publish.ts';
import { errorSummary, logger } from '#platform/logger.ts';
import { mapLimit } from '#platform/map-limit.ts';

const CONCURRENCY = 5;

/**
 * Consumer of the CDC queue: stages each stored change, de-identified, for the report day on which it arrived
 * (the message's SentTimestamp, in California). A change already staged is not staged again, so redeliveries
 * and the outbox sweeper's republishing are harmless; a failure stays on the queue and retries into the DLQ.
 */
export const handler = async (event: SQSEvent): Promise<SQSBatchResponse> => {
  const failed: string[] = [];
  await mapLimit(event.Records, CONCURRENCY, async (record) => {
    try {
      const msg = JSON.parse(record.body) as ChangeMessage;
      const sent = Number(record.attributes.SentTimestamp);
      const res = await stageMessage(msg, new Date(Number.isFinite(sent) && sent > 0 ? sent : Date.now()));
      if (res.kind === 'missing') {
        // The pointer is published after the version is stored, so this is a read of a table in another
        // region or a bug: keep the message (it ends in the DLQ) rather than report a dose we cannot see.
        logger.error('CDC change points at no stored version', { version: msg.version });
        failed.push(record.messageId);
      }
    } catch (err) {
      logger.error('CDC staging failed', errorSummary(err));
      failed.push(record.messageId);
    }
  });
  return { batchItemFailures: failed.map((itemIdentifier) => ({ itemIdentifier })) };
};
