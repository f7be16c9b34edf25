import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import type { ObjectStore } from '#platform/aws/objects.ts';
import { isDay } from '#platform/dates.ts';
import { checkIdentifier } from '#platform/http/identifiers.ts';
import { HttpError } from '#platform/http/response.ts';
import { type Caller, permittedSites, statewide } from '#sites/access.ts';
import type { Figure } from './coverage.ts';
import { COVERAGE_COLUMNS, coverageRow } from './coverage-rows.ts';

/**
 * GET /v1/reports/{uptake,coverage,supply,timeliness}: the files of a night's analytics (nightly/figures.ts).
 * A site key reads its own site's figures (or a client site's, for its sending facility) and the public,
 * suppressed coverage; never the exact statewide tables. The admin key reads those, filtered. Only a day whose
 * run completed (done.json) is answered. Modelled on the follow-up lists (#persons/follow-up-read.ts).
 */
export type AnalyticsReport = 'uptake' | 'coverage' | 'supply' | 'timeliness';
export type Answer = { csv: string } | { json: unknown };
type Query = Record<string, string | undefined>;

const WHAT: Record<AnalyticsReport, string> = {
  uptake: 'uptake figures',
  coverage: 'coverage figures',
  supply: 'supply figures',
  timeliness: 'timeliness scorecards',
};
export const UPTAKE_VIEWS = ['cells', 'days', 'sites'] as const;
export const SUPPLY_VIEWS = ['sites', 'counties', 'lots'] as const;
export const SCORE_BY = ['site', 'sender', 'county', 'state'] as const;
const COUNTY = /^(?:\d{5}|OUT_OF_STATE|UNK)$/;
const GROUP = /^(?:age|race|ethnicity|sex):\S+$/;
const WEEK = /^(?:\d{4}-W\d{2}|all)$/;
/** Filters only the admin key may give, by report: they select from the exact statewide tables. */
const STATEWIDE: Record<AnalyticsReport, readonly string[]> = {
  uptake: ['county', 'view'],
  coverage: [],
  supply: ['county'],
  timeliness: ['by', 'key'],
};

const bad = (field: string, message: string) => new HttpError(400, 'REQ008', field, message);

function option(q: Query, name: string, allowed: readonly string[]): string | undefined {
  const v = q[name]?.trim() || undefined;
  if (v !== undefined && !allowed.includes(v))
    throw bad(name, allowed.length ? `${name} must be ${allowed.join(', ')}.` : `${name} is no filter here.`);
  return v;
}
function matching(q: Query, name: string, pattern: RegExp, message: string, upper = false) {
  const raw = q[name]?.trim() || undefined;
  const v =
    upper && raw?.toLowerCase() !== 'all' ? raw?.toUpperCase() : raw?.toLowerCase() === 'all' ? 'all' : raw;
  if (v !== undefined && !pattern.test(v)) throw bad(name, message);
  return v;
}

export async function analyticsReportAnswer(
  reports: ObjectStore,
  report: AnalyticsReport,
  who: Caller,
  q: Query,
): Promise<Answer> {
  const date = q.date?.trim() ?? '';
  if (!isDay(date)) throw bad('date', 'Give the day as ?date=YYYY-MM-DD (a California day).');
  const format = option(q, 'format', ['json', 'csv']) ?? 'json';
  const f: Filters = {
    county: matching(q, 'county', COUNTY, 'county must be a county FIPS code (06067), OUT_OF_STATE or UNK.'),
    group: matching(q, 'group', GROUP, 'group must be dimension:value, e.g. age:65-74 or sex:F.'),
    view: option(q, 'view', report === 'supply' ? SUPPLY_VIEWS : report === 'uptake' ? UPTAKE_VIEWS : []),
    by: option(q, 'by', report === 'timeliness' ? SCORE_BY : []),
    key: q.key?.trim() || undefined,
    week: matching(q, 'week', WEEK, 'week must be an ISO week (2026-W49) or all.', true),
  };
  if (f.group && report !== 'coverage')
    throw bad('group', `group filters coverage, not the ${WHAT[report]}.`);
  if (f.key && report !== 'timeliness') throw bad('key', 'key filters the timeliness scorecards.');
  if (f.week && report !== 'timeliness') throw bad('week', 'week filters the timeliness scorecards.');
  const file = (name: string) => reports.get(`analytics/${date}/${name}`);
  let done: { site_ids: string[] };
  try {
    done = JSON.parse(await file('done.json')) as { site_ids: string[] };
  } catch (err) {
    if ((err as { name?: string }).name !== 'NoSuchKey') throw err;
    throw new HttpError(
      404,
      'RPT002',
      'date',
      `The ${WHAT[report]} for ${date} have not been made yet: they are made nightly (npm run nightly).`,
    );
  }
  const r: Read = { date, csv: format === 'csv', file, f };
  if (report === 'coverage') return coverageAnswer(r, statewide(who));

  const named = checkIdentifier('iis_id', q.iis_id?.trim() || undefined)?.toUpperCase();
  if (who.role === 'site') {
    const given = STATEWIDE[report].find((k) => f[k as keyof Filters] !== undefined);
    if (given)
      throw new HttpError(
        403,
        'AUTH004',
        given,
        `Your key reads the ${WHAT[report]} of ${who.iis_id} and its client sites; the statewide tables (${STATEWIDE[report].join('=, ')}=) are read with the admin key.`,
      );
    const iis = named ?? who.iis_id!;
    const { forbidden } = await permittedSites(who, [iis]);
    if (forbidden.size)
      throw new HttpError(
        403,
        'AUTH004',
        'iis_id',
        `Your key may read the ${WHAT[report]} of ${who.iis_id} and its client sites, not of ${iis}.`,
      );
  }
  if (named || who.role === 'site') {
    const iis = named ?? who.iis_id!;
    const own = done.site_ids.includes(iis)
      ? (JSON.parse(await file(`sites/${iis}.json`)) as SitePart)
      : undefined;
    return siteAnswer(r, report, iis, own);
  }
  if (report === 'uptake') return uptakeAnswer(r);
  if (report === 'supply') return supplyAnswer(r);
  return timelinessAnswer(r);
}

