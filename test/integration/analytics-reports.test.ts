import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAnalytics } from '#analytics/nightly/run.ts';
import { isoWeek } from '#analytics/timeliness.ts';
import { bucketStore } from '#platform/aws/objects.ts';
import { addDays, localDate } from '#platform/dates.ts';
import { runRollup } from '#stock/run-rollup.ts';
import { setLotExpiration } from '#stock/store.ts';
import { modernaDose } from '../fixtures/doses.ts';
import { ADMIN_KEY, type Client, client, drained, enroll, type Runtime, startWithout } from './harness.ts';
import { counties } from './registry-harness.ts';

/**
 * GET /v1/reports/{uptake,coverage,supply,timeliness} (issue 15) over a real night's files. The world: a
 * sending facility F (Sacramento), its client site C (San Joaquin) and an unrelated site O (San Diego).
 *   C: three people given a first dose today D, and a fourth whose dose of D−10 is reported today (late);
 *      received 100 doses of the lot all four came from.
 *   F: two people today. O: one person today.
 * All are 25-39, WHITE, NOT_HISPANIC, F, living in their site's county. No denominator is loaded.
 */

const NDC = '80777-0273-10';
const LOT = 'RPT100';
const reports = bucketStore('REPORTS_BUCKET');
const now = new Date();
const D = localDate(now);
const WEEK = isoWeek(D);

let rt: Runtime;
let api: Client;
type Site = { iis_id: string; api_key: string };
let F: Site;
let C: Site;
let O: Site;

const NAMES = ['Alma', 'Bea', 'Cleo', 'Dora', 'Edda', 'Fern', 'Gita'];
let n = 0;
const dose = (site: Site, county: string, over: Record<string, unknown> = {}) => {
  const i = n++;
  return modernaDose({
    iis_id: site.iis_id,
    vax_event_id: `RPT-${i}`,
    recip_id: `RPT-P${i}`,
    recip_first_name: NAMES[i],
    recip_middle_name: null,
    recip_last_name: `Quill${'x'.repeat(i)}`,
    recip_dob: `1990-05-${String(i + 1).padStart(2, '0')}`,
    recip_address_street: `${10 + i} Oak Ave`,
    recip_address_county: county,
    recip_race_1: '2106-3',
    recip_ethnicity: '2186-5',
    recip_sex: 'F',
    admin_date: D,
    lot_number: LOT,
    vax_expiration: addDays(D, 200),
    ...over,
  });
};
const get = (path: string, key: string = ADMIN_KEY) => api.call('GET', path, { key });
const issue = (res: { json: any }) => res.json.issues[0];

beforeAll(async () => {
  rt = await startWithout(['registryReporter', 'cdcStager']);
  api = client(rt);
  F = await enroll(api, { ...counties.sacramento, admin_name: 'Valley HIE' });
  C = await enroll(api, { ...counties.sanJoaquin, sending_facility_iis_id: F.iis_id });
  O = await enroll(api, { ...counties.sanDiego, admin_name: 'Other clinic' });
  await setLotExpiration(NDC, LOT, addDays(D, 200), new Date(now.getTime() - 86_400_000), 'admin');
  const rcv = await api.call('POST', '/v1/inventory/receipts', {
    key: C.api_key,
    body: { record_id: 'RPT-R1', ndc: NDC, lot_number: LOT, doses: 100, date: D },
  });
  expect(rcv.json.results[0].status).toBe('accepted');
  const posts: [Site, Record<string, unknown>[]][] = [
    [
      C,
      [
        dose(C, '06077'),
        dose(C, '06077'),
        dose(C, '06077'),
        dose(C, '06077', { admin_date: addDays(D, -10) }),
      ],
    ],
    [F, [dose(F, '06067'), dose(F, '06067')]],
    [O, [dose(O, '06073')]],
  ];
  for (const [site, doses] of posts) {
    const res = await api.call('POST', '/v1/doses', { key: site.api_key, body: { doses } });
    expect(res.json.results.map((r: { status: string }) => r.status)).toEqual(doses.map(() => 'accepted'));
  }
  await drained(rt, 'person-changes', 30_000);
  await runRollup(D, reports, () => now);
  await runAnalytics(D, reports, () => now);
}, 240_000);
afterAll(async () => rt?.stop());

