import { fileFinding } from '../../shared/files/format.ts';
import { headObject } from '../../shared/files/storage.ts';
import { failUpload } from '../../shared/ingest/fail-upload.ts';
import { sendAll } from '../../shared/ingest/messages.ts';
import { requeueMissing } from '../../shared/ingest/requeue.ts';
import { logger } from '../../shared/observability/logger.ts';
import { countSweep, uploadsByStatus } from '../../shared/store/uploads.ts';

/** Upload URLs live 15 minutes; a slow upload may still be arriving well after that. */
const NEVER_ARRIVED_AFTER_SECONDS = 3600;
/** Sweeps without progress after which an upload is failed rather than retried forever (about an hour). */
const MAX_SWEEPS = 4;

/**
 * Picks up uploads that stopped moving: still `received` (the planner never ran or died) are notified again,
 * or failed when their file never came; `processing` ones get their unfinished chunks queued again, or their
 * assembly, and after MAX_SWEEPS sweeps without a chunk finishing they fail with a clear finding (a chunk
 * that fails every time lands in the DLQ, where operators see it). Each sweep touches what it picks up, so the
 * next one does not queue the same work while it is still in the queue.
 */
export const handler = async (
  event: { stuckAfterSeconds?: number; neverArrivedAfterSeconds?: number } = {},
) => {
  const now = new Date();
  const stamp = now.toISOString();
  const stuckAfter = event.stuckAfterSeconds ?? 900;
  const before = new Date(now.getTime() - stuckAfter * 1000).toISOString();
  const neverArrivedAfter = event.neverArrivedAfterSeconds ?? NEVER_ARRIVED_AFTER_SECONDS;
  const neverBefore = new Date(now.getTime() - neverArrivedAfter * 1000).toISOString();
  let replanned = 0;
  let requeued = 0;
  let failed = 0;
  for (const u of await uploadsByStatus('received', before)) {
    if (!(await headObject(u.key, u.version_id))) {
      if (u.created_at <= neverBefore && (await failUpload(u, ['received'], NEVER_ARRIVED, stamp))) failed++;
      continue;
    }
    await countSweep(u.upload_id, stamp);
    const key = encodeURIComponent(u.key).replaceAll('%2F', '/').replaceAll('%20', '+');
    await sendAll('ingestFiles', [
      {
        Records: [
          { eventName: 'ObjectCreated:Put', s3: { object: { key, versionId: u.version_id, eTag: u.etag } } },
        ],
      },
    ]);
    replanned++;
  }
  for (const u of await uploadsByStatus('processing', before)) {
    const sweeps = await countSweep(u.upload_id, stamp);
    if (sweeps > MAX_SWEEPS) {
      await failUpload(
        u,
        ['processing'],
        fileFinding(
          'FILE012',
          `Processing of this file stopped after repeated failures (${u.chunks_done ?? 0} of ${u.chunks_total ?? 0} parts done). Doses already stored stay stored: send the file again and they will be recognized as duplicates.`,
        ),
        stamp,
      );
      failed++;
      continue;
    }
    requeued += await requeueMissing(u);
  }
  if (replanned + requeued + failed > 0)
    logger.warn('stuck uploads picked up', { replanned, requeued, failed });
  return { replanned, requeued, failed };
};

const NEVER_ARRIVED = fileFinding(
  'FILE011',
  'No file arrived for this upload after its URL was issued. Ask for a new upload URL.',
);
