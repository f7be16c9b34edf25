import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import type { IngestTask } from '#files/messages.ts';
import { assembleIfDone, processChunk } from '#files/process-chunk.ts';
import { errorName, logger } from '#platform/logger.ts';

const processor = new BatchProcessor(EventType.SQS);

/**
 * Consumer of planned work: a chunk of rows, or assembling an upload's results. A failure is logged and recorded
 * on the upload by processChunk (FILE_CHUNK_FAILED / FILE_RESULTS_FAILED with its stage); the log lines of a
 * delivery carry its receive count, so an operator sees how close it is to the DLQ.
 */
async function handleRecord(record: SQSRecord): Promise<void> {
  logger.appendKeys({ receive_count: Number(record.attributes?.ApproximateReceiveCount ?? 0) || undefined });
  try {
    let task: IngestTask;
    try {
      task = JSON.parse(record.body) as IngestTask;
    } catch (err) {
      logger.error('upload step failed', { code: 'FILE_CHUNK_FAILED', stage: 'load', error: errorName(err) });
      throw err;
    }
    if (task.type === 'chunk') await processChunk(task.upload_id, task.chunk, new Date());
    else await assembleIfDone(task.upload_id, new Date());
  } finally {
    logger.removeKeys(['receive_count']);
  }
}

export const handler = async (event: SQSEvent, context: Context) =>
  processPartialResponse(event, handleRecord, processor, { context });
