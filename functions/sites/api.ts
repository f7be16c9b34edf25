import { localDate } from '#platform/dates.ts';
import { httpHandler, route } from '#platform/http/handler.ts';
import { checkIdentifier } from '#platform/http/identifiers.ts';
import { type ApiEvent, caller, jsonBody, requireAdmin } from '#platform/http/request.ts';
import { HttpError, json } from '#platform/http/response.ts';
import { logger } from '#platform/logger.ts';
import { registryFor } from '#registry/routing.ts';
import { issueKey } from '#sites/keys.ts';
import { validateSiteInput } from '#sites/site.ts';
import { addKey, createSite, getSite, revokeKeys } from '#sites/store.ts';

/** Site enrollment and key management: admin only. */
async function enroll(event: ApiEvent) {
  requireAdmin(caller(event));
  const now = new Date();
  const { site, findings } = validateSiteInput(jsonBody(event), now);
  if (site?.sending_facility_iis_id && !(await getSite(site.sending_facility_iis_id)))
    findings.push({
      code: 'SITE003',
      severity: 'error',
      field: 'sending_facility_iis_id',
      message: `Sending facility ${site.sending_facility_iis_id} is not enrolled. Enroll the HIE or vendor first, then this site.`,
    });
  if (!site || findings.some((f) => f.severity === 'error'))
    return json(400, { message: 'The site was not enrolled: fix the issues listed.', issues: findings });
  const res = await createSite(site);
  if (!res.created)
    return json(409, {
      message: `${site.iis_id} is already enrolled: keep using your existing Org Code.`,
      issues: [
        {
          code: 'SITE001',
          severity: 'error',
          field: 'iis_id',
          message: `${site.iis_id} is already enrolled: keep using your existing Org Code. To get a new key, rotate it.`,
        },
      ],
    });
  const key = issueKey();
  await addKey(
    { keyId: key.keyId, iis_id: site.iis_id, hash: key.hash, status: 'active' },
    now.toISOString(),
  );
  logger.info('site enrolled', { iis_id: site.iis_id });
  return json(201, {
    iis_id: site.iis_id,
    api_key: key.apiKey,
    registry: registryFor(site.admin_address_county, localDate(now)),
    issues: findings,
  });
}

function pathSite(event: ApiEvent): string {
  return checkIdentifier('iis_id', event.pathParameters?.iis_id ?? '').toUpperCase();
}

async function show(event: ApiEvent) {
  requireAdmin(caller(event));
  const site = await getSite(pathSite(event));
  if (!site) throw new HttpError(404, 'SITE404', 'iis_id', `No site ${pathSite(event)} is enrolled.`);
  return json(200, { ...site, registry: registryFor(site.admin_address_county, localDate(new Date())) });
}

/** Issues a new key and revokes the others: the new key is shown once, here. */
async function rotate(event: ApiEvent) {
  requireAdmin(caller(event));
  const iisId = pathSite(event);
  if (!(await getSite(iisId))) throw new HttpError(404, 'SITE404', 'iis_id', `No site ${iisId} is enrolled.`);
  const now = new Date().toISOString();
  const key = issueKey();
  await addKey({ keyId: key.keyId, iis_id: iisId, hash: key.hash, status: 'active' }, now);
  const revoked = await revokeKeys(iisId, now, key.keyId);
  logger.info('site key rotated', { iis_id: iisId, revoked });
  return json(201, { iis_id: iisId, api_key: key.apiKey, revoked });
}

async function revoke(event: ApiEvent) {
  requireAdmin(caller(event));
  const iisId = pathSite(event);
  if (!(await getSite(iisId))) throw new HttpError(404, 'SITE404', 'iis_id', `No site ${iisId} is enrolled.`);
  const revoked = await revokeKeys(iisId, new Date().toISOString());
  logger.info('site keys revoked', { iis_id: iisId, revoked });
  return json(200, { iis_id: iisId, revoked });
}

export const handler = httpHandler(
  route({
    'POST /v1/sites': enroll,
    'GET /v1/sites/{iis_id}': show,
    'POST /v1/sites/{iis_id}/keys': rotate,
    'DELETE /v1/sites/{iis_id}/keys': revoke,
  }),
);
