import { correctedDose, doseList, eventId, targetSite } from '#doses/api-input.ts';
import { deleteDose, updateDose } from '#doses/change.ts';
import { changeAnswer } from '#doses/change-answer.ts';
import { doseView, etag } from '#doses/dose-view.ts';
import { DOSE_ENDPOINTS } from '#doses/endpoints.ts';
import { readDose } from '#doses/read.ts';
import { digestSource, keepRejections, rejectionOf } from '#doses/rejections-log.ts';
import { submitDoses } from '#doses/submit.ts';
import { contentHash } from '#platform/content-hash.ts';
import { httpHandler, route } from '#platform/http/handler.ts';
import { type ApiEvent, caller, ifMatchCondition, jsonBody, requireSite } from '#platform/http/request.ts';
import { HttpError, json, type Result } from '#platform/http/response.ts';
import { logger } from '#platform/logger.ts';

async function submit(event: ApiEvent): Promise<Result> {
  const site = requireSite(caller(event));
  const received = new Date();
  const outcome = await submitDoses(doseList(jsonBody(event)), site, received);
  if (!outcome.ok)
    throw new HttpError(
      403,
      'AUTH004',
      'iis_id',
      `Your key may submit for ${site.iis_id} and the sites that name it as their sending facility, not for ${outcome.forbidden}.`,
    );
  const counts = { accepted: 0, rejected: 0, duplicate: 0 };
  for (const r of outcome.results) counts[r.status]++;
  logger.info('doses submitted', { iis_id: site.iis_id, ...counts });
  // A client's retry of the request has a new request id: the source is the dose's place and content, so a retry
  // counts once.
  const rejections = outcome.results.flatMap((r, i) => {
    const dose = outcome.doses[i]!;
    if (r.status !== 'rejected') return [];
    const iisId = dose.iis_id ?? site.iis_id;
    return [
      rejectionOf({
        iis_id: iisId,
        sender: site.iis_id,
        received,
        admin_date: dose.admin_date,
        action: 'A',
        findings: r.issues,
        source: digestSource('api', [site.iis_id, 'A', iisId, String(i), contentHash(dose)]),
      }),
    ];
  });
  await keepRejections(rejections, 'api');
  return json(200, { results: outcome.results });
}

async function read(event: ApiEvent): Promise<Result> {
  const site = requireSite(caller(event));
  const iisId = targetSite(event, site.iis_id);
  const id = eventId(event);
  const found = await readDose(site, iisId, id);
  // Another site's dose is indistinguishable from one that does not exist.
  if (!found) throw new HttpError(404, 'DOSE404', 'vax_event_id', `No dose ${id} is stored for ${iisId}.`);
  return json(200, doseView(found.head, found.site), { etag: etag(found.head.version) });
}

async function update(event: ApiEvent): Promise<Result> {
  const site = requireSite(caller(event));
  const id = eventId(event);
  const ifMatch = ifMatchCondition(event);
  const body = correctedDose(jsonBody(event));
  const req = {
    caller: site,
    iis_id: targetSite(event, site.iis_id),
    vax_event_id: id,
    ifMatch,
    now: new Date(),
  };
  const out = await updateDose(req, body);
  logger.info('dose update', { iis_id: req.iis_id, outcome: out.kind });
  if (out.kind === 'rejected')
    await keepRejections(
      [
        rejectionOf({
          iis_id: req.iis_id,
          sender: site.iis_id,
          received: req.now,
          admin_date: body.admin_date,
          action: 'U',
          findings: out.issues,
          source: digestSource('api', [site.iis_id, 'U', req.iis_id, id, JSON.stringify(body)]),
        }),
      ],
      'api',
    );
  return changeAnswer(out, id);
}

async function remove(event: ApiEvent): Promise<Result> {
  const site = requireSite(caller(event));
  const id = eventId(event);
  const iisId = targetSite(event, site.iis_id);
  const req = {
    caller: site,
    iis_id: iisId,
    vax_event_id: id,
    ifMatch: ifMatchCondition(event),
    now: new Date(),
  };
  const out = await deleteDose(req);
  logger.info('dose delete', { iis_id: req.iis_id, outcome: out.kind });
  return changeAnswer(out, id);
}

export const handler = httpHandler(
  route(DOSE_ENDPOINTS, {
    'POST /v1/doses': submit,
    'GET /v1/doses/{vax_event_id}': read,
    'PUT /v1/doses/{vax_event_id}': update,
    'DELETE /v1/doses/{vax_event_id}': remove,
  }),
);
