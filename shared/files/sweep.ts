import { logger } from '#platform/logger.ts';
import { failureMessage, reportFailure } from './failures.ts';
import { type SweepCounts, type SweepOptions, sweepClock } from './sweep-clock.ts';
import { sweepProcessing } from './sweep-processing.ts';
import { sweepReceived } from './sweep-received.ts';
import { type Upload, uploadsByStatus } from './uploads-store.ts';

/**
 * Picks up uploads that stopped moving: `received` ones (sweep-received.ts) and `processing` ones
 * (sweep-processing.ts) not touched for `stuckAfterSeconds`. Each sweep touches what it picks up, so the next
 * one does not queue the same work while it is still in the queue. An upload the sweep cannot handle is logged
 * and recorded (FILE_STUCK, stage sweep) and the others are still swept.
 */
export async function sweepStuckUploads(options: SweepOptions, now = new Date()): Promise<SweepCounts> {
  const clock = sweepClock(options, now);
  const counts: SweepCounts = { replanned: 0, requeued: 0, failed: 0, errors: 0 };
  const sweepFailed = async (u: Upload, err: unknown) => {
    counts.errors++;
    await reportFailure(
      u.upload_id,
      { code: 'FILE_STUCK', stage: 'sweep', error: err, message: failureMessage('FILE_STUCK', 'sweep', err) },
      now,
    );
  };
  for (const u of await uploadsByStatus('received', clock.stuckBefore)) {
    try {
      await sweepReceived(u, clock, counts);
    } catch (err) {
      await sweepFailed(u, err);
    }
  }
  for (const u of await uploadsByStatus('processing', clock.stuckBefore)) {
    try {
      await sweepProcessing(u, clock, counts);
    } catch (err) {
      await sweepFailed(u, err);
    }
  }
  if (counts.replanned + counts.requeued + counts.failed + counts.errors > 0)
    logger.warn('stuck uploads picked up', { ...counts });
  return counts;
}
