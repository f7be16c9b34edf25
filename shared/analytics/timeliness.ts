/**
 * Timeliness and data quality per site (issue 15), as registries and CDC score reporting: per site, per sending
 * facility, per county or statewide, over all time or by ISO week of receipt.
 *
 * The clock (docs/analytics.md "Timeliness"): no time of day is reported with a dose, so a delay is counted from
 * the END of the administration day in California (midnight after it) to the moment we received the report; a
 * report received on the day of the dose has no delay. Counting from the end never blames a site for hours the
 * dose may not yet have been given, so a dose given at 5 pm and sent the next afternoon is "within 24 hours".
 *
 * Only a dose's first accepted report is timed: an update of a dose already reported is not a late report, and a
 * historical record (copied from a card) was never due. Every submission counts for the rejection rate.
 */

import { addDays, dayStart, isDay, localDate } from '#platform/dates.ts';
import type { Severity } from '#platform/findings.ts';
import { compareText, dimensionRank } from './cells.ts';
import { TIMELINESS, type TimelinessRule } from './config.ts';

export interface Submission {
  iis_id: string;
  /** Who sent it (the EHR vendor, the chain's head office, the site itself). */
  sender: string;
  /** The site's county (FIPS), when the site is enrolled with one. */
  county?: string;
  /** YYYY-MM-DD as submitted (a rejected report may have none, or a bad one). */
  admin_date?: string;
  /** When we received it (ISO instant). */
  received_at: string;
  accepted: boolean;
  /** The first accepted report of this dose (not an update, not a delete). */
  first_report?: boolean;
  historical?: boolean;
  findings: readonly { code: string; severity: Severity }[];
  /** The regional registry's answer, for accepted doses sent on. */
  registry?: 'accepted' | 'rejected' | 'pending';
  /** CDC's answer to the dose's record. */
  cdc?: 'accepted' | 'refused' | 'pending';
}

export type ScoreBy = 'site' | 'sender' | 'county' | 'state';

export interface Scorecard {
  by: ScoreBy;
  key: string;
  /** ISO week of receipt (2021-W09), or "all". */
  week: string;
  submitted: number;
  accepted: number;
  rejected: number;
  /** rejected ÷ submitted (4 decimals). */
  rejection_rate: number | null;
  /** First reports of doses, with a real admin date, that were timed. */
  timed: number;
  within_24h: number | null;
  within_72h: number | null;
  median_delay_hours: number | null;
  /** Warning findings on accepted doses. */
  warnings: number;
  warnings_per_100: number | null;
  /** The most frequent finding codes (any severity), most first; ties by code. */
  top_codes: { code: string; count: number }[];
  registry_answered: number;
  /** accepted ÷ answered (pending left out). */
  registry_acceptance_rate: number | null;
  cdc_answered: number;
  /** refused ÷ answered by CDC. */
  cdc_refused_share: number | null;
}

const MINUTE = 60_000;
const round = (x: number, places: number) => Math.round(x * 10 ** places) / 10 ** places;
const share = (n: number, d: number) => (d > 0 ? round(n / d, 4) : null);

// A night's job times ~100,000 reports over a few hundred admin days: find each day's end once.
const dayEnds = new Map<string, number>();

/**
 * Whole minutes (seconds dropped) from the end of the admin day (California) to receipt; 0 when received that
 * day; undefined when untimed. Whole minutes let a stored tally (tally.ts) keep every delay exactly.
 */
export function delayMinutes(adminDate: string | undefined, receivedAt: string): number | undefined {
  if (!adminDate || !isDay(adminDate)) return undefined;
  const received = Date.parse(receivedAt);
  if (Number.isNaN(received)) return undefined;
  let end = dayEnds.get(adminDate);
  if (end === undefined) {
    end = dayStart(addDays(adminDate, 1)).getTime();
    dayEnds.set(adminDate, end);
  }
  return Math.max(0, Math.floor((received - end) / MINUTE));
}

/** The delay in hours, counted in whole minutes (delayMinutes ÷ 60); undefined when untimed. */
export function delayHours(adminDate: string | undefined, receivedAt: string): number | undefined {
  const minutes = delayMinutes(adminDate, receivedAt);
  return minutes === undefined ? undefined : minutes / 60;
}

