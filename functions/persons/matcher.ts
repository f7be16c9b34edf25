import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { parseChangeMessage } from '#doses/messages.ts';
import { linkDose } from '#persons/link.ts';
import { logger } from '#platform/logger.ts';

const processor = new BatchProcessor(EventType.SQS);

/**
 * Consumer of the persons queue: links each stored dose to a person across sites (shared/persons/link.ts).
 * Records of a batch are matched one after another, so two doses of one new person in a batch find each
 * other; across concurrent batches link.ts reconciles. Linking is idempotent, so redeliveries are harmless;
 * a failed record stays on the queue (partial batch response) and retries into the DLQ.
 */
async function handleRecord(record: SQSRecord): Promise<void> {
  const msg = parseChangeMessage(record.body);
  if (!msg) {
    logger.error('PERSONS_MESSAGE_MALFORMED', { messageId: record.messageId });
    throw new Error('Not a change message');
  }
  await linkDose(msg.iis_id, msg.vax_event_id);
}

export const handler = async (event: SQSEvent, context: Context) =>
  processPartialResponse(event, handleRecord, processor, {
    context,
    processInParallel: false,
    throwOnFullBatchFailure: false,
  });
