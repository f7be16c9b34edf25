import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAnalytics } from '#analytics/nightly/run.ts';
import { runFollowUp } from '#persons/follow-up.ts';
import { bucketStore } from '#platform/aws/objects.ts';
import { addDays } from '#platform/dates.ts';
import { runRollup } from '#stock/run-rollup.ts';
import { setLotExpiration } from '#stock/store.ts';
import { functionSpecs } from '../../infra/topology.ts';
import { calls } from './authz-matrix-calls.ts';

import {
  ACTS_FOR,
  actsFor,
  type Call,
  changedSites,
  DOSE_LOT,
  dose,
  endState,
  IDS,
  keys,
  LOT,
  NDC,
  NO_SITE_DATA,
  now,
  own,
  PRINCIPALS,
  people,
  SITES,
  SOLO,
  snapshot,
  TABLE,
  TWIN,
  today,
  uploads,
  world,
} from './authz-matrix-world.ts';
import { ADMIN_KEY, client, drained, enroll, startWithout } from './harness.ts';

/**
 * The authorization matrix (issue 12, must show): every principal × every route that reads or writes a site's
 * data × every target site, against the table below; and, around every single call, the DynamoDB tables read
 * directly before and after, so a call that changed the data of a site its key does not act for is caught
 * whatever its answer was. The world: a sending facility (an HIE) with two client sites A and B, and an
 * unrelated site U of another organization; each site's key, and the admin key.
 */

beforeAll(async () => {
  // With the matcher (the persons queue's consumer), so the records read below are made of the seeded doses.
  world.rt = await startWithout(['registryReporter', 'cdcStager']);
  world.api = client(world.rt);
  world.ddb = new DynamoDBClient({});
  keys.admin = ADMIN_KEY;
  keys.facility = (await enroll(world.api, { iis_id: IDS.facility, admin_name: 'Valley HIE' })).api_key;
  for (const s of ['clientA', 'clientB'] as const)
    keys[s] = (await enroll(world.api, { iis_id: IDS[s], sending_facility_iis_id: IDS.facility })).api_key;
  keys.unrelated = (
    await enroll(world.api, { iis_id: IDS.unrelated, admin_name: 'Unrelated clinic' })
  ).api_key;

  // Every site's data, written with its own key: a dose to read, one to update and one to delete per principal,
  // stock, a beyond-use date, an upload; then the day's roll-up, so each site has rows in every report.
  await setLotExpiration(NDC, LOT, addDays(today, 20), now, 'admin');
  await setLotExpiration(NDC, DOSE_LOT, '2021-03-01', now, 'admin');
  for (const s of SITES) {
    const doses = [
      dose(`G-${s}`, s),
      dose(`F-${s}`, s, SOLO[s]),
      ...PRINCIPALS.flatMap((p) => [dose(`P-${p}-${s}`, s), dose(`D-${p}-${s}`, s)]),
    ];
    const posted = await world.api.call('POST', '/v1/doses', { ...own(s), body: { doses } });
    expect(posted.json.results.map((r: { status: string }) => r.status)).toEqual(doses.map(() => 'accepted'));
    const stock = { ndc: NDC, lot_number: LOT, date: today };
    const rcv = await world.api.call('POST', '/v1/inventory/receipts', {
      ...own(s),
      body: { ...stock, record_id: 'SEED-R', doses: 100 },
    });
    expect(rcv.json.results[0].status).toBe('accepted');
    const waste = await world.api.call('POST', '/v1/wastage', {
      ...own(s),
      body: { ...stock, record_id: 'SEED-W', doses: 1, reason: 'broken-or-dropped' },
    });
    expect(waste.json.results[0].status).toBe('accepted');
    const bud = await world.api.call('PUT', `/v1/lots/${NDC}/${LOT}/beyond-use`, {
      ...own(s),
      body: { beyond_use_date: addDays(today, 1) },
    });
    expect(bud.status).toBe(201);
    const up = await world.api.call('POST', '/v1/uploads', { ...own(s), body: { name: `seed-${s}.csv` } });
    expect(up.status).toBe(201);
    uploads[s] = up.json.upload_id;
  }
  // The twin after the shared patient is a person, so it is the twin's dose that waits for review.
  await drained(world.rt, 'person-changes');
  const twin = await world.api.call('POST', '/v1/doses', {
    ...own('unrelated'),
    body: dose('T-unrelated', 'unrelated', TWIN),
  });
  expect(twin.json.results[0].status).toBe('accepted');
  await drained(world.rt, 'person-changes');
  const find = async (o: Record<string, string> = {}) => {
    const { recip_first_name: first_name = 'Maria', recip_last_name: last_name = 'Gonzalez' } = o;
    const res = await world.api.call('POST', '/v1/persons/search', {
      body: { first_name, last_name, dob: o.recip_dob ?? '1958-07-22', sex: 'F', zip: '94612' },
    });
    expect(res.json.match, JSON.stringify(o)).toBe('one');
    return res.json.person.person_id as string;
  };
  people.shared = await find();
  for (const s of SITES) people.own[s] = await find(SOLO[s]);
  const reviews = await world.api.call('GET', '/v1/persons/reviews');
  const review = reviews.json.reviews.find((r: { vax_event_id: string }) => r.vax_event_id === 'T-unrelated');
  expect(review).toBeDefined();
  people.twinReview = review.review_id;
  people.twin = review.person_id;
  await runRollup(today, bucketStore('REPORTS_BUCKET'), () => now);
  // As of today, the seeded first doses (2021) are long overdue a second: every site has a list.
  await runFollowUp(bucketStore('REPORTS_BUCKET'), today);
  // And the night's analytics: each site's own uptake, supply and timeliness (sites/<iis>.json).
  await runAnalytics(today, bucketStore('REPORTS_BUCKET'), () => now);
}, 120_000);
afterAll(async () => world.rt?.stop());

