import { type ApiEvent, caller, requireSite } from '#platform/http/request.ts';
import { HttpError, json, type Result } from '#platform/http/response.ts';
import { resolveSites } from '#sites/access.ts';
import { uploadsOfSite } from './uploads-store.ts';

const DEFAULT_LIMIT = 25;
const MAX_LIMIT = 100;
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;

/**
 * GET /v1/uploads: a site's uploads, newest first, with their progress and counts (no rows, no findings: those
 * are in each upload and its results file). `iis_id` names a client site of a sending facility; `before` is the
 * `created_at` of the last upload shown, for the next page.
 */
export async function listUploads(event: ApiEvent): Promise<Result> {
  const site = requireSite(caller(event));
  const q = event.queryStringParameters ?? {};
  const iisId = (q.iis_id ?? site.iis_id).toUpperCase();
  const limit = q.limit === undefined ? DEFAULT_LIMIT : Number(q.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT)
    throw new HttpError(400, 'REQ008', 'limit', `limit must be a whole number from 1 to ${MAX_LIMIT}.`);
  if (q.before !== undefined && !INSTANT.test(q.before))
    throw new HttpError(
      400,
      'REQ008',
      'before',
      'before must be an upload’s created_at (e.g. 2021-03-10T17:02:03.456Z).',
    );
  const access = await resolveSites(site, [iisId]);
  if (!access.ok)
    throw new HttpError(
      403,
      'AUTH004',
      'iis_id',
      `Your sign-in may list the uploads of ${site.iis_id} and its client sites, not of ${iisId}.`,
    );
  const uploads = await uploadsOfSite(iisId, limit, q.before);
  return json(200, {
    iis_id: iisId,
    uploads: uploads.map((u) => ({
      upload_id: u.upload_id,
      name: u.name,
      status: u.status,
      created_at: u.created_at,
      updated_at: u.updated_at,
      rows_total: u.rows_total ?? null,
      rows_processed: u.status === 'completed' ? (u.rows_total ?? u.rows_done ?? 0) : (u.rows_done ?? 0),
      duplicate_of: u.duplicate_of ?? null,
      counts: countsOf(u.summary),
    })),
    // A full page may have more behind it.
    next_before: uploads.length === limit ? uploads.at(-1)!.created_at : null,
  });
}

function countsOf(summary: Record<string, unknown> | undefined) {
  if (!summary) return null;
  const n = (k: string) => (typeof summary[k] === 'number' ? (summary[k] as number) : 0);
  return {
    accepted: n('accepted'),
    rejected: n('rejected'),
    duplicates: n('duplicates'),
    warnings: n('warnings'),
  };
}