describe('a site key: its own figures, or its client site’s', () => {
  const ownUptake = () => ({
    doses_given: 3,
    doses: 4,
    days: [
      { day: addDays(D, -10), doses: 1 },
      { day: D, doses: 3 },
    ],
  });

  it('uptake: the doses it gave today and in all, and the days this run changed', async () => {
    const res = await get(`/v1/reports/uptake?date=${D}`, C.api_key);
    expect(res.status, JSON.stringify(res.json)).toBe(200);
    expect(res.json).toEqual({ date: D, scope: C.iis_id, uptake: ownUptake() });
    const csv = await get(`/v1/reports/uptake?date=${D}&format=csv`, C.api_key);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(csv.json).toBe(`iis_id,county,doses_given,doses\n${C.iis_id},06077,3,4\n`);
  });

  it('the sending facility reads its client site; the client not the facility, nobody an unrelated site', async () => {
    const asFacility = await get(`/v1/reports/uptake?date=${D}&iis_id=${C.iis_id}`, F.api_key);
    expect(asFacility.json).toEqual({ date: D, scope: C.iis_id, uptake: ownUptake() });
    for (const [key, iis] of [
      [C.api_key, F.iis_id],
      [C.api_key, O.iis_id],
      [O.api_key, C.iis_id],
      [F.api_key, O.iis_id],
    ] as const)
      for (const report of ['uptake', 'supply', 'timeliness']) {
        const res = await get(`/v1/reports/${report}?date=${D}&iis_id=${iis}`, key);
        expect(res.status, `${report} ${iis}`).toBe(403);
        expect(issue(res)).toMatchObject({ code: 'AUTH004', field: 'iis_id' });
        expect(issue(res).message).toContain(`not of ${iis}`);
        expect(JSON.stringify(res.json)).not.toMatch(/"(uptake|supply|timeliness)"/);
      }
  });

  it('never the exact statewide tables', async () => {
    for (const path of [
      `uptake?date=${D}&view=cells`,
      `uptake?date=${D}&county=06077`,
      `supply?date=${D}&county=06077`,
      `supply?date=${D}&view=counties&format=csv`,
      `timeliness?date=${D}&by=state`,
      `timeliness?date=${D}&key=CA`,
    ]) {
      const res = await get(`/v1/reports/${path}`, C.api_key);
      expect(res.status, path).toBe(403);
      expect(issue(res).code).toBe('AUTH004');
    }
  });

  it('supply: its balance, pace and lots', async () => {
    const res = await get(`/v1/reports/supply?date=${D}`, C.api_key);
    // 100 received, 4 given from the lot; 3 of them in the last 7 days: pace 3 / 7. The lot expires on D+200:
    // 199 usable days at 3 / 7 a day give 85 of the 96 (whole doses); 11 at risk.
    expect(res.json.scope).toBe(C.iis_id);
    expect(res.json.supply.site).toMatchObject({
      iis_id: C.iis_id,
      county: '06077',
      on_hand: 96,
      pace: 0.43,
    });
    expect(res.json.supply.lots).toEqual([
      expect.objectContaining({ lot_number: LOT, on_hand: 96, at_risk: 11 }),
    ]);
    const lots = await get(`/v1/reports/supply?date=${D}&format=csv&view=lots`, C.api_key);
    expect(lots.json.trim().split('\n')).toEqual([
      'iis_id,ndc,lot_number,expiration,on_hand,usable_days,at_risk',
      `${C.iis_id},${NDC},${LOT},${addDays(D, 200)},96,199,11`,
    ]);
  });

  it('timeliness: its own scorecards, by week', async () => {
    const res = await get(`/v1/reports/timeliness?date=${D}&week=${WEEK}`, C.api_key);
    expect(res.json.scope).toBe(C.iis_id);
    // Four first reports, the late one (ten days) outside 24 and 72 hours.
    expect(res.json.timeliness.weekly).toEqual([
      expect.objectContaining({ by: 'site', key: C.iis_id, week: WEEK, submitted: 4, accepted: 4, timed: 4 }),
    ]);
    expect(res.json.timeliness.weekly[0]).toMatchObject({ within_24h: 0.75, within_72h: 0.75 });
    expect(res.json.timeliness.all_time).toBeNull();
    const all = await get(`/v1/reports/timeliness?date=${D}`, C.api_key);
    expect(all.json.timeliness.all_time).toMatchObject({ key: C.iis_id, week: 'all', submitted: 4 });
  });

  it('coverage: the public, suppressed figures, by county', async () => {
    const res = await get(`/v1/reports/coverage?date=${D}&county=06077`, C.api_key);
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      date: D,
      scope: 'public',
      county: '06077',
      denominator: 'no denominator loaded',
    });
    expect(res.json.counties).toEqual([
      expect.objectContaining({ scope: 'county', key: '06077', people_first_dose: '<11' }),
    ]);
    expect(res.json.state.people_first_dose).toBe('<11');
    expect(res.json.groups).toEqual([]);
    expect(res.json.cells).toBeUndefined();
  });
});

