/**
 * The nightly analytics (shared/analytics/nightly/run.ts) for one day of N dose versions across S sites, on top of
 * a history of H doses, locally. This process holds the stand-ins (in memory) and loads the stores; the job and
 * the baseline each run in a process of their own (`job run|read <day>`), so their time and peak memory are
 * theirs alone, not the stand-ins' (in AWS DynamoDB and S3 are not in the Lambda's memory either).
 *
 * The day (stored on D): ~40% second doses of history persons (linked to them), the rest first doses of new
 * persons (most linked by the matcher, a share with no person: counted in the site's record), some updates,
 * refusals, historical doses and late admin dates; rejections; persons links and pointers; the roll-up's site
 * summaries (balances on hand) and lot expirations; the answers day D−2's versions. D−1 is the last completed run.
 *
 * The history (H > 0) is built with the job's own modules, streamed person by person: each person's doses as
 * unitDoseOf gives them, contributionOf/diff per run that stored them, summed into the counter files (the
 * counters-store.ts format: days/<admin day>.json per run, cumulative/<run>.json), timeliness tallies over
 * synthetic submissions of every history day (tally.ts), every history run's ANALYTICS#RUNS record, and the
 * UNIT#/UDOSE# items (saveState) of every history person the day touches plus `untouched` persons it does not.
 * Prints one JSON line.
 * Usage: node bench/analytics.ts <doses> <sites> <history doses> <untouched persons>
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { CA_COUNTIES } from '#analytics/bands.ts';
import { type Counts, sortedJson } from '#analytics/nightly/counters-store.ts';
import { runAnalytics, trendWeeks } from '#analytics/nightly/run.ts';
import { completeRun, saveState, type UnitState } from '#analytics/nightly/state-store.ts';
import {
  contributionOf,
  doseId,
  sortDoses,
  type UnitDose,
  unitDoseOf,
  unitOfPerson,
} from '#analytics/nightly/units.ts';
import { type Rejection, recordRejections } from '#analytics/rejections.ts';
import { mergeTallies, type TallyTable, tallyJson, tallySubmissions } from '#analytics/tally.ts';
import { isoWeek, type Submission } from '#analytics/timeliness.ts';
import { type Contribution, diff, parseCounterKey } from '#analytics/uptake.ts';
import type { Dose } from '#doses/fields.ts';
import { type DoseVersion, toItem, versionsStoredOn } from '#doses/store.ts';
import { personKey } from '#persons/store.ts';
import { dynamodb } from '#platform/aws/dynamodb.ts';
import { requiredEnv } from '#platform/aws/env.ts';
import { bucketStore, type ObjectStore } from '#platform/aws/objects.ts';
import { addDays, dayStart, localDate } from '#platform/dates.ts';
import { TABLE_ENV } from '#platform/env-names.ts';
import { mapLimit } from '#platform/map-limit.ts';
import { BATCH_LIMIT, batchWrite } from '#platform/store/batch-write.ts';
import type { Site } from '#sites/site.ts';
import { createSite } from '#sites/store.ts';
import { saveSiteSummary, setLotExpiration } from '#stock/store.ts';

const STATE = 'analytics/state';
const now = new Date();
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

// ---------------------------------------------------------------------------------------------------------------
// The measured processes: `job read <day>` (versionsStoredOn, the baseline) and `job run <day>` (runAnalytics).

async function job(mode: 'run' | 'read', day: string) {
  const calls: Record<string, number> = {};
  const count = (k: string) => {
    calls[k] = (calls[k] ?? 0) + 1;
  };
  const send = dynamodb.send.bind(dynamodb) as (...a: unknown[]) => Promise<unknown>;
  (dynamodb as unknown as { send: (...a: unknown[]) => Promise<unknown> }).send = (...a: unknown[]) => {
    const cmd = a[0] as { constructor: { name: string }; input: Record<string, unknown> };
    const input = cmd.input as {
      TableName?: string;
      IndexName?: string;
      Key?: { pk?: { S?: string } };
      ExpressionAttributeValues?: Record<string, { S?: string }>;
      RequestItems?: Record<string, unknown>;
    };
    const tableName = input.TableName ?? Object.keys(input.RequestItems ?? {})[0] ?? '?';
    const pk = input.Key?.pk?.S ?? input.ExpressionAttributeValues?.[':pk']?.S ?? '';
    const prefix = pk.includes('#') ? `${pk.slice(0, pk.indexOf('#'))}#` : pk;
    const tbl = Object.entries(TABLE_ENV).find(([, env]) => process.env[env] === tableName)?.[0] ?? tableName;
    count(
      `dynamodb ${cmd.constructor.name.replace(/Command$/, '')} ${tbl}${input.IndexName ? `/${input.IndexName}` : ''} ${prefix}`.trim(),
    );
    return send(...a);
  };
  const bucket = bucketStore('REPORTS_BUCKET');
  const area = (key: string) =>
    key.startsWith(`${STATE}/`)
      ? key
          .split('/')
          .slice(0, key.includes('/timeliness/') ? 4 : 3)
          .join('/')
      : 'analytics/<day>';
  const reports: ObjectStore = {
    ...bucket,
    async get(key) {
      count(`s3 get ${area(key)}`);
      return bucket.get(key);
    },
    async put(key, body, type) {
      count(`s3 put ${area(key)}`);
      return bucket.put(key, body, type);
    },
  };

  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 50);
  // The baseline: the process with the job's modules imported, before it reads anything.
  const base = process.memoryUsage().rss;
  const out: Record<string, unknown> = { baseRssMb: base / 2 ** 20 };
  if (mode === 'read') {
    const times: number[] = [];
    let n = 0;
    for (let i = 0; i < 4; i++) {
      const t = performance.now();
      n = (await versionsStoredOn(day)).length;
      if (i > 0) times.push(performance.now() - t);
    }
    Object.assign(out, { versions: n, ms: median(times), times });
  } else {
    const t = performance.now();
    const r = await runAnalytics(day, reports, () => now);
    Object.assign(out, { ms: performance.now() - t, days: r.days, counts: r.counts, files: r.files });
  }
  clearInterval(sampler);
  // VmHWM: this process's own peak (resourceUsage().maxRSS carries the parent's over fork and exec on Linux).
  const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  if (hwm) peak = Math.max(peak, Number(hwm[1]) * 1024);
  Object.assign(out, { peakRssMb: peak / 2 ** 20, deltaMb: (peak - base) / 2 ** 20, calls });
  console.log(JSON.stringify(out));
}

// ---------------------------------------------------------------------------------------------------------------
// Deterministic synthetic people.

function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
type Rand = () => number;
const int = (r: Rand, lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
function weighted<T>(r: Rand, table: readonly (readonly [T, number])[]): T {
  let x = r() * table.reduce((s, [, w]) => s + w, 0);
  for (const [v, w] of table) {
    x -= w;
    if (x < 0) return v;
  }
  return table.at(-1)![0];
}
// Counties: a few large (Los Angeles alone about a quarter), a long tail of small ones.
const COUNTY_WEIGHTS = CA_COUNTIES.map(
  (c, i) => [c, c === '06037' ? 25 : 8 / (1 + ((i * 7) % 58) / 3)] as const,
);
const RACES: readonly (readonly [string[], number])[] = [
  [['2106-3'], 35],
  [['2028-9'], 15],
  [['2054-5'], 6],
  [['1002-5'], 1],
  [['2076-8'], 0.5],
  [['2131-1'], 20],
  [[], 15],
  [['2106-3', '2028-9'], 3],
  [['2054-5', '2106-3'], 2],
];
const ETHNICITIES = [
  ['2135-2', 38],
  ['2186-5', 50],
  [undefined, 12],
] as const;
const SEXES = [
  ['F', 51],
  ['M', 47],
  ['X', 1],
  [undefined, 1],
] as const;
const PRODUCTS = [
  { cvx: '207', mvx: 'MOD', ndc: '80777-0273-10', interval: 28, lots: ['MB01', 'MB02', 'MB03', 'MB04'] },
  { cvx: '208', mvx: 'PFR', ndc: '59267-1000-01', interval: 21, lots: ['PB01', 'PB02', 'PB03', 'PB04'] },
] as const;

interface Recipient {
  dob: string;
  county?: string;
  state: string;
  races: string[];
  ethnicity?: string;
  sex?: string;
  site: string;
  product: (typeof PRODUCTS)[number];
}

function recipient(r: Rand, sites: readonly SiteDef[], year: number): Recipient {
  const site = sites[Math.floor(r() * sites.length)]!;
  const age = Math.min(99, Math.floor(r() ** 0.8 * 95) + 5);
  const where = r();
  return {
    dob: `${year - age}-${String(int(r, 1, 12)).padStart(2, '0')}-${String(int(r, 1, 28)).padStart(2, '0')}`,
    ...(where < 0.88 ? { county: site.county } : where < 0.97 ? { county: weighted(r, COUNTY_WEIGHTS) } : {}),
    state: where > 0.99 ? 'NV' : 'CA',
    races: weighted(r, RACES),
    ...optional('ethnicity', weighted(r, ETHNICITIES)),
    ...optional('sex', weighted(r, SEXES)),
    site: site.iis_id,
    product: PRODUCTS[r() < 0.6 ? 0 : 1]!,
  };
}
const optional = <K extends string>(k: K, v: string | undefined) =>
  (v === undefined ? {} : { [k]: v }) as Partial<Record<K, string>>;

interface SiteDef {
  iis_id: string;
  county: string;
}

function version(
  p: Recipient,
  person: string,
  event: string,
  o: {
    admin: string;
    stored: string;
    num: 1 | 2;
    r: Rand;
    v?: number;
    refusal?: boolean;
    historical?: boolean;
  },
): DoseVersion {
  const dose: Dose = {
    iis_id: p.site,
    vax_event_id: event,
    recip_id: `R${person}`,
    recip_first_name: 'Bench',
    recip_last_name: `Person${person}`,
    recip_dob: p.dob,
    ...optional('recip_sex', p.sex),
    ...optional('recip_address_county', p.county),
    recip_address_state: p.state,
    ...Object.fromEntries(p.races.map((c, i) => [`recip_race_${i + 1}`, c])),
    ...optional('recip_ethnicity', p.ethnicity),
    admin_date: o.admin,
    ...(o.refusal
      ? { vax_refusal: 'YES' }
      : {
          cvx: p.product.cvx,
          mvx: p.product.mvx,
          ndc: p.product.ndc,
          lot_number: p.product.lots[Math.floor(o.r() * p.product.lots.length)]!,
          dose_num: String(o.num),
          vax_series_complete: o.num === 2 ? 'YES' : 'NO',
          vax_refusal: 'NO',
        }),
  };
  const findings =
    o.r() < 0.08 ? [{ code: o.r() < 0.5 ? 'ADDRESS_INCOMPLETE' : 'LOT_UNKNOWN', severity: 'warning' }] : [];
  return {
    iis_id: p.site,
    vax_event_id: event,
    version: o.v ?? 1,
    action: (o.v ?? 1) > 1 ? 'U' : 'A',
    content_hash: `h${event}${o.v ?? 1}`,
    dose,
    findings: findings as DoseVersion['findings'],
    stored_at: o.stored,
    submitted_by: p.site,
    ...(o.historical ? { historical: true } : {}),
  };
}

/** An instant on California day `day`, between 06:00 and 21:59 local (day starts cached: dayStart is slow). */
const starts = new Map<string, number>();
const instantOn = (day: string, r: Rand) => {
  const t = starts.get(day) ?? dayStart(day).getTime();
  starts.set(day, t);
  return new Date(t + (6 + r() * 16) * 3_600_000).toISOString();
};
/** Days between the dose and its report: most the same day, some days late. */
const lateness = (r: Rand) => {
  const x = r();
  return x < 0.85 ? 0 : x < 0.95 ? int(r, 1, 3) : int(r, 4, 14);
};

