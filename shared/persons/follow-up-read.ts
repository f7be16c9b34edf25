import type { ObjectStore } from '#platform/aws/objects.ts';
import { isDay } from '#platform/dates.ts';
import { HttpError } from '#platform/http/response.ts';
import { type Caller, permittedSites, statewide } from '#sites/access.ts';
import { type FollowUpResult, type FollowUpRow, followUpKey, rowsCsv, siteFile } from './follow-up.ts';

/**
 * GET /v1/reports/follow-up: a site's list (its own, or a client site's for its sending facility), or for the
 * admin a named site's list or the statewide counts by county. Only a day whose run completed is answered.
 */
export async function followUpAnswer(
  reports: ObjectStore,
  who: Caller,
  q: Record<string, string | undefined>,
): Promise<{ csv: string } | { json: unknown }> {
  const date = q.date?.trim() ?? '';
  if (!isDay(date))
    throw new HttpError(400, 'REQ008', 'date', 'Give the day as ?date=YYYY-MM-DD (a California day).');
  const status = q.status?.trim();
  if (status && status !== 'due' && status !== 'overdue')
    throw new HttpError(400, 'REQ008', 'status', 'status must be due or overdue (default: both).');
  const format = q.format?.trim() ?? 'json';
  if (format !== 'json' && format !== 'csv')
    throw new HttpError(400, 'REQ008', 'format', 'format must be json or csv.');
  let done: FollowUpResult;
  try {
    done = JSON.parse(await reports.get(followUpKey(date, 'done.json'))) as FollowUpResult;
  } catch (err) {
    if ((err as { name?: string }).name !== 'NoSuchKey') throw err;
    throw new HttpError(
      404,
      'RPT002',
      'date',
      `The follow-up lists for ${date} have not been made yet: they are made nightly (npm run nightly).`,
    );
  }
  const named = q.iis_id?.trim().toUpperCase() || undefined;
  if (who.role === 'program' && named)
    throw new HttpError(
      403,
      'AUTH004',
      'iis_id',
      "Program staff see the statewide counts by county; a site's list names its patients and is for that site.",
    );
  if (statewide(who) && !named) {
    const counties = JSON.parse(await reports.get(followUpKey(date, 'counties.json'))) as unknown[];
    return { json: { date, scope: 'all sites', counts: done.counts, by_county: counties } };
  }
  const iis = named ?? who.iis_id!;
  if (who.role === 'site') {
    const { forbidden } = await permittedSites(who, [iis]);
    if (forbidden.size)
      throw new HttpError(
        403,
        'AUTH004',
        'iis_id',
        `Your key may read the follow-up lists of ${who.iis_id} and its client sites, not of ${iis}.`,
      );
  }
  const rows = done.site_ids.includes(iis)
    ? (JSON.parse(await reports.get(siteFile(date, iis, 'json'))) as FollowUpRow[])
    : [];
  const kept = status ? rows.filter((r) => r.status === status) : rows;
  return format === 'csv'
    ? { csv: rowsCsv(kept) }
    : { json: { date, scope: iis, status: status ?? 'due,overdue', rows: kept } };
}
