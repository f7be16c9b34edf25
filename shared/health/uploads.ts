import { type Upload, uploadsByStatus } from '#files/uploads-store.ts';

/** An upload not moved for this long while received or processing is stuck (the sweeper's own cut-off). */
export const STUCK_AFTER_MS = 15 * 60_000;
const LISTED = 20;

const brief = (u: Upload) => ({
  upload_id: u.upload_id,
  iis_id: u.iis_id,
  name: u.name,
  status: u.status,
  created_at: u.created_at,
  updated_at: u.updated_at,
});

/** Uploads stuck (oldest first) and failed (newest first): ids, sites and names only, never rows. */
export async function uploadsHealth(now: Date) {
  const before = new Date(now.getTime() - STUCK_AFTER_MS).toISOString();
  const [received, processing, failed] = await Promise.all([
    uploadsByStatus('received', before, LISTED),
    uploadsByStatus('processing', before, LISTED),
    uploadsByStatus('failed', undefined, LISTED, true),
  ]);
  return {
    stuck_after_minutes: STUCK_AFTER_MS / 60_000,
    stuck: [...received, ...processing].sort((a, b) => a.updated_at.localeCompare(b.updated_at)).map(brief),
    failed: failed.map(brief),
  };
}
