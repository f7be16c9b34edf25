/**
 * Uptake (issue 15): people with at least one dose, people with a completed series and doses given, per cell, by
 * day and cumulative, and doses given per administering site.
 *
 * Built for an incremental nightly job: each person contributes a small fixed set of counters (`contribution`);
 * when a person's doses change, the job stores their new contribution and adds `diff(before, after)` to the
 * counters, so a night's work grows with the doses that arrived, not with the history. A late dose moves the
 * counters of the day it was given, never the day it arrived.
 *
 * What counts (docs/analytics.md "Uptake"):
 * - a refusal gives no product and a deleted dose was withdrawn by its site: neither counts anywhere;
 * - a dose without a real admin date cannot be placed on a day and does not count;
 * - a historical dose (recorded from a card or another provider's record) counts for the person (their first
 *   dose, their series) but not as a dose given: the site that recorded it did not give it;
 * - the person's cell is fixed at their first dose: age on that day, county, race, ethnicity and sex as that dose
 *   reported them, so a person is counted once and does not move between cells as they age or move.
 */
import { progress } from '#persons/forecast.ts';
import type { RecordDose } from '#persons/types.ts';
import { isDay } from '#platform/dates.ts';
import {
  type Cell,
  type CellDemographics,
  cellKey,
  cellOf,
  compareCells,
  compareText,
  dimensionRank,
  parseCellKey,
  UNKNOWN_COUNTY,
} from './cells.ts';

export interface UptakeDose {
  iis_id: string;
  vax_event_id?: string;
  admin_date: string;
  refusal?: boolean;
  historical?: boolean;
  deleted?: boolean;
  /** The recipient as this dose reported them (only the first dose's is used). */
  recipient?: CellDemographics;
  /** The cell key already worked out from `recipient` on this dose's admin date (kept instead of demographics). */
  cell?: string;
}

export interface UptakePerson {
  person_id: string;
  /** Every dose on the person's record (the consolidated record's, where it exists: each dose once). */
  doses: readonly UptakeDose[];
  /** The day the series was completed, when the caller already evaluated it. */
  complete_day?: string;
  /** The evaluated consolidated record, to find the completion day from (used when complete_day is absent). */
  record?: readonly RecordDose[];
}

/** Everything one person adds to the counters. */
export interface Contribution {
  /** cellKey of the person's cell. */
  cell: string;
  first_day: string;
  complete_day?: string;
  /** Doses given, by admin day. */
  doses: Readonly<Record<string, number>>;
  /** Doses given, by `iis_id|admin day`. */
  sites: Readonly<Record<string, number>>;
}

/** The day the series was completed: the admin day of the dose that made the valid count reach the series'. */
export function completeDay(record: readonly RecordDose[]): string | undefined {
  const p = progress(record);
  if (!p?.complete) return undefined;
  return p.doses[p.series.doses - 1]?.admin_date ?? p.last.admin_date;
}

const counts = (d: UptakeDose) => !d.refusal && !d.deleted && isDay(d.admin_date);

/** Earliest first; same day: by site and event, so the choice of the first dose never depends on input order. */
function byAdmin(a: UptakeDose, b: UptakeDose): number {
  return (
    compareText(a.admin_date, b.admin_date) ||
    compareText(a.iis_id, b.iis_id) ||
    compareText(a.vax_event_id ?? '', b.vax_event_id ?? '')
  );
}

/** What a person adds to the counters, or undefined when no dose of theirs counts. */
export function contribution(person: UptakePerson): Contribution | undefined {
  const counted = person.doses.filter(counts).sort(byAdmin);
  const first = counted[0];
  if (!first) return undefined;
  const doses: Record<string, number> = {};
  const sites: Record<string, number> = {};
  for (const d of counted) {
    if (d.historical) continue;
    doses[d.admin_date] = (doses[d.admin_date] ?? 0) + 1;
    const site = `${d.iis_id}|${d.admin_date}`;
    sites[site] = (sites[site] ?? 0) + 1;
  }
  let complete = person.complete_day ?? (person.record ? completeDay(person.record) : undefined);
  // A series cannot be complete before the person's first counted dose (a record holding a dose left out here).
  if (complete !== undefined && complete < first.admin_date) complete = first.admin_date;
  return {
    cell: first.cell ?? cellKey(cellOf(first.recipient ?? {}, first.admin_date)),
    first_day: first.admin_date,
    ...(complete !== undefined ? { complete_day: complete } : {}),
    doses,
    sites,
  };
}

export type Measure = 'first' | 'complete' | 'doses' | 'site';
export type Counters = ReadonlyMap<string, number>;

/** `first|<cell key>|day`, `doses|<cell key>|day`, `site|<iis_id>|day`: the measure first, the day last. */
export const counterKey = (measure: Measure, subject: string, day: string) => `${measure}|${subject}|${day}`;

export function parseCounterKey(key: string): { measure: Measure; subject: string; day: string } | undefined {
  const a = key.indexOf('|');
  const z = key.lastIndexOf('|');
  if (a < 0 || z <= a) return undefined;
  const measure = key.slice(0, a);
  if (measure !== 'first' && measure !== 'complete' && measure !== 'doses' && measure !== 'site')
    return undefined;
  return { measure, subject: key.slice(a + 1, z), day: key.slice(z + 1) };
}

