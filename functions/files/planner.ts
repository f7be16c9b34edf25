import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { planUpload } from '#files/plan-upload.ts';
import { errorName, logger } from '#platform/logger.ts';

const processor = new BatchProcessor(EventType.SQS);

interface S3EventRecord {
  eventName?: string;
  s3?: { bucket?: { name?: string }; object?: { key?: string; versionId?: string; eTag?: string } };
}

/**
 * Consumer of the drop bucket's notifications (S3 → SQS). The body is S3's event JSON: a test event when the
 * notification is configured (no Records), or Records whose keys are URL-encoded with '+' for spaces.
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
  let body: { Event?: string; Records?: S3EventRecord[] };
  try {
    body = JSON.parse(record.body) as typeof body;
  } catch (err) {
    logger.error('upload step failed', { code: 'FILE_PLAN_FAILED', stage: 'head', error: errorName(err) });
    throw err;
  }
  if (body.Event === 's3:TestEvent' || !body.Records) return;
  for (const r of body.Records) {
    if (!r.eventName?.startsWith('ObjectCreated:') || !r.s3?.object?.key) continue;
    const key = decodeURIComponent(r.s3.object.key.replace(/\+/g, ' '));
    const { versionId, eTag } = r.s3.object;
    const outcome = await planUpload(key, new Date(), { versionId, etag: eTag });
    logger.info('dropped file', { outcome });
  }
}

export const handler = async (event: SQSEvent, context: Context) =>
  processPartialResponse(event, handleRecord, processor, { context });
