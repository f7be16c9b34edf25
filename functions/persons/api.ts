import { decideReview, merge, split } from '#persons/admin.ts';
import { personQuery } from '#persons/api-input.ts';
import { recordAnswer, searchAnswer } from '#persons/disclose.ts';
import { PERSON_ENDPOINTS } from '#persons/endpoints.ts';
import { followUpAnswer } from '#persons/follow-up-read.ts';
import { decisionsOf, disclosuresOf, openReviews } from '#persons/store.ts';
import { bucketStore } from '#platform/aws/objects.ts';
import { BUCKET_ENV } from '#platform/env-names.ts';
import { httpHandler, route } from '#platform/http/handler.ts';
import { type ApiEvent, caller, jsonBody } from '#platform/http/request.ts';
import { HttpError, json } from '#platform/http/response.ts';

const reports = bucketStore(BUCKET_ENV.reports);
const who = (e: ApiEvent) => caller(e);
const param = (e: ApiEvent, name: string) => decodeURIComponent(e.pathParameters?.[name] ?? '');
const body = (e: ApiEvent) => (jsonBody(e) ?? {}) as Record<string, unknown>;
const text = (v: unknown) => (typeof v === 'string' && v.trim() ? v.trim() : undefined);
const now = () => new Date();

export const handler = httpHandler(
  route(PERSON_ENDPOINTS, {
    'POST /v1/persons/search': async (e) =>
      json(200, await searchAnswer(personQuery(body(e), who(e)), who(e), now())),
    'GET /v1/persons/{person_id}': async (e) =>
      json(200, await recordAnswer(param(e, 'person_id'), who(e), now())),
    'GET /v1/persons/{person_id}/disclosures': async (e) =>
      json(200, {
        person_id: param(e, 'person_id'),
        disclosures: await disclosuresOf(param(e, 'person_id')),
      }),
    'GET /v1/persons/{person_id}/decisions': async (e) =>
      json(200, { person_id: param(e, 'person_id'), decisions: await decisionsOf(param(e, 'person_id')) }),
    'GET /v1/persons/reviews': async () => json(200, { reviews: await openReviews() }),
    'POST /v1/persons/{person_id}/merge': async (e) => {
      const b = body(e);
      const from = text(b.from);
      if (!from)
        throw new HttpError(400, 'REQ010', 'from', 'Name the person to merge into this one as "from".');
      return json(200, await merge(param(e, 'person_id'), from, text(b.reason), now()));
    },
    'POST /v1/persons/{person_id}/split': async (e) => {
      const b = body(e);
      const doses = Array.isArray(b.doses)
        ? b.doses.map((d) => ({
            iis_id: text((d as Record<string, unknown>)?.iis_id) ?? '',
            vax_event_id: text((d as Record<string, unknown>)?.vax_event_id) ?? '',
          }))
        : [];
      if (doses.length === 0)
        throw new HttpError(400, 'REQ010', 'doses', 'Name the doses to split off: [{iis_id, vax_event_id}].');
      return json(200, await split(param(e, 'person_id'), doses, text(b.reason), now()));
    },
    'POST /v1/persons/reviews/{review_id}': async (e) => {
      const b = body(e);
      if (b.decision !== 'apart' && b.decision !== 'merge')
        throw new HttpError(400, 'REQ010', 'decision', 'decision must be apart or merge.');
      return json(
        200,
        await decideReview(param(e, 'review_id'), b.decision, text(b.into), text(b.reason), now()),
      );
    },
    'GET /v1/reports/follow-up': async (e) => {
      const out = await followUpAnswer(reports, who(e), e.queryStringParameters ?? {});
      return 'csv' in out
        ? {
            statusCode: 200,
            headers: { 'content-type': 'text/csv; charset=utf-8', 'cache-control': 'no-store' },
            body: out.csv,
          }
        : json(200, out.json);
    },
  }),
);