function entries(c: Contribution | undefined): Map<string, number> {
  const m = new Map<string, number>();
  if (!c) return m;
  m.set(counterKey('first', c.cell, c.first_day), 1);
  if (c.complete_day !== undefined) m.set(counterKey('complete', c.cell, c.complete_day), 1);
  for (const [day, n] of Object.entries(c.doses)) m.set(counterKey('doses', c.cell, day), n);
  for (const [site, n] of Object.entries(c.sites)) {
    const at = site.lastIndexOf('|');
    m.set(counterKey('site', site.slice(0, at), site.slice(at + 1)), n);
  }
  return m;
}

/** What replacing a person's contribution `before` by `after` changes (undefined: not counted); zeros left out. */
export function diff(before: Contribution | undefined, after: Contribution | undefined): Map<string, number> {
  const out = entries(after);
  for (const [k, n] of entries(before)) {
    const v = (out.get(k) ?? 0) - n;
    if (v === 0) out.delete(k);
    else out.set(k, v);
  }
  return out;
}

/** New counters with the deltas added; a counter that reaches 0 is dropped, so equal counts are equal maps. */
export function addDeltas(counters: Counters, deltas: Counters): Map<string, number> {
  const out = new Map(counters);
  for (const [k, d] of deltas) {
    const v = (out.get(k) ?? 0) + d;
    if (v === 0) out.delete(k);
    else out.set(k, v);
  }
  return out;
}

/** The counters of a whole population at once (what the incremental job's counters must always equal). */
export function countAll(persons: Iterable<UptakePerson>): Map<string, number> {
  let counters = new Map<string, number>();
  for (const p of persons) counters = addInPlace(counters, diff(undefined, contribution(p)));
  return counters;
}

function addInPlace(counters: Map<string, number>, deltas: Counters): Map<string, number> {
  for (const [k, d] of deltas) {
    const v = (counters.get(k) ?? 0) + d;
    if (v === 0) counters.delete(k);
    else counters.set(k, v);
  }
  return counters;
}

export interface UptakeDayRow extends Cell {
  day: string;
  /** People whose first dose was on this day. */
  first_dose: number;
  /** People whose series was completed on this day. */
  completed: number;
  doses: number;
}

export interface UptakeCumulativeRow extends Cell {
  as_of: string;
  people_first_dose: number;
  people_completed: number;
  doses: number;
}

export interface SiteDayRow {
  iis_id: string;
  /** The site's county (UNK when the site is not enrolled with one). */
  county: string;
  day: string;
  doses: number;
}

export interface SiteCumulativeRow {
  iis_id: string;
  county: string;
  as_of: string;
  doses: number;
}

export interface SiteCountyRow {
  county: string;
  as_of: string;
  doses: number;
}

export interface UptakeRows {
  days: UptakeDayRow[];
  cumulative: UptakeCumulativeRow[];
  siteDays: SiteDayRow[];
  sites: SiteCumulativeRow[];
  siteCounties: SiteCountyRow[];
}

export interface SiteCounty {
  county: string;
}

/**
 * The rows as of `asOf` (days after it left out), sorted: cells in their declared order then by day; sites by
 * iis_id then day; site counties in FIPS order. Cells and sites with nothing up to `asOf` have no row.
 */
export function rows(
  counters: Counters,
  asOf: string,
  sites: ReadonlyMap<string, SiteCounty> = new Map(),
): UptakeRows {
  const days = new Map<string, UptakeDayRow>();
  const cumulative = new Map<string, UptakeCumulativeRow>();
  const siteDays: SiteDayRow[] = [];
  const siteTotals = new Map<string, SiteCumulativeRow>();
  for (const [key, n] of counters) {
    const k = parseCounterKey(key);
    if (!k || k.day > asOf || n === 0) continue;
    if (k.measure === 'site') {
      const county = sites.get(k.subject)?.county ?? UNKNOWN_COUNTY;
      siteDays.push({ iis_id: k.subject, county, day: k.day, doses: n });
      const t = siteTotals.get(k.subject) ?? { iis_id: k.subject, county, as_of: asOf, doses: 0 };
      t.doses += n;
      siteTotals.set(k.subject, t);
      continue;
    }
    const cell = parseCellKey(k.subject);
    if (!cell) continue;
    const dayKey = `${k.subject}|${k.day}`;
    const d = days.get(dayKey) ?? { ...cell, day: k.day, first_dose: 0, completed: 0, doses: 0 };
    const c = cumulative.get(k.subject) ?? {
      ...cell,
      as_of: asOf,
      people_first_dose: 0,
      people_completed: 0,
      doses: 0,
    };
    if (k.measure === 'first') {
      d.first_dose += n;
      c.people_first_dose += n;
    } else if (k.measure === 'complete') {
      d.completed += n;
      c.people_completed += n;
    } else {
      d.doses += n;
      c.doses += n;
    }
    days.set(dayKey, d);
    cumulative.set(k.subject, c);
  }
  const bySite = (a: { iis_id: string }, b: { iis_id: string }) => compareText(a.iis_id, b.iis_id);
  const counties = new Map<string, SiteCountyRow>();
  for (const s of siteTotals.values()) {
    const c = counties.get(s.county) ?? { county: s.county, as_of: asOf, doses: 0 };
    c.doses += s.doses;
    counties.set(s.county, c);
  }
  return {
    days: [...days.values()].sort((a, b) => compareCells(a, b) || compareText(a.day, b.day)),
    cumulative: [...cumulative.values()].sort(compareCells),
    siteDays: siteDays.sort((a, b) => bySite(a, b) || compareText(a.day, b.day)),
    sites: [...siteTotals.values()].sort(bySite),
    siteCounties: [...counties.values()].sort(
      (a, b) =>
        dimensionRank('county', a.county) - dimensionRank('county', b.county) ||
        compareText(a.county, b.county),
    ),
  };
}
