/**
 * The files of a night's analytics (issue 15), from what the run gathered: pure, so the same inputs always give
 * the same bytes. What each figure means is docs/analytics.md; this only lays them out.
 *
 * Under analytics/<day>/ in the reports bucket:
 *   uptake-cells.{json,csv}       per cell: the day's first doses, completions and doses, and the totals as of the day (exact)
 *   uptake-days.{json,csv}        per cell and admin day: the day and every earlier day this run changed (late reports), as of the run
 *   uptake-sites.{json,csv}       per administering site: doses that day and in all; uptake-site-days: the days this run changed
 *   public/uptake-cells.{json,csv} the cell table small-cell suppressed ("<11", "*"), with its published totals
 *   coverage.{json,csv}           coverage per state, county, group (and cell in the JSON), flags, week over week
 *   public/coverage.json          coverage without cells, small counts suppressed
 *   supply.json, supply-{sites,counties,lots}.csv   days of supply, lots at risk, the suggested reallocation
 *   timeliness.{json,csv}         scorecards per site, sender, county, state, by ISO week and over all time
 *   sites/<iis>.json              one site's own figures: its doses given, its supply and lots, its scorecards
 */
import { stringify } from 'csv-stringify/sync';
import { type Cell, cellKey, compareCells, OUT_OF_STATE } from '../cells.ts';
import { SUPPRESSION } from '../config.ts';
import { coverage, type Figure, NO_DENOMINATOR, type PopulationRow, unvaccinated } from '../coverage.ts';
import { COVERAGE_COLUMNS, coverageRow } from '../coverage-rows.ts';
import { type OnHandRow, supply } from '../supply.ts';
import { CELL_MARGINS, type ShownTotal, suppressCells } from '../suppress.ts';
import { allTime, scorecardsOf, type TallyTable } from '../tally.ts';
import type { ScoreBy, Scorecard } from '../timeliness.ts';
import { rows, type SiteDayRow, type UptakeCumulativeRow, type UptakeDayRow } from '../uptake.ts';
import { type Counts, sortedJson } from './counters-store.ts';

export interface SiteInfo {
  county: string;
  /** Who may send for the site (its sending facility), else the site itself. */
  sender: string;
}

export interface NightInputs {
  date: string;
  /** Counters of the report day and of every earlier day this run changed, as of the run (`measure|subject|day`). */
  days: ReadonlyMap<string, number>;
  /** Every counter as of the run, days summed away (`measure|subject`). */
  cumulative: Counts;
  /** The same 7 days before, when that run exists (coverage's week over week). */
  weekBefore?: Counts;
  /** Site counters (`site|iis|day`) of the pace days, as of the run. */
  pace: ReadonlyMap<string, number>;
  sites: ReadonlyMap<string, SiteInfo>;
  onHand: readonly OnHandRow[];
  /** Lot expirations by `ndc|lot`. */
  expirations: ReadonlyMap<string, string>;
  denominators?: { version: number; rows: readonly PopulationRow[] };
  /** Tallies of the trend's ISO weeks (newest last) and over all time. */
  timeliness: { weeks: readonly string[]; trend: TallyTable; all: TallyTable };
}

export interface NightFile {
  key: string;
  body: string;
  type: string;
}

export interface CellRow extends Cell {
  first_dose: number;
  completed: number;
  doses_given: number;
  people_first_dose: number;
  people_completed: number;
  doses: number;
}

const CELL_COLUMNS = ['county', 'age', 'race', 'ethnicity', 'sex'] as const;
const CELL_COUNTS = [
  'first_dose',
  'completed',
  'doses_given',
  'people_first_dose',
  'people_completed',
  'doses',
] as const;

const json = (value: unknown) => `${JSON.stringify(value, null, 1)}\n`;
const csv = (records: readonly object[], columns: readonly string[]) =>
  stringify(records as Record<string, unknown>[], { header: true, columns: [...columns] });

/** Cumulative counters (`measure|subject`) as counters of one day, so uptake's rows() can lay them out. */
function onDay(counts: Counts, day: string): Map<string, number> {
  return new Map(Object.entries(counts).map(([k, n]) => [`${k}|${day}`, n]));
}

export function cellRows(input: NightInputs): CellRow[] {
  const today = rows(input.days, input.date).days.filter((r) => r.day === input.date);
  const total = rows(onDay(input.cumulative, input.date), input.date).cumulative;
  const out = new Map<string, CellRow>();
  const row = (c: Cell) => {
    const k = cellKey(c);
    const r = out.get(k) ?? {
      ...pickCell(c),
      first_dose: 0,
      completed: 0,
      doses_given: 0,
      people_first_dose: 0,
      people_completed: 0,
      doses: 0,
    };
    out.set(k, r);
    return r;
  };
  for (const d of today)
    Object.assign(row(d), { first_dose: d.first_dose, completed: d.completed, doses_given: d.doses });
  for (const t of total)
    Object.assign(row(t), {
      people_first_dose: t.people_first_dose,
      people_completed: t.people_completed,
      doses: t.doses,
    });
  return [...out.values()].sort(compareCells);
}

