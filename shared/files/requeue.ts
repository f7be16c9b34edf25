import { type IngestTask, sendAll } from './messages.ts';
import * as uploads from './uploads-store.ts';

/** Queues the chunks of a processing upload that are not done (or its assembly when all are): answers the tasks. */
export async function requeueMissing(upload: uploads.Upload): Promise<IngestTask[]> {
  const done = await uploads.chunksDone(upload.upload_id);
  const missing = Array.from({ length: upload.chunks_total ?? 0 }, (_, n) => n).filter((n) => !done.has(n));
  const tasks: IngestTask[] =
    missing.length > 0
      ? missing.map((n) => ({ type: 'chunk', upload_id: upload.upload_id, chunk: n }))
      : [{ type: 'assemble', upload_id: upload.upload_id }];
  await sendAll('ingestChunks', tasks);
  return tasks;
}
