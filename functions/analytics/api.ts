import { denominatorsAnswer, loadDenominators } from '#analytics/denominators-api.ts';
import { ANALYTICS_ENDPOINTS } from '#analytics/endpoints.ts';
import { type AnalyticsReport, analyticsReportAnswer } from '#analytics/reports-read.ts';
import { bucketStore } from '#platform/aws/objects.ts';
import { BUCKET_ENV } from '#platform/env-names.ts';
import { httpHandler, route } from '#platform/http/handler.ts';
import { type ApiEvent, caller } from '#platform/http/request.ts';
import { json } from '#platform/http/response.ts';

const reports = bucketStore(BUCKET_ENV.reports);

/** A night's analytics files, read back (shared/analytics/reports-read.ts): JSON, or the CSV. */
const report = (name: AnalyticsReport) => async (e: ApiEvent) => {
  const out = await analyticsReportAnswer(reports, name, caller(e), e.queryStringParameters ?? {});
  return 'csv' in out
    ? {
        statusCode: 200,
        headers: { 'content-type': 'text/csv; charset=utf-8', 'cache-control': 'no-store' },
        body: out.csv,
      }
    : json(200, out.json);
};

export const handler = httpHandler(
  route(ANALYTICS_ENDPOINTS, {
    'PUT /v1/denominators': async (e) => {
      const out = await loadDenominators(e, new Date());
      return json(out.created ? 201 : 200, out);
    },
    'GET /v1/denominators': async (e) => json(200, await denominatorsAnswer(e.queryStringParameters ?? {})),
    'GET /v1/reports/uptake': report('uptake'),
    'GET /v1/reports/coverage': report('coverage'),
    'GET /v1/reports/supply': report('supply'),
    'GET /v1/reports/timeliness': report('timeliness'),
  }),
);
