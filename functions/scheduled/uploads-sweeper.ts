import { sendAll } from '../../shared/ingest/messages.ts';
import { logger } from '../../shared/observability/logger.ts';
import { fileFinding } from '../../shared/files/format.ts';
import { headObject } from '../../shared/files/storage.ts';
import { chunksDone, touch, transition, uploadsByStatus } from '../../shared/store/uploads.ts';

const NEVER_ARRIVED = fileFinding(
  'FILE011',
  'No file arrived for this upload before its URL expired. Ask for a new upload URL.',
);

/**
 * Picks up uploads that stopped moving: still `received` (the planner never ran or died) are notified again;
 * `processing` ones get their unfinished chunks queued again, or their assembly. Touching them first keeps the
 * next sweep from queuing the same work while this work is still in the queue.
 */
export const handler = async (event: { stuckAfterSeconds?: number } = {}) => {
  const now = new Date();
  const before = new Date(now.getTime() - (event.stuckAfterSeconds ?? 900) * 1000).toISOString();
  let replanned = 0;
  let requeued = 0;
  for (const u of await uploadsByStatus('received', before)) {
    if (!(await headObject(u.key))) {
      // A URL was issued but no file arrived before it expired: nothing to process, say so.
      await transition(u, ['received'], 'failed', { file_findings: [NEVER_ARRIVED] }, now.toISOString());
      continue;
    }
    await touch(u.upload_id, now.toISOString());
    await sendAll('ingestFiles', [
      {
        Records: [
          {
            eventName: 'ObjectCreated:Put',
            s3: { object: { key: encodeURIComponent(u.key).replaceAll('%2F', '/') } },
          },
        ],
      },
    ]);
    replanned++;
  }
  for (const u of await uploadsByStatus('processing', before)) {
    await touch(u.upload_id, now.toISOString());
    const done = await chunksDone(u.upload_id);
    const missing = Array.from({ length: u.chunks_total ?? 0 }, (_, n) => n).filter((n) => !done.has(n));
    await sendAll(
      'ingestChunks',
      missing.length > 0
        ? missing.map((n) => ({ type: 'chunk', upload_id: u.upload_id, chunk: n }))
        : [{ type: 'assemble', upload_id: u.upload_id }],
    );
    requeued += missing.length || 1;
  }
  if (replanned + requeued > 0) logger.warn('stuck uploads picked up', { replanned, requeued });
  return { replanned, requeued };
};