/** ISO 8601 week of a day: weeks start on Monday; week 1 holds the year's first Thursday. */
export function isoWeek(day: string): string {
  const t = Date.UTC(Number(day.slice(0, 4)), Number(day.slice(5, 7)) - 1, Number(day.slice(8, 10)));
  const weekday = (new Date(t).getUTCDay() + 6) % 7; // Monday 0
  const thursday = new Date(t + (3 - weekday) * 86_400_000);
  const year = thursday.getUTCFullYear();
  const week = Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / (7 * 86_400_000)) + 1;
  return `${year}-W${String(week).padStart(2, '0')}`;
}

/** The ISO week of the California day an instant falls on; UNK for a time that cannot be read. */
export function weekOf(receivedAt: string): string {
  const t = Date.parse(receivedAt);
  return Number.isNaN(t) ? 'UNK' : isoWeek(localDate(new Date(t)));
}

function median(sorted: readonly number[]): number | null {
  if (sorted.length === 0) return null;
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The scorecard key a submission counts under. */
export const keyOf = (s: Submission, by: ScoreBy): string =>
  by === 'site' ? s.iis_id : by === 'sender' ? s.sender : by === 'county' ? (s.county ?? 'UNK') : 'CA';

/** One scorecard per key (and per week of receipt when weekly), sorted by key then week. */
export function scorecards(
  submissions: readonly Submission[],
  by: ScoreBy,
  weekly = false,
  rule: TimelinessRule = TIMELINESS,
): Scorecard[] {
  const groups = new Map<string, { key: string; week: string; subs: Submission[] }>();
  for (const s of submissions) {
    const key = keyOf(s, by);
    const week = weekly ? weekOf(s.received_at) : 'all';
    const id = `${key}\u0000${week}`;
    const g = groups.get(id) ?? { key, week, subs: [] };
    g.subs.push(s);
    groups.set(id, g);
  }
  const order = (a: string, b: string) =>
    by === 'county'
      ? dimensionRank('county', a) - dimensionRank('county', b) || compareText(a, b)
      : compareText(a, b);
  return [...groups.values()]
    .sort((a, b) => order(a.key, b.key) || compareText(a.week, b.week))
    .map((g) => ({ by, key: g.key, week: g.week, ...score(g.subs, rule) }));
}

/** The figures of one group of submissions. */
export function score(
  subs: readonly Submission[],
  rule: TimelinessRule = TIMELINESS,
): Omit<Scorecard, 'by' | 'key' | 'week'> {
  const [short, long] = rule.withinHours;
  let accepted = 0;
  let warnings = 0;
  let registryAnswered = 0;
  let registryAccepted = 0;
  let cdcAnswered = 0;
  let cdcRefused = 0;
  const delays: number[] = [];
  const codes = new Map<string, number>();
  for (const s of subs) {
    for (const f of s.findings) codes.set(f.code, (codes.get(f.code) ?? 0) + 1);
    if (!s.accepted) continue;
    accepted++;
    warnings += s.findings.filter((f) => f.severity === 'warning').length;
    if (s.registry === 'accepted' || s.registry === 'rejected') {
      registryAnswered++;
      if (s.registry === 'accepted') registryAccepted++;
    }
    if (s.cdc === 'accepted' || s.cdc === 'refused') {
      cdcAnswered++;
      if (s.cdc === 'refused') cdcRefused++;
    }
    if (!s.first_report || s.historical) continue;
    const delay = delayHours(s.admin_date, s.received_at);
    if (delay !== undefined) delays.push(delay);
  }
  delays.sort((a, b) => a - b);
  const med = median(delays);
  const rejected = subs.length - accepted;
  return {
    submitted: subs.length,
    accepted,
    rejected,
    rejection_rate: share(rejected, subs.length),
    timed: delays.length,
    within_24h: share(delays.filter((d) => d <= short).length, delays.length),
    within_72h: share(delays.filter((d) => d <= long).length, delays.length),
    median_delay_hours: med === null ? null : round(med, 1),
    warnings,
    warnings_per_100: accepted > 0 ? round((warnings * 100) / accepted, 1) : null,
    top_codes: [...codes.entries()]
      .sort(([a, n], [b, m]) => m - n || compareText(a, b))
      .slice(0, rule.topCodes)
      .map(([code, count]) => ({ code, count })),
    registry_answered: registryAnswered,
    registry_acceptance_rate: share(registryAccepted, registryAnswered),
    cdc_answered: cdcAnswered,
    cdc_refused_share: share(cdcRefused, cdcAnswered),
  };
}
