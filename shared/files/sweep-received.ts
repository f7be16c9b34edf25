import { dropNotification } from './drop-notification.ts';
import { failUpload } from './fail-upload.ts';
import { listFailures, reportFailure } from './failures.ts';
import { fileFinding } from './format.ts';
import { sendAll } from './messages.ts';
import { headObject } from './storage.ts';
import type { SweepClock, SweepCounts } from './sweep-clock.ts';
import { lastFailure } from './sweep-notes.ts';
import { countSweep, type Upload } from './uploads-store.ts';

const NEVER_ARRIVED = fileFinding(
  'FILE011',
  'No file arrived for this upload after its URL was issued. Ask for a new upload URL.',
);

/**
 * An upload still `received`: its file arrived (the planner never ran or died), so it is notified again as S3
 * would; or no file came, and after the never-arrived wait it fails with FILE011.
 */
export async function sweepReceived(u: Upload, clock: SweepClock, counts: SweepCounts): Promise<void> {
  if (!(await headObject(u.key, u.version_id))) {
    if (u.created_at <= clock.neverBefore && (await failUpload(u, ['received'], NEVER_ARRIVED, clock.stamp)))
      counts.failed++;
    return;
  }
  const sweeps = await countSweep(u.upload_id, clock.stamp);
  await sendAll('ingestFiles', [dropNotification({ key: u.key, versionId: u.version_id, eTag: u.etag })]);
  counts.replanned++;
  await reportFailure(
    u.upload_id,
    {
      code: 'FILE_STUCK',
      stage: 'replan',
      warning: true,
      message: `The file arrived but was not planned after ${clock.idle}: it was handed to the planner again (sweep ${sweeps}).${lastFailure(await listFailures(u.upload_id), ' Last failure: ')}`,
    },
    clock.now,
  );
}
