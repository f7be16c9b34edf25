import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { stageRecord } from '#cdc/stage-record.ts';
import { Semaphore } from '#platform/semaphore.ts';

const processor = new BatchProcessor(EventType.SQS);
/** Records of a batch staged at once. */
const inFlight = new Semaphore(5);

/**
 * Consumer of the CDC queue: stages each stored change, de-identified, for the report day on which it arrived.
 * A change already staged is not staged again, so redeliveries and the outbox sweeper's republishing are
 * harmless; a failed record stays on the queue (partial batch response) and retries into the DLQ.
 */
const handleRecord = (record: SQSRecord) => inFlight.run(() => stageRecord(record));

// A batch where every record failed answers all of them as failures, as a partial one does, rather than throw.
export const handler = async (event: SQSEvent, context: Context) =>
  processPartialResponse(event, handleRecord, processor, { context, throwOnFullBatchFailure: false });
