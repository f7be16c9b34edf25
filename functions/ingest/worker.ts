import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import type { IngestTask } from '../../shared/ingest/messages.ts';
import { assembleIfDone, processChunk } from '../../shared/ingest/process-chunk.ts';

const processor = new BatchProcessor(EventType.SQS);

/** Consumer of planned work: a chunk of rows, or assembling an upload's results. */
async function handleRecord(record: SQSRecord): Promise<void> {
  const task = JSON.parse(record.body) as IngestTask;
  if (task.type === 'chunk') await processChunk(task.upload_id, task.chunk, new Date());
  else await assembleIfDone(task.upload_id, new Date());
}

export const handler = async (event: SQSEvent, context: Context) =>
  processPartialResponse(event, handleRecord, processor, { context });
