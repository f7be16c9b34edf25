/**
 * Mergeable timeliness scorecards (issue 15). scorecards() needs every submission in memory; the nightly job sees
 * one received day at a time (~100,000 submissions) and must not re-read earlier days. So each day is reduced to
 * a TallyTable (plain JSON: counts, finding-code counts, registry/CDC answer counts and a histogram of delays in
 * whole minutes), stored, and merged with the other days' tables; the scorecards are read off the merged table.
 *
 * - A table holds every grouping at once, keyed `${by}|${key}|${week}` with the ISO week of receipt (California
 *   day, weekOf in timeliness.ts, as scorecards(…, true) uses).
 * - mergeTallies adds tables: associative and commutative, so days may be merged in any order or grouping.
 * - scorecardsOf (one week or several) and allTime (all weeks merged) give exactly what scorecards() gives for the
 *   same submissions: same order, same figures. Delays are whole minutes both here and in score() (delayMinutes),
 *   so the histogram's median and within-N-hours shares are those of the sorted list of delays.
 * - tallyJson writes a table with its keys sorted at every level: identical tallies give identical bytes.
 */

import { compareText, dimensionRank } from './cells.ts';
import { TIMELINESS, type TimelinessRule } from './config.ts';
import { delayMinutes, keyOf, type ScoreBy, type Scorecard, type Submission, weekOf } from './timeliness.ts';

/** The counts behind one scorecard: plain JSON, added field by field when merged. */
export interface Tally {
  /** Every submission (adds, updates, deletes; accepted or not). */
  submitted: number;
  accepted: number;
  /** Warning findings on accepted submissions. */
  warnings: number;
  /** Finding codes (any severity, on every submission) → how many. */
  codes: Record<string, number>;
  /** Timed reports' delays: whole minutes after the end of the admin day → how many reports. */
  delay_minutes: Record<string, number>;
  /** Accepted submissions the regional registry accepted / rejected (pending is not an answer). */
  registry_accepted: number;
  registry_rejected: number;
  /** Accepted submissions whose record CDC accepted / refused. */
  cdc_accepted: number;
  cdc_refused: number;
}

/** Tallies keyed `${by}|${key}|${week}` (week: ISO week of receipt, or UNK when the receipt time is unreadable). */
export type TallyTable = Record<string, Tally>;

const BYS: readonly ScoreBy[] = ['site', 'sender', 'county', 'state'];

const emptyTally = (): Tally => ({
  submitted: 0,
  accepted: 0,
  warnings: 0,
  codes: {},
  delay_minutes: {},
  registry_accepted: 0,
  registry_rejected: 0,
  cdc_accepted: 0,
  cdc_refused: 0,
});

/** `${by}|${key}|${week}`: `by` and the week never hold a "|", so a key that does is still read back whole. */
export const tallyKey = (by: ScoreBy, key: string, week: string): string => `${by}|${key}|${week}`;

function splitKey(id: string): { by: string; key: string; week: string } {
  const first = id.indexOf('|');
  const last = id.lastIndexOf('|');
  return { by: id.slice(0, first), key: id.slice(first + 1, last), week: id.slice(last + 1) };
}

/** The tallies a submission counts in: one per grouping, all in its week of receipt. */
function tallies(table: TallyTable, s: Submission, week: string): Tally[] {
  return BYS.map((by) => {
    const id = tallyKey(by, keyOf(s, by), week);
    let t = table[id];
    if (t === undefined) {
      t = emptyTally();
      table[id] = t;
    }
    return t;
  });
}

function countAnswers(t: Tally, s: Submission): void {
  if (s.registry === 'accepted') t.registry_accepted++;
  else if (s.registry === 'rejected') t.registry_rejected++;
  if (s.cdc === 'accepted') t.cdc_accepted++;
  else if (s.cdc === 'refused') t.cdc_refused++;
}

const bump = (counts: Record<string, number>, key: string, by = 1) => {
  counts[key] = (counts[key] ?? 0) + by;
};

/**
 * One day's (or any batch's) submissions, every grouping at once. The registry and CDC answers the submissions
 * carry are counted too; leave them undefined when answers are tallied apart (tallyAnswers).
 */