const MATRIX = calls();
const label = (c: Call) => `${c.principal} → ${c.route} [${c.variant}] for ${c.target ?? '(none named)'}`;

describe('authorization matrix: a facility, two of its client sites and an unrelated site', () => {
  it('covers every route of the topology that reads or writes site data', () => {
    const topologyRoutes = functionSpecs().flatMap(([, spec]) => [
      ...(spec.routes ?? []),
      ...(spec.publicRoutes ?? []),
    ]);
    expect(topologyRoutes.filter((r) => !(r in TABLE) && !NO_SITE_DATA.includes(r))).toEqual([]);
    expect(Object.keys(TABLE).filter((r) => !topologyRoutes.includes(r))).toEqual([]);
    expect(new Set(MATRIX.map((c) => c.route))).toEqual(new Set(Object.keys(TABLE)));
  });

  it(`${MATRIX.length} checks (principal × route × target), each against the table and the tables themselves: 0 cross-site reads or writes`, async () => {
    const failures: string[] = [];
    const crossSite: string[] = [];
    let before = await snapshot();
    let denied = 0;
    for (const c of MATRIX) {
      const res = await c.run();
      const after = await snapshot();
      const changed = changedSites(before, after);
      before = after;
      if (!c.allowed) denied++;
      const problems: string[] = [];
      if (res.status !== c.status) problems.push(`status ${res.status}, expected ${c.status}`);
      problems.push(...(c.check?.(res) ?? []));
      const expected = new Set<string>(c.writes);
      const got = [...changed].sort();
      if (got.join() !== [...expected].sort().join())
        problems.push(`changed [${got}], expected [${[...expected].sort()}]`);
      // Cross-site: data changed of a site the key does not act for (the admin: other than the site it
      // administers), or a read that answered another site's data.
      const mayChange = c.principal === 'admin' ? c.writes : ACTS_FOR[c.principal];
      const foreign = got.filter((s) => s !== '-' && !(mayChange as readonly string[]).includes(s));
      if (foreign.length) crossSite.push(`${label(c)} wrote ${foreign}`);
      for (const m of c.leak?.(res) ?? []) crossSite.push(`${label(c)} read ${m}`);
      if (c.read && c.principal !== 'admin') {
        const text = JSON.stringify(res.json ?? '');
        const leaked = SITES.filter((s) => !actsFor(c.principal, s) && text.includes(IDS[s]));
        const data = ['rows', 'dose', 'beyond_use', 'history', 'summary'].filter(
          (k) => res.json && typeof res.json === 'object' && k in res.json,
        );
        if (c.allowed && leaked.length) crossSite.push(`${label(c)} read data of ${leaked}`);
        if (!c.allowed && data.length) crossSite.push(`${label(c)} denied but answered ${data}`);
      }
      if (problems.length) failures.push(`${label(c)}: ${problems.join('; ')}`);
    }
    const end = endState(before);
    console.info(
      `authorization matrix: ${MATRIX.length} checks (${MATRIX.length - denied} allowed, ${denied} denied), ${crossSite.length} cross-site, ${failures.length} not as the table says; ${end.items} items checked after, ${end.foreign.length} written by a key not acting for their site`,
    );
    expect(end.items).toBeGreaterThan(100);
    expect(end.foreign).toEqual([]);
    expect(crossSite).toEqual([]);
    expect(failures).toEqual([]);
  }, 600_000);
});
