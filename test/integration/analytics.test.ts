import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGE_BANDS, CA_COUNTIES } from '#analytics/bands.ts';
import { dayAsOf } from '#analytics/nightly/counters-store.ts';
import { runAnalytics } from '#analytics/nightly/run.ts';
import { bucketStore } from '#platform/aws/objects.ts';
import { addDays, localDate } from '#platform/dates.ts';
import { getSite } from '#sites/store.ts';
import { recordReceipt } from '#stock/record.ts';
import { runRollup } from '#stock/run-rollup.ts';
import { setLotExpiration } from '#stock/store.ts';
import { modernaDose, refusalDose } from '../fixtures/doses.ts';
import { ADMIN_KEY, type Client, client, drained, enroll, type Runtime, startWithout } from './harness.ts';
import { counties } from './registry-harness.ts';

/**
 * Issue 15's must-shows through the real pipeline: doses posted to the API, linked by the matcher, rolled up,
 * then the nightly analytics. A golden population whose every figure is worked out by hand below, a denominator
 * file, small-cell suppression, a late dose, and re-runs that rewrite the same bytes.
 *
 * The population (all doses Moderna, stored today D; cells are county × age × race × ethnicity × sex):
 *   X  Sacramento · 25-39 · WHITE · NOT_HISPANIC · F   12 people at site A, first doses on D, except
 *      X1, whose dose 1 (D−30) arrives late today with her dose 2 (D): she completes on D;
 *      X2's dose is also reported by site B (its own patient ID): one dose, given by A (reported first).
 *   Y  Sacramento · 65-74 · ASIAN · NOT_HISPANIC · M    3 people at site A on D.
 *   Z  San Joaquin · 25-39 · WHITE · NOT_HISPANIC · F  12 people at site B on D, and Z13: dose 1 at B on
 *      D−35, dose 2 at A on D−5 (A's own patient ID, her name misspelt): one person, complete on D−5.
 *   Not counted: a refusal, a dose posted then deleted, a rejected dose (unknown CVX).
 */

const NDC = '80777-0273-10';
const reports = bucketStore('REPORTS_BUCKET');
const WHITE = '2106-3';
const ASIAN = '2028-9';
const NOT_HISPANIC = '2186-5';
const FIRST = [
  'Ana',
  'Beth',
  'Cora',
  'Dina',
  'Elsa',
  'Faye',
  'Gwen',
  'Hope',
  'Iris',
  'June',
  'Kate',
  'Lena',
  'Mona',
];
const LAST = [
  'Abbott',
  'Baker',
  'Castro',
  'Duarte',
  'Evans',
  'Foster',
  'Garcia',
  'Hughes',
  'Ingram',
  'Jensen',
];
const LAST2 = ['Keller', 'Lopez', 'Moreno'];
const surname = (i: number) => LAST[i] ?? LAST2[i - LAST.length]!;

let rt: Runtime;
let api: Client;
let a: { iis_id: string; api_key: string };
let b: { iis_id: string; api_key: string };
const now = new Date();
const D = localDate(now);

const person = (id: string, i: number, over: Record<string, unknown>): Record<string, unknown> =>
  modernaDose({
    vax_event_id: id,
    recip_id: `R-${id}`,
    recip_first_name: FIRST[i],
    recip_middle_name: null,
    recip_last_name: surname(i),
    recip_address_street: `${100 + i} Elm St`,
    recip_race_1: WHITE,
    recip_ethnicity: NOT_HISPANIC,
    recip_sex: 'F',
    admin_date: D,
    lot_number: 'AA1001',
    vax_expiration: addDays(D, 200),
    ...over,
  });
const sacramento = {
  recip_address_county: '06067',
  recip_address_city: 'Sacramento',
  recip_address_zip: '95814',
};
const sanJoaquin = {
  recip_address_county: '06077',
  recip_address_city: 'Stockton',
  recip_address_zip: '95202',
};

async function post(key: string, doses: Record<string, unknown>[]) {
  const res = await api.call('POST', '/v1/doses', { key, body: { doses } });
  expect(res.status, JSON.stringify(res.json)).toBeLessThan(300);
  return res.json.results as { status: string }[];
}

/** The day's files: every key done.json names, read back. */
async function filesOf(day: string): Promise<Map<string, string>> {
  const done = JSON.parse(await reports.get(`analytics/${day}/done.json`)) as { keys: string[] };
  const out = new Map<string, string>();
  for (const k of [...done.keys, `analytics/${day}/done.json`]) out.set(k, await reports.get(k));
  return out;
}
const json = async (name: string) => JSON.parse(await reports.get(`analytics/${D}/${name}`));

