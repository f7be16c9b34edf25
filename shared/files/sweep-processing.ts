import { logger } from '#platform/logger.ts';
import { failUpload } from './fail-upload.ts';
import { listFailures, reportFailure } from './failures.ts';
import { fileFinding } from './format.ts';
import { requeueMissing } from './requeue.ts';
import type { SweepClock, SweepCounts } from './sweep-clock.ts';
import { lastFailure, summarize } from './sweep-notes.ts';
import { countSweep, type Upload } from './uploads-store.ts';

/** Sweeps without progress after which an upload is failed rather than retried forever (about an hour). */
const MAX_SWEEPS = 4;

/**
 * An upload still `processing` with no part finished lately: its unfinished chunks (or its assembly) are queued
 * again, and after MAX_SWEEPS sweeps it fails with FILE012, saying what last failed.
 */
export async function sweepProcessing(u: Upload, clock: SweepClock, counts: SweepCounts): Promise<void> {
  const sweeps = await countSweep(u.upload_id, clock.stamp);
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
      clock.stamp,
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
    counts.failed++;
    return;
  }
  const queued = await requeueMissing(u);
  counts.requeued += queued.length;
  const parts = queued.filter((t) => t.type === 'chunk').map((t) => t.chunk + 1);
  await reportFailure(
    u.upload_id,
    {
      code: 'FILE_STUCK',
      stage: 'requeue',
      warning: true,
      message: `No part finished for ${clock.idle} (${u.chunks_done ?? 0} of ${u.chunks_total ?? 0} done): ${
        parts.length > 0
          ? `part${parts.length === 1 ? '' : 's'} ${summarize(parts)} queued again`
          : 'the results assembly queued again'
      } (sweep ${sweeps} of ${MAX_SWEEPS} before the upload is failed).${lastFailure(failures, ' Last failure: ')}`,
    },
    clock.now,
  );
}