interface Filters {
  county?: string | undefined;
  group?: string | undefined;
  view?: string | undefined;
  by?: string | undefined;
  key?: string | undefined;
  week?: string | undefined;
}
interface Read {
  date: string;
  csv: boolean;
  file: (name: string) => Promise<string>;
  f: Filters;
}
interface ScoreRow {
  by: string;
  key: string;
  week: string;
}
interface SitePart {
  uptake: { doses_given: number; doses: number; days: { day: string; doses: number }[] };
  supply: { site: unknown; lots: unknown[] };
  timeliness: { weeks: string[]; weekly: ScoreRow[]; all_time: ScoreRow | null };
}

/**
 * A stored CSV's rows where every named column has the value given (undefined: any); the file as stored when
 * nothing filters it.
 */
async function csvRows(r: Read, name: string, where: Record<string, string | undefined>): Promise<Answer> {
  const text = await r.file(name);
  const tests = Object.entries(where).filter((e): e is [string, string] => e[1] !== undefined);
  if (tests.length === 0) return { csv: text };
  const [header = [], ...rows] = parse(text, { bom: true }) as string[][];
  const at = tests.map(([col, v]) => [header.indexOf(col), v] as const);
  const kept = rows.filter((row) => at.every(([i, v]) => row[i] === v));
  return { csv: stringify([header, ...kept]) };
}

const weekOk = (week: string | undefined) => (s: ScoreRow) => week === undefined || s.week === week;

function siteAnswer(
  r: Read,
  report: AnalyticsReport,
  iis: string,
  own: SitePart | undefined,
): Promise<Answer> {
  const { date, f } = r;
  if (report === 'uptake') {
    const uptake = own?.uptake ?? { doses_given: 0, doses: 0, days: [] };
    if (r.csv) return csvRows(r, 'uptake-sites.csv', { iis_id: iis });
    return Promise.resolve({ json: { date, scope: iis, uptake } });
  }
  if (report === 'supply') {
    if (f.view === 'counties')
      throw new HttpError(403, 'AUTH004', 'view', 'Counties are read with the admin key.');
    if (r.csv) return csvRows(r, f.view === 'lots' ? 'supply-lots.csv' : 'supply-sites.csv', { iis_id: iis });
    return Promise.resolve({ json: { date, scope: iis, supply: own?.supply ?? { site: null, lots: [] } } });
  }
  if (r.csv) return csvRows(r, 'timeliness.csv', { by: 'site', key: iis, week: f.week });
  const t = own?.timeliness ?? { weeks: [], weekly: [], all_time: null };
  const timeliness = {
    weeks: t.weeks,
    weekly: f.week === 'all' ? [] : t.weekly.filter(weekOk(f.week)),
    all_time: f.week === undefined || f.week === 'all' ? t.all_time : null,
  };
  return Promise.resolve({ json: { date, scope: iis, timeliness } });
}

