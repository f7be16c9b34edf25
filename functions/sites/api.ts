import { httpHandler, route } from '#platform/http/handler.ts';
import { checkIdentifier } from '#platform/http/identifiers.ts';
import { type ApiEvent, caller, jsonBody, requireAdmin } from '#platform/http/request.ts';
import { HttpError, json } from '#platform/http/response.ts';
import { logger } from '#platform/logger.ts';
import { registryFor } from '#registry/routing.ts';
import { SITE_ENDPOINTS } from '#sites/endpoints.ts';
import { enrollSite } from '#sites/enroll.ts';
import { rotateKeys } from '#sites/key-management.ts';
import type { Site } from '#sites/site.ts';
import { getSite, revokeKeys } from '#sites/store.ts';

/** Site enrollment and key management: admin only. */
async function enroll(event: ApiEvent) {
  requireAdmin(caller(event));
  const now = new Date();
  const out = await enrollSite(jsonBody(event), now);
  if (out.kind === 'invalid')
    throw HttpError.withFindings(400, 'The site was not enrolled: fix the issues listed.', out.findings);
  if (out.kind === 'already-enrolled')
    throw HttpError.withFindings(
      409,
      `${out.iis_id} is already enrolled: keep using your existing Org Code.`,
      [
        {
          code: 'SITE001',
          severity: 'error',
          field: 'iis_id',
          message: `${out.iis_id} is already enrolled: keep using your existing Org Code. To get a new key, rotate it.`,
        },
      ],
    );
  const { site, apiKey, findings } = out;
  logger.info('site enrolled', { iis_id: site.iis_id });
  const registry = registryFor(site.admin_address_county, now);
  return json(201, { iis_id: site.iis_id, api_key: apiKey, registry, issues: findings });
}

/** The site the path names, which must be enrolled. */
async function pathSite(event: ApiEvent): Promise<{ iisId: string; site: Site }> {
  const iisId = checkIdentifier('iis_id', event.pathParameters?.iis_id ?? '').toUpperCase();
  const site = await getSite(iisId);
  if (!site) throw new HttpError(404, 'SITE404', 'iis_id', `No site ${iisId} is enrolled.`);
  return { iisId, site };
}

async function show(event: ApiEvent) {
  requireAdmin(caller(event));
  const { site } = await pathSite(event);
  return json(200, { ...site, registry: registryFor(site.admin_address_county, new Date()) });
}

/** Issues a new key and revokes the others: the new key is shown once, here. */
async function rotate(event: ApiEvent) {
  requireAdmin(caller(event));
  const { iisId } = await pathSite(event);
  const { apiKey, revoked } = await rotateKeys(iisId, new Date().toISOString());
  logger.info('site key rotated', { iis_id: iisId, revoked });
  return json(201, { iis_id: iisId, api_key: apiKey, revoked });
}

async function revoke(event: ApiEvent) {
  requireAdmin(caller(event));
  const { iisId } = await pathSite(event);
  const revoked = await revokeKeys(iisId, new Date().toISOString());
  logger.info('site keys revoked', { iis_id: iisId, revoked });
  return json(200, { iis_id: iisId, revoked });
}

export const handler = httpHandler(
  route(SITE_ENDPOINTS, {
    'POST /v1/sites': enroll,
    'GET /v1/sites/{iis_id}': show,
    'POST /v1/sites/{iis_id}/keys': rotate,
    'DELETE /v1/sites/{iis_id}/keys': revoke,
  }),
);
