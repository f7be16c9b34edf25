import type { ObjectStore } from '#platform/aws/objects.ts';
import { HttpError } from '#platform/http/response.ts';
import { type Caller, permittedSites, statewide as readsStatewide } from '#sites/access.ts';
import { reportKey, siteReportKey } from './report-files.ts';
import type { ExpiringRow } from './rollup.ts';
import { rollupStatus } from './summaries.ts';

/**
 * The nightly accountability reports of a day, as the API lists them. A site key sees its own rows (a sending
 * facility also a client site's, named); the admin key sees one named site's rows, or the statewide report:
 * links to its CSV and JSON files (a state's rows outgrow a Lambda answer's 6 MB), the rows themselves when
 * small, and the totals.
 */

export type ReportKind = 'stock' | 'expiring' | 'admin-errors';

const SITE_FIELD: Record<ReportKind, 'stock' | 'expiring' | 'admin_errors'> = {
  stock: 'stock',
  expiring: 'expiring',
  'admin-errors': 'admin_errors',
};
/** Statewide rows are answered inline up to this size; the links always. */
const INLINE_BYTES = 1024 * 1024;
const LINK_SECONDS = 900;

export interface ReportRows {
  date: string;
  /** The site whose rows these are, or `all sites`. */
  scope: string;
  /** Absent when the statewide rows are too many to answer (then `extra.rows_in_files_only`). */
  rows?: unknown[];
  /** The statewide report's file links and totals. */
  extra: Record<string, unknown>;
}

async function siteRows(
  reports: ObjectStore,
  date: string,
  iis: string,
  kind: ReportKind,
): Promise<unknown[]> {
  try {
    const file = JSON.parse(await reports.get(siteReportKey(date, iis))) as Record<string, unknown[]>;
    return file[SITE_FIELD[kind]] ?? [];
  } catch (err) {
    // A site without stock or doses that day has no file: no rows.
    if ((err as { name?: string }).name === 'NoSuchKey') return [];
    throw err;
  }
}

async function statewide(reports: ObjectStore, date: string, kind: ReportKind): Promise<ReportRows> {
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

/** The rows of one report of `date` that `who` may read: of the site `named`, or by default its own (or all). */
export async function reportRows(
  reports: ObjectStore,
  who: Caller,
  date: string,
  named: string | undefined,
  kind: ReportKind,
): Promise<ReportRows> {
  if (!(await rollupStatus(date))?.completed_at)
    throw new HttpError(
      404,
      'RPT001',
      'date',
      `The roll-up for ${date} has not run yet: it runs after midnight California time for the day before.`,
    );
  if (readsStatewide(who))
    return named
      ? { date, scope: named, rows: await siteRows(reports, date, named, kind), extra: {} }
      : statewide(reports, date, kind);
  const iis = named ?? who.iis_id!;
  const { forbidden } = await permittedSites(who, [iis]);
  if (forbidden.size)
    throw new HttpError(
      403,
      'AUTH004',
      'iis_id',
      `Your key may read the reports of ${who.iis_id} and the sites that name it as their sending facility, not of ${iis}.`,
    );
  return { date, scope: iis, rows: await siteRows(reports, date, iis, kind), extra: {} };
}

const WITHIN: Record<string, ExpiringRow['status'][]> = {
  expired: ['expired'],
  '7': ['expired', 'within-7'],
  '30': ['expired', 'within-7', 'within-30'],
};

/** The expiring rows' statuses `?within=` asks for (7, 30 or expired; default 30). */
export function expiringWithin(within: string): ExpiringRow['status'][] {
  const statuses = WITHIN[within];
  if (!statuses)
    throw new HttpError(400, 'REQ008', 'within', 'within must be 7, 30 or expired (default 30).');
  return statuses;
}

/** Expiring rows of the statuses asked for. */
export const keepExpiring = (rows: readonly unknown[], statuses: readonly ExpiringRow['status'][]) =>
  (rows as ExpiringRow[]).filter((row) => statuses.includes(row.status));
