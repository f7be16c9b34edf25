import { checkIdentifier } from '#platform/http/identifiers.ts';
import { type ApiEvent, caller, requireSite } from '#platform/http/request.ts';
import { HttpError, json, type Result } from '#platform/http/response.ts';
import { resolveSites } from '#sites/access.ts';
import { listFailures } from './failures.ts';
import { presignGet } from './storage.ts';
import { URL_TTL_SECONDS } from './upload-start.ts';
import { getUpload, type Upload } from './uploads-store.ts';

async function view(u: Upload) {
  const done = u.status === 'completed' || u.status === 'failed';
  return {
    upload_id: u.upload_id,
    iis_id: u.iis_id,
    name: u.name,
    status: u.status,
    created_at: u.created_at,
    updated_at: u.updated_at,
    rows_total: u.rows_total ?? null,
    rows_processed: u.status === 'completed' ? (u.rows_total ?? u.rows_done ?? 0) : (u.rows_done ?? 0),
    duplicate_of: u.duplicate_of ?? null,
    file_findings: u.file_findings ?? [],
    // Why it stopped or was retried, if it ever did: code, stage, part, when, how often and what happened.
    failures: await listFailures(u.upload_id),
    summary: done ? (u.summary ?? null) : null,
    results_url:
      done && u.results_key ? await presignGet(u.results_key, URL_TTL_SECONDS, u.results_version) : null,
    summary_url:
      done && u.summary_key ? await presignGet(u.summary_key, URL_TTL_SECONDS, u.summary_version) : null,
  };
}

/**
 * GET /v1/uploads/{upload_id}: progress, and when done the summary and a link to the results; `failures` says
 * what failed on the way, if anything (failures.ts), with no row content.
 */
export async function uploadProgress(event: ApiEvent): Promise<Result> {
  const site = requireSite(caller(event));
  const id = checkIdentifier('upload_id', event.pathParameters?.upload_id ?? '');
  const u = await getUpload(id);
  const access = u ? await resolveSites(site, [u.iis_id]) : undefined;
  if (!u || !access?.ok) throw new HttpError(404, 'UPLOAD404', 'upload_id', `No upload ${id} for this site.`);
  // A repeat of an earlier file answers with that file's outcome while it is still being processed.
  const earlier = u.duplicate_of && !u.summary ? await getUpload(u.duplicate_of) : undefined;
  const body = await view(u);
  return json(200, earlier ? { ...body, earlier: await view(earlier) } : body);
}
