import { bucketStore } from '#platform/aws/objects.ts';
import { isDay } from '#platform/dates.ts';
import { BUCKET_ENV } from '#platform/env-names.ts';
import { httpHandler, route } from '#platform/http/handler.ts';
import { checkIdentifier } from '#platform/http/identifiers.ts';
import { type ApiEvent, caller } from '#platform/http/request.ts';
import { HttpError, json, type Result } from '#platform/http/response.ts';
import { REPORT_ENDPOINTS } from '#stock/endpoints.ts';
import { expiringWithin, keepExpiring, type ReportKind, reportRows } from '#stock/reports.ts';

/**
 * The nightly accountability reports of a day (?date=): a site key sees its own rows (a sending facility also a
 * client site's, with ?iis_id=); the admin key one site's with ?iis_id=, or the statewide report (shared/stock).
 */
const reports = bucketStore(BUCKET_ENV.reports);

function dateOf(event: ApiEvent): string {
  const date = event.queryStringParameters?.date?.trim();
  if (!date || !isDay(date))
    throw new HttpError(400, 'REQ008', 'date', 'Give the report day as ?date=YYYY-MM-DD (a California day).');
  return date;
}

function rows(event: ApiEvent, kind: ReportKind) {
  const who = caller(event);
  const date = dateOf(event);
  const named = checkIdentifier('iis_id', event.queryStringParameters?.iis_id?.trim().toUpperCase());
  return reportRows(reports, who, date, named, kind);
}

/** The wastage (stock) and admin-errors reports: the rows as they are. */
const listing =
  (kind: ReportKind) =>
  async (event: ApiEvent): Promise<Result> => {
    const r = await rows(event, kind);
    return json(200, { date: r.date, scope: r.scope, ...(r.rows ? { rows: r.rows } : {}), ...r.extra });
  };

export const handler = httpHandler(
  route(REPORT_ENDPOINTS, {
    'GET /v1/reports/wastage': listing('stock'),
    'GET /v1/reports/expiring': async (event): Promise<Result> => {
      const within = event.queryStringParameters?.within ?? '30';
      const statuses = expiringWithin(within);
      const r = await rows(event, 'expiring');
      const kept = r.rows ? keepExpiring(r.rows, statuses) : undefined;
      return json(200, { date: r.date, scope: r.scope, within, ...(kept ? { rows: kept } : {}), ...r.extra });
    },
    'GET /v1/reports/admin-errors': listing('admin-errors'),
  }),
);
