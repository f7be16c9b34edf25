import * as z from 'zod/mini';
import { listFailures } from '#files/failures.ts';
import { newUploadId, safeName } from '#files/keys.ts';
import { incomingKey, presignGet, presignPut } from '#files/storage.ts';
import { createUpload, getUpload, type Upload } from '#files/uploads-store.ts';
import { httpHandler, route } from '#platform/http/handler.ts';
import { checkIdentifier } from '#platform/http/identifiers.ts';
import { type ApiEvent, caller, jsonBody, requireSite } from '#platform/http/request.ts';
import { HttpError, json, type Result } from '#platform/http/response.ts';
import { logger } from '#platform/logger.ts';
import { resolveSites } from '#sites/access.ts';

/** Presigned URLs live 15 minutes: long enough to upload a 200,000-row file, short enough to leak little. */
const URL_TTL_SECONDS = 15 * 60;
const CONTENT_TYPES = ['text/csv', 'text/plain', 'text/tab-separated-values'];

export const UploadRequest = z.object({
  name: z.string().check(z.minLength(1), z.maxLength(200)),
  /** A sending facility names the client site the file is for. */
  iis_id: z.optional(z.string().check(z.maxLength(20))),
  content_type: z.optional(z.enum(CONTENT_TYPES as [string, ...string[]])),
});

/**
 * POST /v1/uploads: a presigned PUT URL for one file under the site's own incoming/ prefix (a sending
 * facility may name a client site). Only keys under a prefix the caller may write are ever signed: that is the
 * access control, since the bucket itself cannot tell sites apart.
 */
async function start(event: ApiEvent): Promise<Result> {
  const site = requireSite(caller(event));
  const parsed = UploadRequest.safeParse(jsonBody(event));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = String(issue.path[0] ?? 'body');
    throw new HttpError(
      400,
      'REQ005',
      field,
      `${field} is not valid: give the file's name, e.g. {"name": "clinic-2021-03-10.csv"}.`,
    );
  }
  const name = safeName(parsed.data.name);
  if (!name)
    throw new HttpError(
      400,
      'REQ005',
      'name',
      'The name must be a plain file name (no folders, no control characters).',
    );
  const iisId = (parsed.data.iis_id ?? site.iis_id).toUpperCase();
  const access = await resolveSites(site, [iisId]);
  if (!access.ok)
    throw new HttpError(
      403,
      'AUTH004',
      'iis_id',
      `Your key may upload for ${site.iis_id} and its client sites, not for ${iisId}.`,
    );
  const now = new Date();
  const uploadId = newUploadId();
  const key = incomingKey(iisId, uploadId, name);
  const contentType = parsed.data.content_type ?? 'text/csv';
  await createUpload({
    upload_id: uploadId,
    iis_id: iisId,
    key,
    name,
    status: 'received',
    created_at: now.toISOString(),
    updated_at: now.toISOString(),
    created_by: site.iis_id,
  });
  const url = await presignPut(key, contentType, URL_TTL_SECONDS);
  logger.info('upload url issued', { iis_id: iisId, upload_id: uploadId });
  return json(201, {
    upload_id: uploadId,
    method: 'PUT',
    url,
    headers: { 'content-type': contentType },
    expires_at: new Date(now.getTime() + URL_TTL_SECONDS * 1000).toISOString(),
  });
}

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
 * what failed on the way, if anything (shared/files/failures.ts), with no row content.
 */
async function progress(event: ApiEvent): Promise<Result> {
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

export const handler = httpHandler(
  route({
    'POST /v1/uploads': start,
    'GET /v1/uploads/{upload_id}': progress,
  }),
);