describe('the admin key: the exact statewide tables, filtered', () => {
  const cell = { age: '25-39', race: 'WHITE', ethnicity: 'NOT_HISPANIC', sex: 'F' };

  it('uptake: cells, days and sites, by county', async () => {
    const cells = await get(`/v1/reports/uptake?date=${D}&county=06077`);
    expect(cells.json).toEqual({
      date: D,
      scope: 'all sites',
      view: 'cells',
      county: '06077',
      cells: [
        {
          county: '06077',
          ...cell,
          first_dose: 3,
          completed: 0,
          doses_given: 3,
          people_first_dose: 4,
          people_completed: 0,
          doses: 4,
        },
      ],
    });
    const all = await get(`/v1/reports/uptake?date=${D}`);
    expect(all.json.cells.map((c: { county: string; doses: number }) => [c.county, c.doses])).toEqual([
      ['06067', 2],
      ['06073', 1],
      ['06077', 4],
    ]);
    const days = await get(`/v1/reports/uptake?date=${D}&view=days&county=06077`);
    expect(days.json.days.map((d: { day: string; doses: number }) => [d.day, d.doses])).toEqual([
      [addDays(D, -10), 1],
      [D, 3],
    ]);
    const sites = await get(`/v1/reports/uptake?date=${D}&view=sites`);
    expect(sites.json.sites).toEqual(
      [
        { iis_id: C.iis_id, county: '06077', doses_given: 3, doses: 4 },
        { iis_id: F.iis_id, county: '06067', doses_given: 2, doses: 2 },
        { iis_id: O.iis_id, county: '06073', doses_given: 1, doses: 1 },
      ].sort((a, b) => (a.iis_id < b.iis_id ? -1 : 1)),
    );
    const one = await get(`/v1/reports/uptake?date=${D}&iis_id=${F.iis_id}`);
    expect(one.json).toEqual({
      date: D,
      scope: F.iis_id,
      uptake: { doses_given: 2, doses: 2, days: [{ day: D, doses: 2 }] },
    });
    const csv = await get(`/v1/reports/uptake?date=${D}&view=sites&county=06073&format=csv`);
    expect(csv.json).toBe(`iis_id,county,doses_given,doses\n${O.iis_id},06073,1,1\n`);
    const stored = await get(`/v1/reports/uptake?date=${D}&format=csv`);
    expect(stored.json).toBe(await reports.get(`analytics/${D}/uptake-cells.csv`));
  });

  it('coverage: exact counts, by county and by group', async () => {
    const res = await get(`/v1/reports/coverage?date=${D}&group=age:25-39`);
    expect(res.json).toMatchObject({
      scope: 'exact',
      group: 'age:25-39',
      denominator: 'no denominator loaded',
    });
    expect(res.json.state).toMatchObject({ scope: 'state', key: 'CA', people_first_dose: 7 });
    expect(res.json.counties).toEqual([]);
    expect(res.json.groups).toEqual([
      expect.objectContaining({
        scope: 'group',
        key: 'age:25-39',
        people_first_dose: 7,
        people_completed: 0,
      }),
    ]);
    expect(res.json.cells).toHaveLength(3);
    const csv = await get(`/v1/reports/coverage?date=${D}&county=06077&format=csv`);
    const lines = (csv.json as string).trim().split('\n');
    expect(lines[0]).toBe(
      'scope,key,population,people_first_dose,people_completed,coverage_first,coverage_complete,change_first_dose,change_completed,change_coverage_first,change_coverage_complete,flagged',
    );
    expect(lines.slice(1).map((l) => l.split(',').slice(0, 5))).toEqual([
      ['state', 'CA', '', '7', '0'],
      ['county', '06077', '', '4', '0'],
    ]);
  });

  it('supply: by county, the lots of its sites', async () => {
    const res = await get(`/v1/reports/supply?date=${D}&county=06077`);
    expect(res.json.sites).toEqual([expect.objectContaining({ iis_id: C.iis_id, on_hand: 96 })]);
    expect(res.json.counties).toEqual([expect.objectContaining({ county: '06077', sites: 1, on_hand: 96 })]);
    expect(res.json.lots.map((l: { iis_id: string }) => l.iis_id)).toEqual([C.iis_id]);
    const none = await get(`/v1/reports/supply?date=${D}&county=06073&view=lots&format=csv`);
    expect(none.json).toBe('iis_id,ndc,lot_number,expiration,on_hand,usable_days,at_risk\n');
    const counties = await get(`/v1/reports/supply?date=${D}&view=counties&format=csv&county=06077`);
    expect((counties.json as string).trim().split('\n')[1]).toMatch(/^06077,1,96,/);
  });

  it('timeliness: by kind, key and week', async () => {
    const state = await get(`/v1/reports/timeliness?date=${D}&by=state&week=${WEEK}`);
    // Seven first reports, the late one outside 24 hours.
    expect(state.json.weekly).toEqual([
      expect.objectContaining({ by: 'state', key: 'CA', week: WEEK, submitted: 7, timed: 7 }),
    ]);
    expect(state.json.weekly[0].within_24h).toBe(Math.round((6 / 7) * 10_000) / 10_000);
    expect(state.json.all_time).toEqual([]);
    const site = await get(`/v1/reports/timeliness?date=${D}&by=site&key=${O.iis_id}&week=all`);
    expect(site.json.weekly).toEqual([]);
    expect(site.json.all_time).toEqual([expect.objectContaining({ key: O.iis_id, submitted: 1 })]);
    const sender = await get(`/v1/reports/timeliness?date=${D}&by=sender&key=${C.iis_id}`);
    expect(sender.json.all_time).toEqual([expect.objectContaining({ by: 'sender', submitted: 4 })]);
    const csv = await get(`/v1/reports/timeliness?date=${D}&by=county&key=06067&format=csv`);
    const rows = (csv.json as string).trim().split('\n');
    expect(rows.slice(1).map((l) => l.split(',').slice(0, 4))).toEqual([
      ['county', '06067', WEEK, '2'],
      ['county', '06067', 'all', '2'],
    ]);
  });
});

