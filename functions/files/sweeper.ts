import { failUpload } from '#files/fail-upload.ts';
import { failureMessage, listFailures, reportFailure, type UploadFailure } from '#files/failures.ts';
import { fileFinding } from '#files/format.ts';
import { sendAll } from '#files/messages.ts';
import { requeueMissing } from '#files/requeue.ts';
import { headObject } from '#files/storage.ts';
import { countSweep, type Upload, uploadsByStatus } from '#files/uploads-store.ts';
import { logger } from '#platform/logger.ts';

/** Upload URLs live 15 minutes; a slow upload may still be arriving well after that. */
const NEVER_ARRIVED_AFTER_SECONDS = 3600;
/** Sweeps without progress after which an upload is failed rather than retried forever (about an hour). */
const MAX_SWEEPS = 4;

/**
 * Picks up uploads that stopped moving: still `received` (the planner never ran or died) are notified again,
 * or failed when their file never came; `processing` ones get their unfinished chunks queued again, or their
 * assembly, and after MAX_SWEEPS sweeps without a chunk finishing they fail with a clear finding that says
 * what last failed (a chunk that fails every time lands in the DLQ, where operators see it). Each sweep touches
 * what it picks up, so the next one does not queue the same work while it is still in the queue.
 *
 * Each pick-up is logged and recorded on the upload (FILE_STUCK, stage replan or requeue; GET /v1/uploads/{id}
 * shows it); an upload the sweep cannot handle is logged and recorded (FILE_STUCK, stage sweep) and the others
 * are still swept.
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
  const idle = `${Math.round(stuckAfter / 60)} minute${Math.round(stuckAfter / 60) === 1 ? '' : 's'}`;
  let replanned = 0;
  let requeued = 0;
  let failed = 0;
  let errors = 0;
  const sweepFailed = async (u: Upload, err: unknown) => {
    errors++;
    await reportFailure(
      u.upload_id,
      { code: 'FILE_STUCK', stage: 'sweep', error: err, message: failureMessage('FILE_STUCK', 'sweep', err) },
      now,
    );
  };
  for (const u of await uploadsByStatus('received', before)) {
    try {
      if (!(await headObject(u.key, u.version_id))) {
        if (u.created_at <= neverBefore && (await failUpload(u, ['received'], NEVER_ARRIVED, stamp)))
          failed++;
        continue;
      }
      const sweeps = await countSweep(u.upload_id, stamp);
      const key = encodeURIComponent(u.key).replaceAll('%2F', '/').replaceAll('%20', '+');
      await sendAll('ingestFiles', [
        {
          Records: [
            {
              eventName: 'ObjectCreated:Put',
              s3: { object: { key, versionId: u.version_id, eTag: u.etag } },
            },
          ],
        },
      ]);
      replanned++;
      await reportFailure(
        u.upload_id,
        {
          code: 'FILE_STUCK',
          stage: 'replan',
          warning: true,
          message: `The file arrived but was not planned after ${idle}: it was handed to the planner again (sweep ${sweeps}).${lastFailure(await listFailures(u.upload_id), ' Last failure: ')}`,
        },
        now,
      );
    } catch (err) {
      await sweepFailed(u, err);
    }
  }
  for (const u of await uploadsByStatus('processing', before)) {
    try {
      const sweeps = await countSweep(u.upload_id, stamp);
      const failures = await listFailures(u.upload_id);
      if (sweeps > MAX_SWEEPS) {
        const last = lastFailure(failures, ' Last failure: ');
        await failUpload(
          u,
          ['processing'],
          fileFinding(
            'FILE012',
            `Processing of this file stopped after repeated failures (${u.chunks_done ?? 0} of ${u.chunks_total ?? 0} parts done).${last} Doses already stored stay stored: send the file again and they will be recognized as duplicates.`,
          ),
          stamp,
        );
        const open = failures.filter((f) => !f.resolved_at && f.code !== 'FILE_STUCK').at(-1);
        logger.error('upload given up', {
          code: 'FILE012',
          upload_id: u.upload_id,
          chunks_done: u.chunks_done ?? 0,
          chunks_total: u.chunks_total ?? 0,
          ...(open
            ? { last_code: open.code, last_stage: open.stage, last_chunk: open.chunk, last_error: open.error }
            : {}),
        });
        failed++;
        continue;
      }
      const queued = await requeueMissing(u);
      requeued += queued.length;
      const parts = queued.filter((t) => t.type === 'chunk').map((t) => t.chunk + 1);
      await reportFailure(
        u.upload_id,
        {
          code: 'FILE_STUCK',
          stage: 'requeue',
          warning: true,
          message: `No part finished for ${idle} (${u.chunks_done ?? 0} of ${u.chunks_total ?? 0} done): ${
            parts.length > 0
              ? `part${parts.length === 1 ? '' : 's'} ${summarize(parts)} queued again`
              : 'the results assembly queued again'
          } (sweep ${sweeps} of ${MAX_SWEEPS} before the upload is failed).${lastFailure(failures, ' Last failure: ')}`,
        },
        now,
      );
    } catch (err) {
      await sweepFailed(u, err);
    }
  }
  if (replanned + requeued + failed + errors > 0)
    logger.warn('stuck uploads picked up', { replanned, requeued, failed, errors });
  return { replanned, requeued, failed, errors };
};

/** The latest failure not resolved since, other than the sweeper's own notes, as a sentence (or nothing). */
function lastFailure(failures: UploadFailure[], lead: string): string {
  const open = failures
    .filter((f) => !f.resolved_at && f.code !== 'FILE_STUCK')
    .sort((a, b) => a.at.localeCompare(b.at))
    .at(-1);
  if (!open) return '';
  return `${lead}${open.code} at ${open.stage}${open.chunk === null ? '' : `, part ${open.chunk + 1}`} (${open.error ?? 'no error'}), ${open.attempts} time${open.attempts === 1 ? '' : 's'}.`;
}

/** 1, 2, 3, 7 → "1–3, 7"; long lists end in "…". */
function summarize(parts: number[]): string {
  const ranges: string[] = [];
  for (let i = 0; i < parts.length; ) {
    let j = i;
    while (j + 1 < parts.length && parts[j + 1] === parts[j]! + 1) j++;
    ranges.push(i === j ? String(parts[i]) : `${parts[i]}–${parts[j]}`);
    i = j + 1;
  }
  return ranges.length > 10 ? `${ranges.slice(0, 10).join(', ')}, …` : ranges.join(', ');
}

const NEVER_ARRIVED = fileFinding(
  'FILE011',
  'No file arrived for this upload after its URL was issued. Ask for a new upload URL.',
);