const pickCell = (c: Cell): Cell => ({
  county: c.county,
  age: c.age,
  race: c.race,
  ethnicity: c.ethnicity,
  sex: c.sex,
});

/** The public cell table: each count suppressed on its own against the published totals. */
export function publicCells(cells: readonly CellRow[]) {
  const shown = cells.map((c) => ({ ...pickCell(c) }) as Cell & Record<string, number | string>);
  const totals: Record<string, ShownTotal[]> = {};
  for (const measure of CELL_COUNTS) {
    const s = suppressCells(cells, (r) => r[measure], CELL_MARGINS);
    s.cells.forEach((c, i) => {
      shown[i]![measure] = c.shown;
    });
    totals[measure] = s.totals;
  }
  return { cells: shown, totals };
}

type Totals = Record<string, readonly ShownTotal[]>;

/**
 * Whether a coverage figure's count may be shown: only when the totals published beside the public cell table
 * show it too. A county is its county total; a group and the state leave out-of-state residents out, so the
 * out-of-state total they differ by must be shown as well, or the difference would give a withheld one back.
 */
function shownCount(totals: Totals, measure: string, f: Figure): boolean {
  const lookup = new Map((totals[measure] ?? []).map((t) => [`${t.margin}\u0000${t.group}`, t.shown]));
  const shown = (margin: string, group: string) =>
    typeof (lookup.get(`${margin}\u0000${group}`) ?? 0) === 'number';
  if (f.scope === 'county') return shown('county', f.key);
  if (f.scope === 'state') return shown('state', 'CA') && shown('county', OUT_OF_STATE);
  if (f.scope === 'group') {
    const [dim, value] = f.key.split(':') as [string, string];
    return shown(dim, value) && shown(`county×${dim}`, `${OUT_OF_STATE}|${value}`);
  }
  return false;
}

/** A coverage figure for a site or the public: a count the public cell table withholds is withheld here too. */
function publicFigure(f: Figure, totals: Totals) {
  const hidden = (n: number) =>
    n > 0 && n < SUPPRESSION.threshold ? SUPPRESSION.small : SUPPRESSION.complementary;
  const first = !shownCount(totals, 'people_first_dose', f);
  const complete = !shownCount(totals, 'people_completed', f);
  if (!first && !complete) return f;
  return {
    ...f,
    people_first_dose: first ? hidden(f.people_first_dose) : f.people_first_dose,
    people_completed: complete ? hidden(f.people_completed) : f.people_completed,
    change_first_dose: first ? null : f.change_first_dose,
    change_completed: complete ? null : f.change_completed,
    coverage:
      typeof f.coverage === 'string'
        ? f.coverage
        : {
            ...f.coverage,
            ...(first ? { first: null, first_change: null } : {}),
            ...(complete ? { complete: null, complete_change: null } : {}),
          },
  };
}

const BY: readonly ScoreBy[] = ['state', 'county', 'sender', 'site'];
const SCORE_COLUMNS = [
  'by',
  'key',
  'week',
  'submitted',
  'accepted',
  'rejected',
  'rejection_rate',
  'timed',
  'within_24h',
  'within_72h',
  'median_delay_hours',
  'warnings',
  'warnings_per_100',
  'top_codes',
  'registry_answered',
  'registry_acceptance_rate',
  'cdc_answered',
  'cdc_refused_share',
] as const;
const scoreCsvRow = (s: Scorecard) => ({
  ...s,
  top_codes: s.top_codes.map((c) => `${c.code}:${c.count}`).join(' '),
});

