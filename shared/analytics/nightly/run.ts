/**
 * The nightly analytics (issue 15) against the stores: after the stock roll-up of a day, read what was stored
 * that day, update the uptake counters and timeliness tallies from the state the previous night left, and write
 * the day's files (figures.ts). Missed days before it are run first, oldest first, like the roll-up.
 *
 * Each night reads only its own day (and, for registry and CDC answers, the day ANSWER_LAG days before it: those
 * answers come after the report), plus state whose size does not depend on the history (per-cell counters,
 * per-group tallies, the units its doses touch): a night's work grows with the day, not with the years behind it.
 */
import { answersOfDay } from '#cdc/store.ts';
import { type DoseVersion, versionsStoredOn } from '#doses/store.ts';
import type { ObjectStore } from '#platform/aws/objects.ts';
import { addDays } from '#platform/dates.ts';
import { mapLimit } from '#platform/map-limit.ts';
import { getSite } from '#sites/store.ts';
import { asOf, lotExpirations, siteSummaries } from '#stock/store.ts';
import { SUPPLY, TIMELINESS } from '../config.ts';
import { denominatorRows, denominatorsInForce } from '../denominators-store.ts';
import { rejectionsOn } from '../rejections.ts';
import { mergeTallies, type TallyTable, tallyAnswers, tallyJson, tallySubmissions } from '../tally.ts';
import { isoWeek, type Submission } from '../timeliness.ts';
import { counterKey } from '../uptake.ts';
import { cumulativeAsOf, dayAsOf, daysChangedBy, readJson, recordRun, sortedJson } from './counters-store.ts';
import { type NightInputs, nightFiles, type SiteInfo } from './figures.ts';
import { completedRunBefore, completeRun } from './state-store.ts';
import { uptakeDay } from './uptake-day.ts';

/** Where the very first run starts (as the roll-up does), so the weeks before it still count. */
export const CATCH_UP_DAYS = 31;
const CONCURRENCY = 16;
const STATE = 'analytics/state/timeliness';

export interface AnalyticsResult {
  date: string;
  /** Days run, oldest first (missed days before the one asked for). */
  days: string[];
  counts: Record<string, number>;
  files: number;
  site_ids: string[];
}

export const analyticsKey = (date: string, name: string) => `analytics/${date}/${name}`;

export async function runAnalytics(
  date: string,
  reports: ObjectStore,
  now: () => Date,
): Promise<AnalyticsResult> {
  const done = await completedRunBefore(date);
  const already = await completedRunBefore(addDays(date, 1));
  // A day run before is run again alone (its state reads stop before it); otherwise catch up from the last run.
  const start = already === date ? date : done ? addDays(done, 1) : addDays(date, -CATCH_UP_DAYS);
  const days: string[] = [];
  let last: Omit<AnalyticsResult, 'date' | 'days'> = { counts: {}, files: 0, site_ids: [] };
  for (let day = start; day <= date; day = addDays(day, 1)) {
    last = await runDay(day, reports, now);
    days.push(day);
  }
  return { date, days, ...last };
}