// ---------------------------------------------------------------------------------------------------------------
// Writes.

const put = (tableEnv: string, items: Record<string, AttributeValue>[], writers = 16) => {
  const batches: (typeof items)[] = [];
  for (let i = 0; i < items.length; i += BATCH_LIMIT) batches.push(items.slice(i, i + BATCH_LIMIT));
  return mapLimit(batches, writers, (b) =>
    batchWrite(
      requiredEnv(tableEnv),
      b.map((Item) => ({ PutRequest: { Item } })),
    ),
  );
};
const S = (v: string): AttributeValue => ({ S: v });

/** The link under the person and the pointer from the dose (putLink's two items). */
function linkItems(personId: string, v: DoseVersion): Record<string, AttributeValue>[] {
  const u = unitDoseOf(v);
  const d = v.dose;
  const dose = {
    iis_id: v.iis_id,
    vax_event_id: v.vax_event_id,
    admin_date: u.admin_date,
    ...optional('cvx', d.cvx),
    ...optional('mvx', d.mvx),
    ...optional('ndc', d.ndc),
    ...optional('lot_number', d.lot_number),
    ...optional('dose_num', d.dose_num),
    ...optional('vax_series_complete', d.vax_series_complete),
    ...(u.refusal ? { refusal: true } : {}),
    ...(u.historical ? { historical: true } : {}),
    stored_at: v.stored_at,
  };
  const demo = {
    first: d.recip_first_name!,
    last: d.recip_last_name!,
    dob: d.recip_dob!,
    ...optional('sex', d.recip_sex),
    ...optional('county', d.recip_address_county),
    ...optional('state', d.recip_address_state),
  };
  const pointer = `LINK#${v.iis_id}#${v.vax_event_id}`;
  return [
    {
      pk: S(personKey(personId)),
      sk: S(pointer),
      person_id: S(personId),
      demo: S(JSON.stringify(demo)),
      dose: S(JSON.stringify(dose)),
      dose_version: { N: String(v.version) },
      rule: S('bench'),
      linked_at: S(v.stored_at),
    },
    { pk: S(pointer), sk: S('PERSON'), person_id: S(personId), dose_version: { N: String(v.version) } },
  ];
}