export function tallySubmissions(subs: readonly Submission[]): TallyTable {
  const table: TallyTable = {};
  for (const s of subs) {
    const groups = tallies(table, s, weekOf(s.received_at));
    const warnings = s.accepted ? s.findings.filter((f) => f.severity === 'warning').length : 0;
    const delay =
      s.accepted && s.first_report && !s.historical ? delayMinutes(s.admin_date, s.received_at) : undefined;
    for (const t of groups) {
      t.submitted++;
      for (const f of s.findings) bump(t.codes, f.code);
      if (!s.accepted) continue;
      t.accepted++;
      t.warnings += warnings;
      countAnswers(t, s);
      if (delay !== undefined) bump(t.delay_minutes, String(delay));
    }
  }
  return sorted(table);
}

/**
 * Only the registry and CDC answers (every other count 0), each in its submission's groups and week of RECEIPT,
 * as score() counts them (accepted submissions only; pending is not an answer). Answers arrive days after the
 * report, so the nightly job may tally the reports when they arrive, with registry/cdc left undefined, and the
 * answers later: mergeTallies([tallySubmissions(reportsWithoutAnswers), tallyAnswers(reportsWithAnswers)]) gives
 * the same scorecards as tallySubmissions(reportsWithAnswers) (the same table, in fact).
 *
 * The submissions given here must be the reports as received (same site, sender, county, receipt time, accepted)
 * with their answers filled in. Each answer must be counted once: a submission's answer belongs in one answers
 * table only, so build the answers tally of a week afresh from every answer known so far and let it REPLACE the
 * week's previous answers tally (never merge two answers tallies that cover the same submissions), or tally each
 * answer only once it is final. Submissions whose answers are still pending add nothing.
 */
export function tallyAnswers(subs: readonly Submission[]): TallyTable {
  const table: TallyTable = {};
  for (const s of subs) {
    if (!s.accepted) continue;
    const answered =
      s.registry === 'accepted' || s.registry === 'rejected' || s.cdc === 'accepted' || s.cdc === 'refused';
    if (!answered) continue;
    for (const t of tallies(table, s, weekOf(s.received_at))) countAnswers(t, s);
  }
  return sorted(table);
}

function addInto(into: Tally, t: Tally): void {
  into.submitted += t.submitted;
  into.accepted += t.accepted;
  into.warnings += t.warnings;
  into.registry_accepted += t.registry_accepted;
  into.registry_rejected += t.registry_rejected;
  into.cdc_accepted += t.cdc_accepted;
  into.cdc_refused += t.cdc_refused;
  for (const [code, n] of Object.entries(t.codes)) bump(into.codes, code, n);
  for (const [minutes, n] of Object.entries(t.delay_minutes)) bump(into.delay_minutes, minutes, n);
}

/** A copy with the table's and each tally's code keys in code-unit order (histogram keys, being integers, sort
 * themselves), so a merged table lists its keys the same whatever the order of the parts. */
function sorted(table: TallyTable): TallyTable {
  const out: TallyTable = {};
  for (const id of Object.keys(table).sort(compareText)) {
    const t = table[id]!;
    const codes: Record<string, number> = {};
    for (const code of Object.keys(t.codes).sort(compareText)) codes[code] = t.codes[code]!;
    out[id] = { ...t, codes, delay_minutes: { ...t.delay_minutes } };
  }
  return out;
}

/** The sum of the tables (inputs untouched). Associative and commutative: the order of the parts does not matter. */
export function mergeTallies(tables: readonly TallyTable[]): TallyTable {
  const out: TallyTable = {};
  for (const table of tables) {
    for (const [id, t] of Object.entries(table)) {
      let into = out[id];
      if (into === undefined) {
        into = emptyTally();
        out[id] = into;
      }
      addInto(into, t);
    }
  }
  return sorted(out);
}

// The figures, rounded as score() rounds them.
const round = (x: number, places: number) => Math.round(x * 10 ** places) / 10 ** places;
const share = (n: number, d: number) => (d > 0 ? round(n / d, 4) : null);

