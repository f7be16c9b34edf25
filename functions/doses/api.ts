import { type ChangeOutcome, deleteDose, updateDose } from '#doses/change.ts';
import { DoseBatch } from '#doses/schema.ts';
import { type DoseVersion, getHead } from '#doses/store.ts';
import { submitDoses } from '#doses/submit.ts';
import { localDate } from '#platform/dates.ts';
import { httpHandler, route } from '#platform/http/handler.ts';
import { checkIdentifier } from '#platform/http/identifiers.ts';
import { type ApiEvent, caller, ifMatchCondition, jsonBody, requireSite } from '#platform/http/request.ts';
import { HttpError, json, type Result } from '#platform/http/response.ts';
import { logger } from '#platform/logger.ts';
import { registryFor } from '#registry/routing.ts';
import { resolveSites } from '#sites/access.ts';
import type { Site } from '#sites/site.ts';

/** One dose object, or `{"doses": [...]}`. */
function doseList(body: unknown): Record<string, unknown>[] {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new HttpError(
      400,
      'REQ005',
      'body',
      'Send one dose as a JSON object, or several as {"doses": [ … ]}.',
    );
  if (!('doses' in body)) return [body as Record<string, unknown>];
  const parsed = DoseBatch.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.length ? issue.path.join('.') : 'doses';
    const detail =
      issue.code === 'too_big'
        ? `at most ${issue.maximum} doses per request; split the batch`
        : issue.code === 'too_small'
          ? 'the list is empty'
          : 'each entry of "doses" must be a dose object';
    throw new HttpError(
      issue.code === 'too_big' ? 413 : 400,
      'REQ005',
      where,
      `Invalid ${where}: ${detail}.`,
    );
  }
  return parsed.data.doses;
}

async function submit(event: ApiEvent): Promise<Result> {
  const site = requireSite(caller(event));
  const doses = doseList(jsonBody(event));
  const outcome = await submitDoses(doses, site, new Date());
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
  return json(200, { results: outcome.results });
}

/** The dose's site: the caller's own, or a client site a sending facility names with ?iis_id=. */
function targetSite(event: ApiEvent, own: string): string {
  return checkIdentifier('iis_id', event.queryStringParameters?.iis_id ?? own).toUpperCase();
}

function eventId(event: ApiEvent): string {
  const id = event.pathParameters?.vax_event_id;
  if (!id)
    throw new HttpError(
      400,
      'REQ007',
      'vax_event_id',
      'The URL must name the dose: /v1/doses/{vax_event_id}.',
    );
  // API Gateway hands path parameters over already decoded. Checked before any read or write (issue 18, item 2).
  return checkIdentifier('vax_event_id', id.trim());
}

const etag = (v: number) => `"${v}"`;

function view(v: DoseVersion, site?: Site) {
  return {
    vax_event_id: v.vax_event_id,
    iis_id: v.iis_id,
    version: v.version,
    action: v.action,
    deleted: v.action === 'D',
    stored_at: v.stored_at,
    dose: v.dose,
    issues: v.findings,
    reports: {
      registry: {
        registry:
          v.registry_outcome?.registry ??
          v.registry ??
          registryFor(site?.admin_address_county, localDate(new Date())),
        status: v.registry_status ?? 'pending',
        // The registry's findings in words a site can act on; the raw ACK stays in storage.
        ...(v.registry_outcome
          ? {
              sent_as: v.registry_outcome.sentAs,
              answered_at: v.registry_outcome.at,
              issues: v.registry_outcome.findings,
            }
          : {}),
      },
      cdc: { status: v.cdc_status ?? 'pending' },
    },
  };
}

async function read(event: ApiEvent): Promise<Result> {
  const site = requireSite(caller(event));
  const iisId = targetSite(event, site.iis_id);
  const id = eventId(event);
  const access = await resolveSites(site, [iisId]);
  const head = access.ok ? await getHead(iisId, id) : undefined;
  // Another site's dose is indistinguishable from one that does not exist.
  if (!head || !access.ok)
    throw new HttpError(404, 'DOSE404', 'vax_event_id', `No dose ${id} is stored for ${iisId}.`);
  return json(200, view(head, access.sites.get(iisId)), { etag: etag(head.version) });
}

function changeAnswer(out: ChangeOutcome, id: string): Result {
  switch (out.kind) {
    case 'changed':
      return json(
        200,
        { ...view(out.version), status: out.version.action === 'D' ? 'deleted' : 'accepted' },
        {
          etag: etag(out.version.version),
        },
      );
    case 'unchanged':
      return json(200, { ...view(out.version), status: 'duplicate' }, { etag: etag(out.version.version) });
    case 'rejected':
      return json(422, {
        message: `The update of ${id} was rejected: fix the errors listed.`,
        status: 'rejected',
        issues: out.issues,
      });
    case 'not-found':
    case 'forbidden':
      throw new HttpError(404, 'DOSE404', 'vax_event_id', `No dose ${id} is stored for this site.`);
    case 'gone':
      throw new HttpError(
        409,
        'DOSE410',
        'vax_event_id',
        `Dose ${id} was deleted (version ${out.version}); report a new event with a new vax_event_id.`,
      );
    case 'precondition-failed':
      throw new HttpError(
        412,
        'REQ412',
        'if-match',
        `Dose ${id} was changed since you read it${out.current ? ` (now version ${out.current})` : ''}. GET it again and re-apply your change.`,
      );
  }
}

async function update(event: ApiEvent): Promise<Result> {
  const site = requireSite(caller(event));
  const id = eventId(event);
  const ifMatch = ifMatchCondition(event);
  const body = jsonBody(event);
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new HttpError(400, 'REQ005', 'body', 'Send the whole corrected dose as one JSON object.');
  const req = {
    caller: site,
    iis_id: targetSite(event, site.iis_id),
    vax_event_id: id,
    ifMatch,
    now: new Date(),
  };
  const out = await updateDose(req, body as Record<string, unknown>);
  logger.info('dose update', { iis_id: req.iis_id, outcome: out.kind });
  return changeAnswer(out, id);
}

async function remove(event: ApiEvent): Promise<Result> {
  const site = requireSite(caller(event));
  const id = eventId(event);
  const req = {
    caller: site,
    iis_id: targetSite(event, site.iis_id),
    vax_event_id: id,
    ifMatch: ifMatchCondition(event),
    now: new Date(),
  };
  const out = await deleteDose(req);
  logger.info('dose delete', { iis_id: req.iis_id, outcome: out.kind });
  return changeAnswer(out, id);
}

export const handler = httpHandler(
  route({
    'POST /v1/doses': submit,
    'GET /v1/doses/{vax_event_id}': read,
    'PUT /v1/doses/{vax_event_id}': update,
    'DELETE /v1/doses/{vax_event_id}': remove,
  }),
);