async function uptakeAnswer(r: Read): Promise<Answer> {
  const view = r.f.view ?? 'cells';
  const county = r.f.county;
  if (r.csv) return csvRows(r, `uptake-${view}.csv`, { county });
  const stored = JSON.parse(await r.file(`uptake-${view}.json`)) as Record<string, { county: string }[]>;
  const inCounty = (list: { county: string }[] = []) =>
    county === undefined ? list : list.filter((x) => x.county === county);
  const parts =
    view === 'sites'
      ? { sites: inCounty(stored.sites), counties: inCounty(stored.counties) }
      : { [view]: inCounty(stored[view]) };
  return { json: { date: r.date, scope: 'all sites', view, ...(county ? { county } : {}), ...parts } };
}

type CoverageFile = Record<string, unknown> & {
  state: Figure;
  counties: Figure[];
  groups: Figure[];
  flagged: Figure[];
  cells?: Figure[];
};

async function coverageAnswer(r: Read, exact: boolean): Promise<Answer> {
  const { county, group } = r.f;
  const filtered = county !== undefined || group !== undefined;
  if (exact && r.csv && !filtered) return { csv: await r.file('coverage.csv') };
  const cov = JSON.parse(await r.file(exact ? 'coverage.json' : 'public/coverage.json')) as CoverageFile;
  // A filter names the figures wanted: the state's always, and the county's and the group's named.
  const keep = (f: Figure) =>
    !filtered ||
    f.scope === 'state' ||
    (f.scope === 'county' && f.key === county) ||
    (f.scope === 'group' && f.key === group);
  const inCell = (f: Figure) => {
    const [c, ...dims] = f.key.split('|');
    const [dim, value] = group?.split(':') ?? [];
    const index = ['age', 'race', 'ethnicity', 'sex'].indexOf(dim ?? '');
    return (county === undefined || c === county) && (group === undefined || dims[index] === value);
  };
  const out: CoverageFile = {
    ...cov,
    counties: cov.counties.filter(keep),
    groups: cov.groups.filter(keep),
    flagged: cov.flagged.filter(keep),
    ...(cov.cells ? { cells: cov.cells.filter(inCell) } : {}),
  };
  if (!r.csv)
    return {
      json: {
        date: r.date,
        scope: exact ? 'exact' : 'public',
        ...(county ? { county } : {}),
        ...(group ? { group } : {}),
        ...out,
      },
    };
  return {
    csv: stringify([out.state, ...out.counties, ...out.groups].map(coverageRow), {
      header: true,
      columns: COVERAGE_COLUMNS,
    }),
  };
}

interface SupplyFile {
  sites: { iis_id: string; county: string }[];
  counties: { county: string }[];
  lots: { iis_id: string }[];
  reallocation: string | { counties: { county: string }[]; transfers: { from: string; to: string }[] };
}

async function supplyAnswer(r: Read): Promise<Answer> {
  const { county } = r.f;
  const view = r.f.view ?? 'sites';
  if (r.csv && (county === undefined || view !== 'lots')) return csvRows(r, `supply-${view}.csv`, { county });
  const sup = JSON.parse(await r.file('supply.json')) as SupplyFile;
  const inCounty = new Set(sup.sites.filter((s) => s.county === county).map((s) => s.iis_id));
  if (r.csv) {
    const [header = [], ...rows] = parse(await r.file('supply-lots.csv'), { bom: true }) as string[][];
    const i = header.indexOf('iis_id');
    return { csv: stringify([header, ...rows.filter((row) => inCounty.has(row[i] ?? ''))]) };
  }
  if (county === undefined) return { json: { date: r.date, scope: 'all sites', ...sup } };
  const realloc = sup.reallocation;
  return {
    json: {
      date: r.date,
      scope: 'all sites',
      county,
      ...sup,
      sites: sup.sites.filter((s) => s.county === county),
      counties: sup.counties.filter((c) => c.county === county),
      lots: sup.lots.filter((l) => inCounty.has(l.iis_id)),
      reallocation:
        typeof realloc === 'string'
          ? realloc
          : {
              counties: realloc.counties.filter((c) => c.county === county),
              transfers: realloc.transfers.filter((t) => t.from === county || t.to === county),
            },
    },
  };
}

async function timelinessAnswer(r: Read): Promise<Answer> {
  const { by, key, week } = r.f;
  if (r.csv) return csvRows(r, 'timeliness.csv', { by, key, week });
  const t = JSON.parse(await r.file('timeliness.json')) as {
    weeks: string[];
    weekly: ScoreRow[];
    all_time: ScoreRow[];
  };
  const ok = (s: ScoreRow) => (by === undefined || s.by === by) && (key === undefined || s.key === key);
  return {
    json: {
      date: r.date,
      scope: 'all sites',
      weeks: t.weeks,
      weekly: week === 'all' ? [] : t.weekly.filter((s) => ok(s) && weekOk(week)(s)),
      all_time: week === undefined || week === 'all' ? t.all_time.filter(ok) : [],
    },
  };
}
