import { bucketStore } from '../../shared/clients/objects.ts';
import { isDay } from '../../shared/domain/dates.ts';
import { httpHandler, route } from '../../shared/http/handler.ts';
import { type ApiEvent, caller } from '../../shared/http/request.ts';
import { HttpError, json, type Result } from '../../shared/http/response.ts';
import { permittedSites } from '../../shared/intake/access.ts';
import type { ExpiringRow } from '../../shared/stock/rollup.ts';
import { reportKey } from '../../shared/stock/report-files.ts';
import { rollupStatus, siteSummary } from '../../shared/store/stock.ts';

/**
 * The nightly accountability reports of a day. A site key sees its own rows (a sending facility also a client
 * site's, with ?iis_id=), from the site's summary item; the admin key sees every site's rows and the statewide
 * totals, from the day's report files.
 */
const reports = bucketStore('REPORTS_BUCKET');

type Kind = 'stock' | 'expiring' | 'admin-errors';

function dateOf(event: ApiEvent): string {
  const date = event.queryStringParameters?.date?.trim();
  if (!date || !isDay(date))
    throw new HttpError(400, 'REQ008', 'date', 'Give the report day as ?date=YYYY-MM-DD (a California day).');
  return date;
}

async function rows(
  event: ApiEvent,
  kind: Kind,
): Promise<{ date: string; scope: string; rows: unknown[]; extra: Record<string, unknown> }> {
  const who = caller(event);
  const date = dateOf(event);
  if (!(await rollupStatus(date))?.completed_at)
    throw new HttpError(
      404,
      'RPT001',
      'date',
      `The roll-up for ${date} has not run yet: it runs after midnight California time for the day before.`,
    );
  if (who.role === 'admin') {
    const all = JSON.parse(await reports.get(reportKey(date, `${kind}.json`))) as unknown[];
    const totals =
      kind === 'stock' ? { totals: JSON.parse(await reports.get(reportKey(date, 'totals.json'))) } : {};
    return { date, scope: 'all sites', rows: all, extra: totals };
  }
  const iis = (event.queryStringParameters?.iis_id ?? who.iis_id!).toUpperCase();
  const { forbidden } = await permittedSites(who, [iis]);
  if (forbidden.size)
    throw new HttpError(
      403,
      'AUTH004',
      'iis_id',
      `Your key may read the reports of ${who.iis_id} and the sites that name it as their sending facility, not of ${iis}.`,
    );
  const summary = await siteSummary(date, iis);
  if (!summary) return { date, scope: iis, rows: [], extra: {} };
  if (kind === 'stock') return { date, scope: iis, rows: JSON.parse(summary.stock), extra: {} };
  if (kind === 'expiring') return { date, scope: iis, rows: JSON.parse(summary.expiring), extra: {} };
  const errors = JSON.parse(summary.admin_errors) as unknown[];
  return {
    date,
    scope: iis,
    rows: errors,
    extra:
      errors.length < summary.admin_errors_total
        ? { total: summary.admin_errors_total, truncated: true }
        : {},
  };
}

const WITHIN: Record<string, ExpiringRow['status'][]> = {
  expired: ['expired'],
  '7': ['expired', 'within-7'],
  '30': ['expired', 'within-7', 'within-30'],
};

export const handler = httpHandler(
  route({
    'GET /v1/reports/wastage': async (event) => {
      const r = await rows(event, 'stock');
      return json(200, { date: r.date, scope: r.scope, rows: r.rows, ...r.extra });
    },
    'GET /v1/reports/expiring': async (event): Promise<Result> => {
      const within = event.queryStringParameters?.within ?? '30';
      const statuses = WITHIN[within];
      if (!statuses)
        throw new HttpError(400, 'REQ008', 'within', 'within must be 7, 30 or expired (default 30).');
      const r = await rows(event, 'expiring');
      const kept = (r.rows as ExpiringRow[]).filter((row) => statuses.includes(row.status));
      return json(200, { date: r.date, scope: r.scope, within, rows: kept });
    },
    'GET /v1/reports/admin-errors': async (event) => {
      const r = await rows(event, 'admin-errors');
      return json(200, { date: r.date, scope: r.scope, rows: r.rows, ...r.extra });
    },
  }),
);