export function nightFiles(input: NightInputs): { files: NightFile[]; siteIds: string[] } {
  const base = `analytics/${input.date}`;
  const files: NightFile[] = [];
  const add = (name: string, body: string, type: string) =>
    files.push({ key: `${base}/${name}`, body, type });
  const addJson = (name: string, value: unknown) => add(name, json(value), 'application/json');
  const addCsv = (name: string, records: readonly object[], columns: readonly string[]) =>
    add(name, csv(records, columns), 'text/csv');
  const date = input.date;
  const siteCounty = new Map([...input.sites].map(([iis, s]) => [iis, { county: s.county }]));

  // Uptake.
  const cells = cellRows(input);
  addJson('uptake-cells.json', { date, cells });
  addCsv('uptake-cells.csv', cells, [...CELL_COLUMNS, ...CELL_COUNTS]);
  const days: UptakeDayRow[] = rows(input.days, date).days;
  addJson('uptake-days.json', { date, days });
  addCsv('uptake-days.csv', days, ['day', ...CELL_COLUMNS, 'first_dose', 'completed', 'doses']);
  const daySites = rows(input.days, date, siteCounty).siteDays;
  const totals = rows(onDay(input.cumulative, date), date, siteCounty);
  const givenOn = new Map(daySites.filter((s) => s.day === date).map((s) => [s.iis_id, s.doses]));
  const siteRows = totals.sites.map((s) => ({
    iis_id: s.iis_id,
    county: s.county,
    doses_given: givenOn.get(s.iis_id) ?? 0,
    doses: s.doses,
  }));
  addJson('uptake-sites.json', { date, sites: siteRows, counties: totals.siteCounties });
  addCsv('uptake-sites.csv', siteRows, ['iis_id', 'county', 'doses_given', 'doses']);
  addCsv('uptake-site-days.csv', daySites, ['iis_id', 'county', 'day', 'doses']);
  const pub = publicCells(cells);
  addJson('public/uptake-cells.json', { date, cells: pub.cells, totals: pub.totals });
  addCsv('public/uptake-cells.csv', pub.cells, [...CELL_COLUMNS, ...CELL_COUNTS]);

  // Coverage.
  const people = (c: Counts): UptakeCumulativeRow[] => rows(onDay(c, date), date).cumulative;
  const cov = coverage({
    asOf: date,
    now: people(input.cumulative),
    ...(input.weekBefore ? { weekBefore: people(input.weekBefore) } : {}),
    ...(input.denominators ? { denominators: input.denominators.rows } : {}),
  });
  const denominator = input.denominators?.version ?? NO_DENOMINATOR;
  addJson('coverage.json', { denominator, ...cov });
  addCsv('coverage.csv', [cov.state, ...cov.counties, ...cov.groups].map(coverageRow), COVERAGE_COLUMNS);
  addJson('public/coverage.json', {
    denominator,
    as_of: cov.as_of,
    state: publicFigure(cov.state, pub.totals),
    counties: cov.counties.map((f) => publicFigure(f, pub.totals)),
    groups: cov.groups.map((f) => publicFigure(f, pub.totals)),
    flagged: cov.flagged.map((f) => publicFigure(f, pub.totals)),
  });

  // Supply.
  const given: SiteDayRow[] = rows(input.pace, date, siteCounty).siteDays;
  const unvax = unvaccinated(cov);
  const sup = supply({
    asOf: date,
    onHand: input.onHand,
    given,
    expirations: input.expirations,
    sites: siteCounty,
    ...(unvax ? { unvaccinated: unvax } : {}),
  });
  addJson('supply.json', sup);
  addCsv('supply-sites.csv', sup.sites, ['iis_id', 'county', 'on_hand', 'pace', 'days_of_supply', 'at_risk']);
  addCsv('supply-counties.csv', sup.counties, [
    'county',
    'sites',
    'on_hand',
    'pace',
    'days_of_supply',
    'at_risk',
  ]);
  addCsv('supply-lots.csv', sup.lots, [
    'iis_id',
    'ndc',
    'lot_number',
    'expiration',
    'on_hand',
    'usable_days',
    'at_risk',
  ]);

  // Timeliness.
  const weekly = BY.flatMap((by) => scorecardsOf(input.timeliness.trend, by, input.timeliness.weeks));
  const overall = BY.flatMap((by) => allTime(input.timeliness.all, by));
  addJson('timeliness.json', { date, weeks: input.timeliness.weeks, weekly, all_time: overall });
  addCsv('timeliness.csv', [...weekly, ...overall].map(scoreCsvRow), SCORE_COLUMNS);

  // Each site's own.
  const siteIds = [
    ...new Set([
      ...siteRows.map((s) => s.iis_id),
      ...sup.sites.map((s) => s.iis_id),
      ...overall.filter((s) => s.by === 'site').map((s) => s.key),
    ]),
  ].sort();
  const bySite = <T extends { iis_id: string }>(list: readonly T[]) => {
    const m = new Map<string, T[]>();
    for (const r of list) m.set(r.iis_id, [...(m.get(r.iis_id) ?? []), r]);
    return m;
  };
  const ownRows = new Map(siteRows.map((s) => [s.iis_id, s]));
  const ownDays = bySite(daySites);
  const ownSupply = new Map(sup.sites.map((s) => [s.iis_id, s]));
  const ownLots = bySite(sup.lots);
  const ownWeeks = bySite(weekly.filter((s) => s.by === 'site').map((s) => ({ ...s, iis_id: s.key })));
  const ownAll = new Map(overall.filter((s) => s.by === 'site').map((s) => [s.key, s]));
  for (const iis of siteIds) {
    const own = ownRows.get(iis);
    addJson(`sites/${iis}.json`, {
      date,
      iis_id: iis,
      uptake: {
        doses_given: own?.doses_given ?? 0,
        doses: own?.doses ?? 0,
        days: (ownDays.get(iis) ?? []).map((d) => ({ day: d.day, doses: d.doses })),
      },
      supply: { site: ownSupply.get(iis) ?? null, lots: ownLots.get(iis) ?? [] },
      timeliness: {
        weeks: input.timeliness.weeks,
        weekly: (ownWeeks.get(iis) ?? []).map(({ iis_id: _, ...s }) => s),
        all_time: ownAll.get(iis) ?? null,
      },
    });
  }
  return { files, siteIds };
}

export { sortedJson };