describe('refusals', () => {
  it('a day whose run has not completed: 404 RPT002, saying the figures are made nightly', async () => {
    for (const report of ['uptake', 'coverage', 'supply', 'timeliness']) {
      const res = await get(`/v1/reports/${report}?date=${addDays(D, 1)}`, C.api_key);
      expect(res.status, report).toBe(404);
      expect(issue(res)).toMatchObject({ code: 'RPT002', field: 'date' });
      expect(issue(res).message).toContain('npm run nightly');
    }
  });

  it('no date, a bad date or a bad filter: 400 REQ008 naming the field', async () => {
    for (const [path, field] of [
      ['uptake', 'date'],
      ['coverage?date=2026-13-01', 'date'],
      [`supply?date=${D}&format=xml`, 'format'],
      [`uptake?date=${D}&view=everything`, 'view'],
      [`coverage?date=${D}&county=Sacramento`, 'county'],
      [`coverage?date=${D}&group=age`, 'group'],
      [`timeliness?date=${D}&week=49`, 'week'],
      [`timeliness?date=${D}&by=planet`, 'by'],
    ]) {
      const res = await get(`/v1/reports/${path}`);
      expect(res.status, path).toBe(400);
      expect(issue(res), path).toMatchObject({ code: 'REQ008', field });
    }
  });
});