/** The scorecard figures of one tally: the same as score() gives for the submissions it counts. */
export function figures(t: Tally, rule: TimelinessRule = TIMELINESS): Omit<Scorecard, 'by' | 'key' | 'week'> {
  const [short, long] = rule.withinHours;
  // Hours as score() has them (whole minutes ÷ 60), ascending.
  const delays = Object.entries(t.delay_minutes)
    .map(([minutes, n]) => [Number(minutes) / 60, n] as const)
    .sort(([a], [b]) => a - b);
  let timed = 0;
  let within24 = 0;
  let within72 = 0;
  for (const [hours, n] of delays) {
    timed += n;
    if (hours <= short) within24 += n;
    if (hours <= long) within72 += n;
  }
  // The value at a 0-based position of the sorted list of delays.
  const at = (position: number) => {
    let seen = 0;
    for (const [hours, n] of delays) {
      seen += n;
      if (position < seen) return hours;
    }
    throw new Error('delay histogram position out of range');
  };
  const mid = timed >> 1;
  const median = timed === 0 ? null : timed % 2 ? at(mid) : (at(mid - 1) + at(mid)) / 2;
  const rejected = t.submitted - t.accepted;
  const registryAnswered = t.registry_accepted + t.registry_rejected;
  const cdcAnswered = t.cdc_accepted + t.cdc_refused;
  return {
    submitted: t.submitted,
    accepted: t.accepted,
    rejected,
    rejection_rate: share(rejected, t.submitted),
    timed,
    within_24h: share(within24, timed),
    within_72h: share(within72, timed),
    median_delay_hours: median === null ? null : round(median, 1),
    warnings: t.warnings,
    warnings_per_100: t.accepted > 0 ? round((t.warnings * 100) / t.accepted, 1) : null,
    top_codes: Object.entries(t.codes)
      .sort(([a, n], [b, m]) => m - n || compareText(a, b))
      .slice(0, rule.topCodes)
      .map(([code, count]) => ({ code, count })),
    registry_answered: registryAnswered,
    registry_acceptance_rate: share(t.registry_accepted, registryAnswered),
    cdc_answered: cdcAnswered,
    cdc_refused_share: share(t.cdc_refused, cdcAnswered),
  };
}

/** Sorted by key (counties in their published order) then week, as scorecards() sorts. */
function ordered(
  by: ScoreBy,
  groups: Map<string, { key: string; week: string; tally: Tally }>,
  rule: TimelinessRule,
) {
  const order = (a: string, b: string) =>
    by === 'county'
      ? dimensionRank('county', a) - dimensionRank('county', b) || compareText(a, b)
      : compareText(a, b);
  return [...groups.values()]
    .sort((a, b) => order(a.key, b.key) || compareText(a.week, b.week))
    .map((g): Scorecard => ({ by, key: g.key, week: g.week, ...figures(g.tally, rule) }));
}

/**
 * The weekly scorecards of one grouping, for the given weeks (all when omitted): the same, in the same order, as
 * scorecards(subs, by, true) restricted to those weeks. A group with no submissions in the table (answers alone)
 * has no scorecard, as in scorecards().
 */
export function scorecardsOf(
  table: TallyTable,
  by: ScoreBy,
  weeks?: readonly string[],
  rule: TimelinessRule = TIMELINESS,
): Scorecard[] {
  const wanted = weeks === undefined ? undefined : new Set(weeks);
  const groups = new Map<string, { key: string; week: string; tally: Tally }>();
  for (const [id, tally] of Object.entries(table)) {
    const g = splitKey(id);
    if (g.by !== by || tally.submitted === 0 || (wanted && !wanted.has(g.week))) continue;
    groups.set(id, { key: g.key, week: g.week, tally });
  }
  return ordered(by, groups, rule);
}

/** All weeks merged per key (week "all"): the same as scorecards(subs, by, false). */
export function allTime(table: TallyTable, by: ScoreBy, rule: TimelinessRule = TIMELINESS): Scorecard[] {
  const groups = new Map<string, { key: string; week: string; tally: Tally }>();
  for (const [id, tally] of Object.entries(table)) {
    const g = splitKey(id);
    if (g.by !== by) continue;
    let into = groups.get(g.key);
    if (into === undefined) {
      into = { key: g.key, week: 'all', tally: emptyTally() };
      groups.set(g.key, into);
    }
    addInto(into.tally, tally);
  }
  for (const [key, g] of groups) if (g.tally.submitted === 0) groups.delete(key);
  return ordered(by, groups, rule);
}

/** JSON with the keys sorted (code-unit order) at every level: identical tallies give byte-identical text. */
export function tallyJson(table: TallyTable): string {
  return canonical(table);
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => compareText(a, b));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
