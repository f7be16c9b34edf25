import { correctedDose, doseList, eventId, notYours, targetSite } from '#doses/api-input.ts';
import { deleteDose, updateDose } from '#doses/change.ts';
import { changeAnswer } from '#doses/change-answer.ts';
import { doseView, etag } from '#doses/dose-view.ts';
import { DOSE_ENDPOINTS } from '#doses/endpoints.ts';
import { readDose } from '#doses/read.ts';
import { keepApiRejection, keepApiRejections } from '#doses/rejections-log.ts';
import { submitDoses } from '#doses/submit.ts';
import { httpHandler, route } from '#platform/http/handler.ts';
import { type ApiEvent, caller, ifMatchCondition, jsonBody, requireSite } from '#platform/http/request.ts';
import { HttpError, json, type Result } from '#platform/http/response.ts';
import { logger } from '#platform/logger.ts';

async function submit(event: ApiEvent): Promise<Result> {
  const site = requireSite(caller(event));
  const received = new Date();
  const outcome = await submitDoses(doseList(jsonBody(event)), site, received);
  if (!outcome.ok) throw notYours(site.iis_id, outcome.forbidden);
  const counts = { accepted: 0, rejected: 0, duplicate: 0 };
  for (const r of outcome.results) counts[r.status]++;
  logger.info('doses submitted', { iis_id: site.iis_id, ...counts });
  await keepApiRejections(outcome, site.iis_id, received);
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
    await keepApiRejection(out.issues, { ...req, sender: site.iis_id, action: 'U', body });
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