beforeAll(async () => {
  rt = await startWithout(['registryReporter', 'cdcStager']);
  api = client(rt);
  a = await enroll(api, { ...counties.sacramento, admin_name: 'Sacramento clinic' });
  b = await enroll(api, { ...counties.sanJoaquin, admin_name: 'Stockton clinic' });
  // A denominator file: every county × age band (100 each, WHITE · NOT_HISPANIC · F), and Y's cell (300).
  const lines = CA_COUNTIES.flatMap((c) => AGE_BANDS.map((g) => `${c},${g},WHITE,NOT_HISPANIC,F,100`));
  lines.push('06067,65-74,ASIAN,NOT_HISPANIC,M,300');
  const den = await api.call('PUT', '/v1/denominators', {
    key: ADMIN_KEY,
    raw: `county,age_group,race,ethnicity,sex,population\n${lines.join('\n')}\n`,
    headers: { 'content-type': 'text/csv' },
  });
  expect(den.status, JSON.stringify(den.json)).toBe(201);
}, 60_000);
afterAll(async () => rt?.stop());

describe('the nightly analytics of a golden day', () => {
  let firstRun: Map<string, string>;
  let weekAgo: Map<string, string>;

  it('a run a week before, when nothing had arrived yet', async () => {
    const r = await runAnalytics(addDays(D, -7), reports, () => now);
    expect(r.counts.versions).toBe(0);
    weekAgo = await filesOf(addDays(D, -7));
  }, 120_000);

  it('the day: doses through the API, the matcher, the roll-up', async () => {
    const monthAgo = new Date(now.getTime() - 30 * 86_400_000);
    await setLotExpiration(NDC, 'AA1001', addDays(D, 200), monthAgo, 'admin');
    await setLotExpiration(NDC, 'BB2002', addDays(D, 3), monthAgo, 'admin');
    const ctx = {
      iis_id: a.iis_id,
      caller: { role: 'site' as const, iis_id: a.iis_id },
      now,
      source: 'api',
      site: getSite,
    };
    for (const [id, lot, doses] of [
      ['RA', 'AA1001', 100],
      ['RB', 'BB2002', 50],
    ] as const)
      expect(
        (await recordReceipt({ record_id: id, ndc: NDC, lot_number: lot, doses, date: D }, ctx)).status,
      ).toBe('accepted');

    const xs = Array.from({ length: 12 }, (_, i) =>
      person(`X${i + 1}`, i, { ...sacramento, recip_dob: `1990-01-${String(i + 1).padStart(2, '0')}` }),
    );
    // X1: dose 1 thirty days ago (late), dose 2 today.
    xs[0] = { ...xs[0]!, admin_date: addDays(D, -30) };
    const x1b = { ...xs[0]!, vax_event_id: 'X1-2', admin_date: D, dose_num: '2', vax_series_complete: 'YES' };
    const ys = Array.from({ length: 3 }, (_, i) =>
      person(`Y${i + 1}`, i, {
        ...sacramento,
        recip_dob: `1958-02-${String(i + 1).padStart(2, '0')}`,
        recip_sex: 'M',
        recip_race_1: ASIAN,
        recip_last_name: `${surname(i)}son`,
      }),
    );
    const zs = Array.from({ length: 12 }, (_, i) =>
      person(`Z${i + 1}`, i, {
        ...sanJoaquin,
        recip_dob: `1991-03-${String(i + 1).padStart(2, '0')}`,
        recip_last_name: `${surname(i)}-Ruiz`,
      }),
    );
    const z13 = person('Z13', 12, { ...sanJoaquin, recip_dob: '1992-04-04', admin_date: addDays(D, -35) });
    const z13b = {
      ...z13,
      vax_event_id: 'Z13-A',
      recip_id: 'A-77',
      recip_first_name: 'Mona',
      recip_last_name: 'Morreno',
      admin_date: addDays(D, -5),
      dose_num: '2',
    };
    expect((await post(a.api_key, [...xs, x1b, ...ys, z13b])).every((r) => r.status === 'accepted')).toBe(
      true,
    );
    const x2AtB = { ...xs[1]!, vax_event_id: 'B-X2', recip_id: 'B-55' };
    expect((await post(b.api_key, [...zs, z13, x2AtB])).every((r) => r.status === 'accepted')).toBe(true);
    // Not counted: a refusal, a deleted dose, a rejected one.
    await post(a.api_key, [
      refusalDose({ ...sacramento, vax_event_id: 'N1', recip_id: 'N1', admin_date: D }),
    ]);
    await post(a.api_key, [
      person('N2', 0, { ...sacramento, recip_dob: '1985-05-05', recip_last_name: 'Nobody' }),
    ]);
    expect(
      (await api.call('DELETE', '/v1/doses/N2', { key: a.api_key, headers: { 'if-match': '"1"' } })).status,
    ).toBe(200);
    const bad = await post(a.api_key, [person('N3', 1, { ...sacramento, cvx: '999' })]);
    expect(bad[0]!.status).toBe('rejected');
    await drained(rt, 'person-changes', 30_000);
    await runRollup(D, reports, () => now);
  }, 180_000);

  it('counts every cell exactly, the day and in all', async () => {
    const r = await runAnalytics(D, reports, () => now);
    expect(r.days).toEqual(Array.from({ length: 7 }, (_, i) => addDays(D, i - 6)));
    firstRun = await filesOf(D);
    const cells = (await json('uptake-cells.json')).cells;
    const X = { county: '06067', age: '25-39', race: 'WHITE', ethnicity: 'NOT_HISPANIC', sex: 'F' };
    const Y = { county: '06067', age: '65-74', race: 'ASIAN', ethnicity: 'NOT_HISPANIC', sex: 'M' };
    const Z = { county: '06077', age: '25-39', race: 'WHITE', ethnicity: 'NOT_HISPANIC', sex: 'F' };
    expect(cells).toEqual([
      // first_dose / completed / doses_given on D; then as of D.
      {
        ...X,
        first_dose: 11,
        completed: 1,
        doses_given: 12,
        people_first_dose: 12,
        people_completed: 1,
        doses: 13,
      },
      {
        ...Y,
        first_dose: 3,
        completed: 0,
        doses_given: 3,
        people_first_dose: 3,
        people_completed: 0,
        doses: 3,
      },
      {
        ...Z,
        first_dose: 12,
        completed: 0,
        doses_given: 12,
        people_first_dose: 13,
        people_completed: 1,
        doses: 14,
      },
    ]);
    // The late reports moved their own days: X1's first dose on D−30, Z13's on D−35 and her completion on D−5.
    const days = (await json('uptake-days.json')).days;
    expect(days.filter((d: { day: string }) => d.day !== D)).toEqual([
      { ...X, day: addDays(D, -30), first_dose: 1, completed: 0, doses: 1 },
      { ...Z, day: addDays(D, -35), first_dose: 1, completed: 0, doses: 1 },
      { ...Z, day: addDays(D, -5), first_dose: 0, completed: 1, doses: 1 },
    ]);
    // Doses given by site: A gave X1's two, X2…X12, Y1…Y3 and Z13's second; B gave Z1…Z12 and Z13's first.
    const sites = (await json('uptake-sites.json')).sites;
    expect(sites).toEqual(
      [
        { iis_id: a.iis_id, county: '06067', doses_given: 15, doses: 17 },
        { iis_id: b.iis_id, county: '06077', doses_given: 12, doses: 13 },
      ].sort((p, q) => (p.iis_id < q.iis_id ? -1 : 1)),
    );
  }, 180_000);

  it('suppresses small cells in the public table, and the cells that would give them back', async () => {
    const pub = await json('public/uptake-cells.json');
    // Y is small in every count; X (12) is then the smallest shown cell of the state's total, so it is withheld
    // too; with X withheld, Z would come back from the 25-39 total, so Z is withheld. Completions (1, 0, 1) are
    // small or 0 and shown as such.
    expect(
      pub.cells.map(({ county, age, race, ethnicity, sex, ...counts }: Record<string, unknown>) => counts),
    ).toEqual([
      {
        first_dose: '*',
        completed: '<11',
        doses_given: '*',
        people_first_dose: '*',
        people_completed: '<11',
        doses: '*',
      },
      {
        first_dose: '<11',
        completed: 0,
        doses_given: '<11',
        people_first_dose: '<11',
        people_completed: 0,
        doses: '<11',
      },
      {
        first_dose: '*',
        completed: 0,
        doses_given: '*',
        people_first_dose: '*',
        people_completed: '<11',
        doses: '*',
      },
    ]);
    const total = (measure: string, margin: string, group: string) =>
      pub.totals[measure].find(
        (t: { margin: string; group: string }) => t.margin === margin && t.group === group,
      ).shown;
    expect(total('people_first_dose', 'state', 'CA')).toBe(28);
    expect(total('people_first_dose', 'county', '06067')).toBe(15); // X and Y both withheld: 12 + 3 or 11 + 4 …
    expect(total('people_first_dose', 'county', '06077')).toBe('*'); // San Joaquin holds only Z: its total is Z
    expect(total('people_first_dose', 'age', '65-74')).toBe('<11');
    expect(total('people_completed', 'state', 'CA')).toBe('<11');
    // Public coverage withholds what the table withholds: San Joaquin's count (Z's) and the state's completions.
    const cov = await json('public/coverage.json');
    const sj = cov.counties.find((c: { key: string }) => c.key === '06077');
    expect([sj.people_first_dose, sj.coverage.first]).toEqual(['*', null]);
    expect([cov.state.people_first_dose, cov.state.people_completed, cov.state.coverage.complete]).toEqual([
      28,
      '<11',
      null,
    ]);
  });

  it('coverage against the denominator file, flags from the configured rule, the week before', async () => {
    const cov = await json('coverage.json');
    expect(cov.denominator).toBe(1);
    const round4 = (x: number) => Math.round(x * 10_000) / 10_000;
    // 58 counties × 8 age bands × 100, and Y's cell 300.
    expect(cov.state).toMatchObject({
      people_first_dose: 28,
      people_completed: 2,
      change_first_dose: 28, // the run a week before had nobody
      coverage: { population: 46_700, first: round4(28 / 46_700), complete: round4(2 / 46_700) },
    });
    const county = (k: string) => cov.counties.find((c: { key: string }) => c.key === k);
    expect(county('06067').coverage).toMatchObject({ population: 1_100, first: round4(15 / 1_100) });
    expect(county('06077').coverage).toMatchObject({ population: 800, first: round4(13 / 800) });
    // Flag: below 85% of the state's first-dose coverage (28 / 46,700) with a population of 1,000 or more. No
    // county has 1,000 people but Sacramento (above the bar); groups: every age band nobody here is in, and
    // 65-74 (3 / 6,100 = 0.000492 < 0.000510). WHITE (25 / 46,400 = 0.000539) and F are above the bar.
    expect(cov.flagged.map((f: { key: string }) => f.key).sort()).toEqual(
      ['age:<12', 'age:12-17', 'age:18-24', 'age:40-49', 'age:50-64', 'age:75+', 'age:65-74'].sort(),
    );
    expect(cov.flagged.at(-1).key).toBe('age:65-74'); // lowest first: the zeros, then 65-74
  });

  it('supply: balances from the roll-up, the 7-day pace, lots at risk', async () => {
    const sup = await json('supply.json');
    // A: received 100 of AA1001 and 50 of BB2002 and gave 17 doses from AA1001 today; 16 given in the 7 days
    // (15 today, Z13's dose 2 five days ago): pace 16 / 7. BB2002 expires on D+3: 2 usable days at 2.29 a day
    // gives 4 of its 50 (whole doses); 46 at risk.
    expect(sup.sites.find((s: { iis_id: string }) => s.iis_id === a.iis_id)).toEqual({
      iis_id: a.iis_id,
      county: '06067',
      on_hand: 133,
      pace: 2.29,
      days_of_supply: 58.2,
      at_risk: 46,
    });
    expect(sup.lots.map((l: { lot_number: string; at_risk: number }) => [l.lot_number, l.at_risk])).toEqual([
      ['BB2002', 46],
      ['AA1001', 0],
    ]);
    expect(sup.reallocation.counties).toHaveLength(58);
  });

  it('timeliness: received today, late reports counted late, the rejection', async () => {
    const t = await json('timeliness.json');
    const card = (by: string, key: string) =>
      t.weekly.find(
        (s: { by: string; key: string; week: string }) =>
          s.by === by && s.key === key && s.week === t.weeks.at(-1),
      );
    // A: 17 + the refusal + N2 added and deleted = 20 accepted, N3 rejected. Timed: the 19 adds; X1's dose 1
    // (30 days) and Z13's dose 2 (5 days) are late.
    expect(card('site', a.iis_id)).toMatchObject({
      submitted: 21,
      accepted: 20,
      rejected: 1,
      rejection_rate: round(1 / 21),
      timed: 19,
      within_24h: round(17 / 19),
      within_72h: round(17 / 19),
      median_delay_hours: 0,
    });
    // B: 14 adds, Z13's dose 1 (35 days) late.
    expect(card('site', b.iis_id)).toMatchObject({
      submitted: 14,
      rejected: 0,
      timed: 14,
      within_24h: round(13 / 14),
    });
    expect(card('state', 'CA')).toMatchObject({ submitted: 35, timed: 33, within_24h: round(30 / 33) });
  });

  it('re-running the day rewrites the same bytes; the week-old run still reads as it did', async () => {
    const again = await runAnalytics(D, reports, () => now);
    expect(again.days).toEqual([D]);
    const rerun = await filesOf(D);
    expect([...rerun.keys()]).toEqual([...firstRun.keys()]);
    for (const [k, body] of firstRun) expect(rerun.get(k), k).toBe(body);
    // The late dose moved D−30 from today's run on; D−7's own run (and its files) did not change.
    expect((await dayAsOf(reports, addDays(D, -30), addDays(D, -7))).size).toBe(0);
    expect([...(await dayAsOf(reports, addDays(D, -30), D)).values()]).toEqual([1, 1, 1]);
    await runAnalytics(addDays(D, -7), reports, () => now);
    for (const [k, body] of weekAgo) expect(await reports.get(k), k).toBe(body);
  }, 180_000);
}, 600_000);

const round = (x: number) => Math.round(x * 10_000) / 10_000;