async function runDay(day: string, reports: ObjectStore, now: () => Date) {
  const previous = await completedRunBefore(day);
  const answersDay = addDays(day, -TIMELINESS.answerLagDays);
  const [versions, rejections, answeredVersions, cdcAnswers] = await Promise.all([
    versionsStoredOn(day),
    rejectionsOn(day),
    versionsStoredOn(answersDay),
    answersOfDay(answersDay),
  ]);

  const uptake = await uptakeDay(day, versions);
  const changed = await recordRun(reports, day, uptake.deltas, previous);

  const siteIds = new Set<string>([
    ...versions.map((v) => v.iis_id),
    ...rejections.map((r) => r.iis_id),
    ...answeredVersions.map((v) => v.iis_id),
  ]);
  const summaries = await siteSummaries(day);
  for (const s of summaries) siteIds.add(s.iis_id);
  // Pace: the site counters of the pace days as of this run (each day's file is small: one day).
  const paceDays = Array.from({ length: SUPPLY.paceDays }, (_, i) => addDays(day, -i));
  const dayCounters = new Map<string, number>();
  await mapLimit([...new Set([...changed, day])], CONCURRENCY, async (d) => {
    for (const [k, n] of await dayAsOf(reports, d, day)) dayCounters.set(k, n);
  });
  const pace = new Map<string, number>();
  await mapLimit(paceDays, CONCURRENCY, async (d) => {
    for (const [k, n] of await dayAsOf(reports, d, day)) if (k.startsWith('site|')) pace.set(k, n);
  });
  for (const k of pace.keys()) siteIds.add(k.split('|')[1]!);
  const sites = new Map<string, SiteInfo>();
  await mapLimit([...siteIds].sort(), CONCURRENCY, async (iis) => {
    const site = await getSite(iis);
    sites.set(iis, {
      county: site?.admin_address_county ?? 'UNK',
      sender: site?.sending_facility_iis_id ?? iis,
    });
  });

  // Timeliness: the day's reports as received; the answers to the reports of ANSWER_LAG days before.
  const submissions = [
    ...versions.map((v) => submissionOf(v, sites)),
    ...rejections.map(
      (r): Submission => ({
        iis_id: r.iis_id,
        sender: r.sender,
        county: sites.get(r.iis_id)?.county,
        ...(r.admin_date ? { admin_date: r.admin_date } : {}),
        received_at: r.received_at,
        accepted: false,
        findings: r.findings,
      }),
    ),
  ];
  const reporting = tallySubmissions(submissions);
  const answers = tallyAnswers(
    answeredVersions.map((v) => ({
      ...submissionOf(v, sites),
      ...registryAnswer(v),
      cdc: cdcAnswers.get(`${v.iis_id}#${v.vax_event_id}#${v.version}`) ?? 'pending',
    })),
  );
  await Promise.all([
    reports.put(`${STATE}/days/${day}/reporting.json`, tallyJson(reporting), 'application/json'),
    reports.put(`${STATE}/days/${answersDay}/answers.json`, tallyJson(answers), 'application/json'),
  ]);
  const weeks = trendWeeks(day);
  const prevTrend = previous
    ? await readJson<TallyTable>(reports, `${STATE}/trend/${previous}.json`)
    : undefined;
  const prevAll = previous ? await readJson<TallyTable>(reports, `${STATE}/all/${previous}.json`) : undefined;
  const trend = keepWeeks(mergeTallies([prevTrend ?? {}, reporting, answers]), new Set(weeks));
  const all = mergeTallies([prevAll ?? {}, allWeeks(reporting), allWeeks(answers)]);
  await Promise.all([
    reports.put(`${STATE}/trend/${day}.json`, tallyJson(trend), 'application/json'),
    reports.put(`${STATE}/all/${day}.json`, tallyJson(all), 'application/json'),
  ]);

  // Supply: the roll-up's closing balances and every dated lot on hand.
  const onHand = summaries.flatMap((s) => s.balances);
  const lots = new Map(onHand.map((b) => [`${b.ndc}|${b.lot_number}`, b]));
  const expirations = new Map<string, string>();
  await mapLimit([...lots.values()], CONCURRENCY, async (b) => {
    const e = asOf(await lotExpirations(b.ndc, b.lot_number), day);
    if (e) expirations.set(`${b.ndc}|${b.lot_number}`, e);
  });

  const inForce = await denominatorsInForce();
  const rows = inForce ? await denominatorRows(inForce.version) : undefined;
  const cumulative = (await cumulativeAsOf(reports, day)) ?? {};
  const weekBefore = await cumulativeAsOf(reports, addDays(day, -7));
  const input: NightInputs = {
    date: day,
    days: dayCounters,
    cumulative,
    ...(weekBefore ? { weekBefore } : {}),
    pace,
    sites,
    onHand,
    expirations,
    ...(inForce && rows ? { denominators: { version: inForce.version, rows } } : {}),
    timeliness: { weeks, trend, all },
  };
  const { files, siteIds: reported } = nightFiles(input);
  await mapLimit(files, CONCURRENCY, (f) => reports.put(f.key, f.body, f.type));
  const counts = {
    versions: versions.length,
    rejections: rejections.length,
    units: uptake.units,
    moved: uptake.moved,
    days_changed: changed.length,
    sites: reported.length,
  };
  const result = {
    date: day,
    counts,
    files: files.length,
    site_ids: reported,
    keys: files.map((f) => f.key),
  };
  await reports.put(analyticsKey(day, 'done.json'), `${sortedJson(result)}\n`, 'application/json');
  await completeRun({ date: day, completed_at: now().toISOString(), counts });
  return { counts, files: files.length, site_ids: reported };
}

function submissionOf(v: DoseVersion, sites: ReadonlyMap<string, SiteInfo>): Submission {
  return {
    iis_id: v.iis_id,
    sender: v.submitted_by,
    county: sites.get(v.iis_id)?.county,
    ...(v.dose.admin_date ? { admin_date: v.dose.admin_date } : {}),
    received_at: v.stored_at,
    accepted: true,
    first_report: v.action === 'A' && v.version === 1,
    ...(v.historical ? { historical: true } : {}),
    findings: v.findings.map((f) => ({ code: f.code, severity: f.severity })),
  };
}

function registryAnswer(v: DoseVersion): Pick<Submission, 'registry'> {
  const s = v.registry_status;
  if (s === 'accepted' || s === 'accepted-with-warnings') return { registry: 'accepted' };
  if (s === 'rejected') return { registry: 'rejected' };
  // Not sent (no registry for the site, a delete of a dose never sent) is not an answer.
  return s === 'not-sent' ? {} : { registry: 'pending' };
}

/** The ISO weeks of the trend, oldest first, ending with the run day's week. */
export function trendWeeks(day: string): string[] {
  const weeks = new Set<string>();
  for (let i = TIMELINESS.trendWeeks - 1; i >= 0; i--) weeks.add(isoWeek(addDays(day, -7 * i)));
  return [...weeks];
}

const weekOfKey = (k: string) => k.slice(k.lastIndexOf('|') + 1);

function keepWeeks(t: TallyTable, weeks: ReadonlySet<string>): TallyTable {
  return Object.fromEntries(Object.entries(t).filter(([k]) => weeks.has(weekOfKey(k))));
}

function allWeeks(t: TallyTable): TallyTable {
  return mergeTallies(Object.entries(t).map(([k, v]) => ({ [`${k.slice(0, k.lastIndexOf('|'))}|all`]: v })));
}

/** Re-exported for the API: which admin days a run changed. */
export { counterKey, daysChangedBy };
