import * as z from 'zod/mini';
import { type ApiEvent, caller, jsonBody, requireSite } from '#platform/http/request.ts';
import { HttpError, json, type Result } from '#platform/http/response.ts';
import { logger } from '#platform/logger.ts';
import { actingSite, resolveSites } from '#sites/access.ts';
import { newUploadId, safeName } from './keys.ts';
import { incomingKey, presignPut } from './storage.ts';
import { createUpload } from './uploads-store.ts';

/** Presigned URLs live 15 minutes: long enough to upload a 200,000-row file, short enough to leak little. */
export const URL_TTL_SECONDS = 15 * 60;
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
export async function startUpload(event: ApiEvent): Promise<Result> {
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
    created_by: actingSite(site, access.sites.get(iisId)!),
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
