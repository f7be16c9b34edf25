import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { type DropNotification, droppedObjects } from '#files/drop-notification.ts';
import { planUpload } from '#files/plan-upload.ts';
import { errorName, logger } from '#platform/logger.ts';

const processor = new BatchProcessor(EventType.SQS);

/**
 * Consumer of the drop bucket's notifications (S3 → SQS): plans each file created.
 * A failed record goes back to the queue (partial batch response) and, after its retries, to the DLQ.
 */
async function handleRecord(record: SQSRecord): Promise<void> {
  // planUpload logs and records its failures (FILE_PLAN_FAILED with its stage); its log lines carry the receive count.
  logger.appendKeys({ receive_count: Number(record.attributes?.ApproximateReceiveCount ?? 0) || undefined });
  try {
    await planRecord(record);
  } finally {
    logger.removeKeys(['receive_count']);
  }
}

async function planRecord(record: SQSRecord): Promise<void> {
  let body: DropNotification;
  try {
    body = JSON.parse(record.body) as DropNotification;
  } catch (err) {
    logger.error('upload step failed', { code: 'FILE_PLAN_FAILED', stage: 'head', error: errorName(err) });
    throw err;
  }
  for (const { key, versionId, eTag } of droppedObjects(body)) {
    const outcome = await planUpload(key, new Date(), { versionId, etag: eTag });
    logger.info('dropped file', { outcome });
  }
}

export const handler = async (event: SQSEvent, context: Context) =>
  processPartialResponse(event, handleRecord, processor, { context });
