import { bucketStore } from '#platform/aws/objects.ts';
import { isDay } from '#platform/dates.ts';
import { httpHandler, route } from '#platform/http/handler.ts';
import { checkIdentifier } from '#platform/http/identifiers.ts';
import { type ApiEvent, caller } from '#platform/http/request.ts';
import { HttpError, json, type Result } from '#platform/http/response.ts';
import { permittedSites } from '#sites/access.ts';
import { REPORT_ENDPOINTS } from '#stock/endpoints.ts';
import { reportKey, siteReportKey } from '#stock/report-files.ts';
import type { ExpiringRow } from '#stock/rollup.ts';
import { rollupStatus } from '#stock/store.ts';

/**
 * The nightly accountability reports of a day. A site key sees its own rows (a sending facility also a client
 * site's, with ?iis_id=); the admin key sees one site's rows with ?iis_id=, or the statewide report: links to
 * its CSV and JSON files (a state's rows outgrow a Lambda answer's 6 MB), the rows themselves when small, and
 * the totals.
 */
const reports = bucketStore('REPORTS_BUCKET');

type Kind = 'stock' | 'expiring' | 'admin-errors';
const SITE_FIELD: Record<Kind, 'stock' | 'expiring' | 'admin_errors'> = {
  stock: 'stock',
  expiring: 'expiring',
  'admin-errors': 'admin_errors',
};
/** Statewide rows are answered inline up to this size; the links always. */
const INLINE_BYTES = 1024 * 1024;
const LINK_SECONDS = 900;

function dateOf(event: ApiEvent): string {
  const date = event.queryStringParameters?.date?.trim();
  if (!date || !isDay(date))
    throw new HttpError(400, 'REQ008', 'date', 'Give the report day as ?date=YYYY-MM-DD (a California day).');
  return date;
}

interface Rows {
  date: string;
  scope: string;
  rows?: unknown[];
  extra: Record<string, unknown>;
}

async function siteRows(date: string, iis: string, kind: Kind): Promise<unknown[]> {
  try {
    const file = JSON.parse(await reports.get(siteReportKey(date, iis))) as Record<string, unknown[]>;
    return file[SITE_FIELD[kind]] ?? [];
  } catch (err) {
    // A site without stock or doses that day has no file: no rows.
    if ((err as { name?: string }).name === 'NoSuchKey') return [];
    throw err;
  }
}

async function rows(event: ApiEvent, kind: Kind): Promise<Rows> {
  const who = caller(event);
  const date = dateOf(event);
  const named = checkIdentifier('iis_id', event.queryStringParameters?.iis_id?.trim().toUpperCase());
  if (!(await rollupStatus(date))?.completed_at)
    throw new HttpError(
      404,
      'RPT001',
      'date',
      `The roll-up for ${date} has not run yet: it runs after midnight California time for the day before.`,
    );
  if (who.role === 'admin') {
    if (named) return { date, scope: named, rows: await siteRows(date, named, kind), extra: {} };
    const key = reportKey(date, `${kind}.json`);
    const text = await reports.get(key);
    const files = {
      csv: await reports.url(reportKey(date, `${kind}.csv`), LINK_SECONDS),
      json: await reports.url(key, LINK_SECONDS),
    };
    const totals =
      kind === 'stock' ? { totals: JSON.parse(await reports.get(reportKey(date, 'totals.json'))) } : {};
    const inline = Buffer.byteLength(text) <= INLINE_BYTES;
    return {
      date,
      scope: 'all sites',
      ...(inline ? { rows: JSON.parse(text) as unknown[] } : {}),
      extra: { files, ...(inline ? {} : { rows_in_files_only: true }), ...totals },
    };
  }
  const iis = named ?? who.iis_id!;
  const { forbidden } = await permittedSites(who, [iis]);
  if (forbidden.size)
    throw new HttpError(
      403,
      'AUTH004',
      'iis_id',
      `Your key may read the reports of ${who.iis_id} and the sites that name it as their sending facility, not of ${iis}.`,
    );
  return { date, scope: iis, rows: await siteRows(date, iis, kind), extra: {} };
}

const WITHIN: Record<string, ExpiringRow['status'][]> = {
  expired: ['expired'],
  '7': ['expired', 'within-7'],
  '30': ['expired', 'within-7', 'within-30'],
};

export const handler = httpHandler(
  route(REPORT_ENDPOINTS, {
    'GET /v1/reports/wastage': async (event) => {
      const r = await rows(event, 'stock');
      return json(200, { date: r.date, scope: r.scope, ...(r.rows ? { rows: r.rows } : {}), ...r.extra });
    },
    'GET /v1/reports/expiring': async (event): Promise<Result> => {
      const within = event.queryStringParameters?.within ?? '30';
      const statuses = WITHIN[within];
      if (!statuses)
        throw new HttpError(400, 'REQ008', 'within', 'within must be 7, 30 or expired (default 30).');
      const r = await rows(event, 'expiring');
      const kept = r.rows
        ? (r.rows as ExpiringRow[]).filter((row) => statuses.includes(row.status))
        : undefined;
      return json(200, { date: r.date, scope: r.scope, within, ...(kept ? { rows: kept } : {}), ...r.extra });
    },
    'GET /v1/reports/admin-errors': async (event) => {
      const r = await rows(event, 'admin-errors');
      return json(200, { date: r.date, scope: r.scope, ...(r.rows ? { rows: r.rows } : {}), ...r.extra });
    },
  }),
);