// ---------------------------------------------------------------------------------------------------------------

async function main() {
  const [doseCount, siteCount, historyDoses, untouchedPersons] = process.argv.slice(2).map(Number) as [
    number,
    number,
    number,
    number,
  ];
  const { startStandins } = await import('./standins.ts');
  const rt = await startStandins();
  const loadStart = performance.now();
  const loads: Record<string, number> = {};
  const step = async <T>(name: string, f: () => Promise<T>): Promise<T> => {
    const t = performance.now();
    const out = await f();
    loads[name] = Math.round(performance.now() - t);
    process.stderr.write(`[analytics bench] ${name}: ${loads[name]} ms\n`);
    return out;
  };
  const D = addDays(localDate(now), -1);
  const year = Number(D.slice(0, 4));
  const reports = bucketStore('REPORTS_BUCKET');

  // Sites, spread over the counties as people are.
  const sr = rng(7);
  const sites: SiteDef[] = Array.from({ length: siteCount }, (_, i) => ({
    iis_id: `BN${String(i).padStart(5, '0')}`,
    county: weighted(sr, COUNTY_WEIGHTS),
  }));
  await step('sites, lots, roll-up summaries', async () => {
    await mapLimit(sites, 16, (s) =>
      createSite({
        iis_id: s.iis_id,
        admin_name: `Bench site ${s.iis_id}`,
        admin_type: '3',
        admin_address_county: s.county,
        admin_address_state: 'CA',
        responsible_org: 'Bench',
        enrolled_at: now.toISOString(),
      } as Site),
    );
    for (const p of PRODUCTS)
      for (const [i, lot] of p.lots.entries())
        await setLotExpiration(p.ndc, lot, addDays(D, 5 + i * 30), now, 'bench');
    await mapLimit(sites, 16, (s) =>
      saveSiteSummary({
        iis_id: s.iis_id,
        date: D,
        rows: { stock: 8, expiring: 0, admin_errors: 0 },
        totals: {
          received: 0,
          transferred_out: 0,
          administered: 0,
          wasted: 0,
          expired_spoiled: 0,
          on_hand: 0,
        },
        balances: PRODUCTS.flatMap((p) =>
          p.lots.map((lot) => ({
            iis_id: s.iis_id,
            ndc: p.ndc,
            lot_number: lot,
            on_hand: 100 + (s.iis_id.length % 7) * 50,
          })),
        ),
      }),
    );
  });

  // History shape: a fifth of its persons with one dose, the rest with two; the day touches `touched` of the
  // one-dose persons (their second dose), whose first doses were 3–6 weeks before.
  const touched = Math.round(doseCount * 0.4);
  const single = Math.round(historyDoses * 0.2);
  const double = Math.floor((historyDoses - single) / 2);
  const historyPerson = (i: number) => `H${i.toString(36).padStart(7, '0')}`;
  const personR = (i: number) => rng(1_000_003 * (i + 1));
  const HISTORY_DAYS = 130;
  // A history person: their recipient, and their doses' admin and stored days.
  const historyOf = (i: number) => {
    const r = personR(i);
    const p = recipient(r, sites, year);
    let a1: string;
    if (i < touched) a1 = addDays(D, -(p.product.interval + int(r, 0, 14)));
    else if (i < single) a1 = addDays(D, -int(r, 1, HISTORY_DAYS - 1));
    else a1 = addDays(D, -int(r, 45, HISTORY_DAYS - 1));
    const s1 = minDay(addDays(a1, lateness(r)), addDays(D, -1));
    const doses: { admin: string; stored: string; num: 1 | 2 }[] = [{ admin: a1, stored: s1, num: 1 }];
    if (i >= single) {
      const a2 = addDays(a1, p.product.interval + int(r, 0, 10));
      doses.push({ admin: a2, stored: minDay(addDays(a2, lateness(r)), addDays(D, -1)), num: 2 });
    }
    return { p, r, doses };
  };
  const historyVersions = (i: number) => {
    const { p, r, doses } = historyOf(i);
    const id = historyPerson(i);
    return {
      p,
      r,
      days: doses.map((d) => d.stored),
      versions: doses.map((d, k) =>
        version(p, id, `E${id}-${k + 1}`, { admin: d.admin, stored: instantOn(d.stored, r), num: d.num, r }),
      ),
    };
  };

  // The day: versions stored on D.
  const dayR = rng(42);
  const dayVersions: DoseVersion[] = [];
  const dayLinks: Record<string, AttributeValue>[] = [];
  const rejections: Rejection[] = [];
  let withPerson = 0;
  for (let j = 0; dayVersions.length < doseCount; j++) {
    const late = dayR() < 0.1 ? int(dayR, 1, 14) : 0;
    const admin = addDays(D, -late);
    const stored = instantOn(D, dayR);
    let v: DoseVersion;
    let person: string | undefined;
    if (j < touched) {
      // The second dose of a history person (in the no-history run, the same dose: its person has only it).
      const { p } = historyOf(j);
      person = historyPerson(j);
      v = version(p, person, `E${person}-2`, {
        admin: addDays(D, -Math.min(late, 2)),
        stored,
        num: 2,
        r: dayR,
      });
    } else {
      const p = recipient(dayR, sites, year);
      const id = `N${j.toString(36).padStart(7, '0')}`;
      const x = dayR();
      v = version(p, id, `E${id}-1`, {
        admin,
        stored,
        num: 1,
        r: dayR,
        refusal: x < 0.005,
        historical: x > 0.99,
      });
      if (dayR() < 0.03) delete v.dose.recip_id;
      // Three in four are linked by the matcher; the rest are counted in the site's record of the recipient.
      if (dayR() < 0.75) person = id;
    }
    dayVersions.push(v);
    if (person) {
      withPerson++;
      dayLinks.push(...linkItems(person, v));
    }
    // A few doses corrected the same day: a second version.
    if (dayR() < 0.03 && dayVersions.length < doseCount) {
      const u = {
        ...v,
        version: 2,
        action: 'U' as const,
        content_hash: `${v.content_hash}u`,
        dose: { ...v.dose },
      };
      u.stored_at = new Date(Date.parse(stored) + 600_000).toISOString();
      if (localDate(new Date(u.stored_at)) !== D) u.stored_at = stored;
      dayVersions.push(u);
      // The pointer and link now name version 2 (replacing version 1's: one request per key in a batch).
      if (person) dayLinks.splice(-2, 2, ...linkItems(person, u));
    }
    if (dayR() < 0.02)
      rejections.push({
        iis_id: v.iis_id,
        sender: v.iis_id,
        received_at: stored,
        admin_date: admin,
        action: 'A',
        findings: [{ code: dayR() < 0.5 ? 'CVX_UNKNOWN' : 'DOB_MISSING', severity: 'error' }],
        source: `api:bench:${j}`,
      });
  }
  await step(`the day: ${dayVersions.length} versions, links, rejections`, async () => {
    await put(TABLE_ENV.doses, dayVersions.map(toItem));
    await put(TABLE_ENV.persons, dayLinks);
    await recordRejections(rejections);
  });

  // The answers day (D−2): versions stored then, with the registry's answers; read by every night.
  const answersPerDay = Math.round(doseCount / 2);
  await step(`the answers day D-2: ${answersPerDay} versions`, async () => {
    const r = rng(99);
    const items = Array.from({ length: answersPerDay }, (_, k) => {
      const p = recipient(r, sites, year);
      const v = version(p, `A${k}`, `EA${k}`, {
        admin: addDays(D, -2 - lateness(r)),
        stored: instantOn(addDays(D, -2), r),
        num: 1,
        r,
      });
      const item = toItem(v);
      item.registry_status = S(r() < 0.95 ? 'accepted' : r() < 0.5 ? 'rejected' : 'pending');
      return item;
    });
    await put(TABLE_ENV.doses, items);
  });

  const state = { unitItems: 0, doseItems: 0, historyPersons: single + double, counterFiles: 0 };
  if (historyDoses > 0) {
    // Counters: every history person's contribution at each run that stored one of their doses.
    const perRun = new Map<string, Map<string, number>>();
    const add = (run: string, deltas: Map<string, number>) => {
      const m = perRun.get(run) ?? new Map<string, number>();
      perRun.set(run, m);
      for (const [k, n] of deltas) m.set(k, (m.get(k) ?? 0) + n);
    };
    const touchedState = new Map<string, Map<string, UnitState>>();
    const touchedUnits = new Map<string, Map<string, string>>();
    const untouchedState: { run: string; unit: string; st: UnitState; doses: [string, string][] }[] = [];
    const firstDoses: DoseVersion[] = [];
    const firstLinks: Record<string, AttributeValue>[] = [];
    await step(`history: contributions of ${single + double} persons (${historyDoses} doses)`, async () => {
      for (let i = 0; i < single + double; i++) {
        const { versions, days } = historyVersions(i);
        const unit = unitOfPerson(historyPerson(i));
        const byRun = new Map<string, UnitDose[]>();
        for (const [k, v] of versions.entries()) {
          const run = days[k]!;
          byRun.set(run, [...(byRun.get(run) ?? []), unitDoseOf(v)]);
        }
        let before: Contribution | undefined;
        const kept: UnitDose[] = [];
        for (const run of [...byRun.keys()].sort()) {
          kept.push(...byRun.get(run)!);
          const doses = sortDoses([...kept]);
          const after = contributionOf(doses);
          add(run, diff(before, after));
          before = after;
          const st: UnitState = { doses, ...(after ? { contribution: after } : {}) };
          const placed = byRun.get(run)!.map((d) => [doseId(d), unit] as [string, string]);
          if (i < touched) {
            if (!touchedState.has(run)) {
              touchedState.set(run, new Map());
              touchedUnits.set(run, new Map());
            }
            touchedState.get(run)!.set(unit, st);
            for (const [d, u] of placed) touchedUnits.get(run)!.set(d, u);
          } else if (i >= single && i < single + untouchedPersons)
            untouchedState.push({ run, unit, st, doses: placed });
        }
        if (i < touched) {
          firstDoses.push(versions[0]!);
          firstLinks.push(...linkItems(historyPerson(i), versions[0]!));
        }
      }
    });
    await step('history: counter files (days/, cumulative/, runs/)', async () => {
      const runs = [...perRun.keys()].sort();
      const days = new Map<string, Record<string, Counts>>();
      const cumulative: Counts = {};
      for (const run of runs) {
        const byDay = new Map<string, Counts>();
        for (const [key, n] of perRun.get(run)!) {
          if (n === 0) continue;
          const k = parseCounterKey(key)!;
          const c = byDay.get(k.day) ?? {};
          c[`${k.measure}|${k.subject}`] = n;
          byDay.set(k.day, c);
          const ck = `${k.measure}|${k.subject}`;
          const v = (cumulative[ck] ?? 0) + n;
          if (v === 0) delete cumulative[ck];
          else cumulative[ck] = v;
        }
        for (const [day, c] of byDay) {
          const f = days.get(day) ?? {};
          f[run] = c;
          days.set(day, f);
        }
        await reports.put(
          `${STATE}/runs/${run}.json`,
          sortedJson({ days: [...byDay.keys()].sort() }),
          'application/json',
        );
        // A night reads the previous run's cumulative and the one a week before: the older ones are not written.
        if (run >= addDays(D, -8))
          await reports.put(`${STATE}/cumulative/${run}.json`, sortedJson(cumulative), 'application/json');
        await completeRun({ date: run, completed_at: now.toISOString(), counts: { bench: 1 } });
        perRun.delete(run);
      }
      await mapLimit([...days], 8, ([day, runsOf]) =>
        reports.put(`${STATE}/days/${day}.json`, sortedJson({ runs: runsOf }), 'application/json'),
      );
      state.counterFiles = days.size + runs.length + 8;
    });
    await step('history: timeliness tallies (trend and all of D-1)', async () => {
      const perDay = Math.round(historyDoses / HISTORY_DAYS);
      const r = rng(5);
      const weeks = new Map<string, TallyTable[]>();
      for (let k = HISTORY_DAYS; k >= 1; k--) {
        const day = addDays(D, -k);
        const subs: Submission[] = [];
        for (let n = 0; n < perDay; n++) {
          const site = sites[Math.floor(r() * sites.length)]!;
          const warn = r() < 0.08;
          subs.push({
            iis_id: site.iis_id,
            sender: site.iis_id,
            county: site.county,
            admin_date: addDays(day, -lateness(r)),
            received_at: instantOn(day, r),
            accepted: true,
            first_report: r() < 0.97,
            findings: warn ? [{ code: 'ADDRESS_INCOMPLETE', severity: 'warning' }] : [],
            registry: r() < 0.95 ? 'accepted' : 'rejected',
            cdc: r() < 0.98 ? 'accepted' : 'refused',
          });
        }
        // With their answers filled in: the same table as the job's reports tally merged with its answers tally.
        const week = isoWeek(day);
        weeks.set(week, [...(weeks.get(week) ?? []), tallySubmissions(subs)]);
      }
      const last = addDays(D, -1);
      const trendOf = new Set(trendWeeks(last));
      const trend = mergeTallies([...weeks].filter(([w]) => trendOf.has(w)).flatMap(([, t]) => t));
      // As run.ts's allWeeks: each table's week replaced by "all".
      const allOf = (t: TallyTable) =>
        mergeTallies(Object.entries(t).map(([k, v]) => ({ [`${k.slice(0, k.lastIndexOf('|'))}|all`]: v })));
      const all = mergeTallies([...weeks.values()].map((t) => allOf(mergeTallies(t))));
      await reports.put(`${STATE}/timeliness/trend/${last}.json`, tallyJson(trend), 'application/json');
      await reports.put(`${STATE}/timeliness/all/${last}.json`, tallyJson(all), 'application/json');
    });
    await step(
      `history: state of the ${touched} persons the day touches, their first doses and links`,
      async () => {
        for (const [run, units] of touchedState) {
          await saveState(run, units, touchedUnits.get(run)!);
          state.unitItems += units.size;
          state.doseItems += touchedUnits.get(run)!.size;
        }
        await put(TABLE_ENV.doses, firstDoses.map(toItem));
        await put(TABLE_ENV.persons, firstLinks);
      },
    );
    await step(`history: state of ${untouchedPersons} persons the day does not touch`, async () => {
      const items: Record<string, AttributeValue>[] = [];
      for (const u of untouchedState) {
        items.push({ pk: S(`UNIT#${u.unit}`), sk: S(`R#${u.run}`), state: S(JSON.stringify(u.st)) });
        for (const [d, unit] of u.doses)
          items.push({ pk: S(`UDOSE#${d}`), sk: S(`R#${u.run}`), unit: S(unit) });
        state.unitItems++;
        state.doseItems += u.doses.length;
      }
      untouchedState.length = 0;
      // saveState's item layout (state-store.ts), written in bulk.
      await put(TABLE_ENV.analytics, items, 32);
    });
  }
  // The previous night: D−1 completed (with the history, its record is written above).
  await completeRun({ date: addDays(D, -1), completed_at: now.toISOString(), counts: { bench: 1 } });
  const loadMs = performance.now() - loadStart;

  const child = (mode: 'run' | 'read') =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const c = spawn(
        process.execPath,
        [
          ...(process.env.BENCH_PROF ? ['--cpu-prof', '--cpu-prof-dir=.bench/prof'] : []),
          '--max-old-space-size=8192',
          import.meta.filename,
          'job',
          mode,
          D,
        ],
        {
          env: process.env,
          stdio: ['ignore', 'pipe', 'inherit'],
        },
      );
      let out = '';
      c.stdout.on('data', (b: Buffer) => {
        out += b.toString();
      });
      c.on('exit', (code) =>
        code === 0
          ? resolve(JSON.parse(out.trim().split('\n').at(-1)!))
          : reject(new Error(`job ${mode}: ${code}`)),
      );
    });
  process.stderr.write('[analytics bench] reading the day\n');
  const read = await child('read');
  process.stderr.write(`[analytics bench] read: ${Math.round(read.ms as number)} ms; running the night\n`);
  const run = await child('run');
  process.stderr.write(`[analytics bench] run: ${Math.round(run.ms as number)} ms\n`);
  await rt.stop();
  console.log(
    JSON.stringify({
      day: D,
      doses: doseCount,
      versions: dayVersions.length,
      withPerson,
      touched: historyDoses > 0 ? touched : 0,
      rejections: rejections.length,
      sites: siteCount,
      historyDoses,
      state,
      loads,
      loadMs,
      read,
      run,
    }),
  );
}

const minDay = (a: string, b: string) => (a < b ? a : b);

if (process.argv[2] === 'job') await job(process.argv[3] as 'run' | 'read', process.argv[4]!);
else await main();
