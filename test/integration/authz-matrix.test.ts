import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAnalytics } from '#analytics/nightly/run.ts';
import { runFollowUp } from '#persons/follow-up.ts';
import { bucketStore } from '#platform/aws/objects.ts';
import { addDays } from '#platform/dates.ts';
import { runRollup } from '#stock/run-rollup.ts';
import { setLotExpiration } from '#stock/store.ts';
import { functionSpecs } from '../../infra/topology.ts';
import type { OidcMachineClient } from '../../local/standins/oidc.ts';
import { calls, isRead, programRoute } from './authz-matrix-calls.ts';

import {
  ACTS_FOR,
  actsFor,
  type Call,
  changedSites,
  DOSE_LOT,
  dose,
  endState,
  foreignIds,
  IDS,
  isAdmin,
  KEY_PRINCIPALS,
  keys,
  LOT,
  NDC,
  NO_SITE_DATA,
  now,
  own,
  PRINCIPALS,
  people,
  SITES,
  type SiteName,
  SOLO,
  snapshot,
  statewideReader,
  TABLE,
  TOKEN_PRINCIPALS,
  TWIN,
  today,
  uploads,
  WHO,
  world,
} from './authz-matrix-world.ts';
import { ADMIN_KEY, client, drained, enroll, startWithout } from './harness.ts';

/**
 * The authorization matrix (issue 12, must show): every principal × every route that reads or writes a site's
 * data × every target site, against the table below; and, around every single call, the DynamoDB tables read
 * directly before and after, so a call that changed the data of a site its key does not act for is caught
 * whatever its answer was. The world: a sending facility (an HIE) with two client sites A and B, and an
 * unrelated site U of another organization; each site's key, and the admin key.
 *
 * And the same matrix over sign-in tokens (issue 16, docs/sign-in.md), from the runtime's OpenID provider: each
 * site's machine client (client credentials) as that site's key; a person for clientA and the unrelated site,
 * allowed where either key is; a read-only person of clientA, its reads and no write (403 AUTH005); program
 * staff, only the routes declaring 'program', with the statewide answer, and never a dose or a person; an
 * administrator's token as the admin key. The sites' Org Codes are the test's own (IDS), so the machine clients
 * are registered when the runtime starts, before the sites are enrolled.
 */

/** A machine client per token principal, with the dp_* claims of its WHO. */
const machineClients: (OidcMachineClient & { principal: (typeof TOKEN_PRINCIPALS)[number] })[] =
  TOKEN_PRINCIPALS.map((p) => {
    const w = WHO[p];
    return {
      principal: p,
      clientId: `matrix-${p}`,
      clientSecret: `secret-${p}-${process.pid}`,
      dp_role: w.role,
      ...(w.sites.length ? { dp_sites: w.sites.map((s: SiteName) => IDS[s]).join(' ') } : {}),
      dp_access: w.readOnly ? 'read' : 'write',
    };
  });

async function clientToken(c: OidcMachineClient): Promise<string> {
  const res = await fetch(world.rt.oidc!.tokenEndpoint, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`${c.clientId}:${c.clientSecret}`).toString('base64')}` },
    body: new URLSearchParams({ grant_type: 'client_credentials' }),
  });
  const body = (await res.json()) as { access_token?: string };
  if (res.status !== 200 || !body.access_token) throw new Error(`no token for ${c.clientId}: ${res.status}`);
  return body.access_token;
}

beforeAll(async () => {
  // With the matcher (the persons queue's consumer), so the records read below are made of the seeded doses.
  world.rt = await startWithout(['registryReporter', 'cdcStager'], {
    // Tokens for the whole matrix (it runs for minutes): an hour, not the default 15 minutes.
    oidc: { users: [], clients: machineClients, accessTokenTtlSeconds: 3600 },
  });
  world.api = client(world.rt);
  world.ddb = new DynamoDBClient({});
  keys.admin = ADMIN_KEY;
  keys.facility = (await enroll(world.api, { iis_id: IDS.facility, admin_name: 'Valley HIE' })).api_key;
  for (const s of ['clientA', 'clientB'] as const)
    keys[s] = (await enroll(world.api, { iis_id: IDS[s], sending_facility_iis_id: IDS.facility })).api_key;
  keys.unrelated = (
    await enroll(world.api, { iis_id: IDS.unrelated, admin_name: 'Unrelated clinic' })
  ).api_key;
  for (const c of machineClients) keys[c.principal] = await clientToken(c);

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

  it('expects of each sign-in token what its keys are expected to do', () => {
    const keyed = new Map(
      MATRIX.filter((c) => !WHO[c.principal].token).map((c) => [
        `${c.principal}|${c.route}|${c.variant}|${c.target}`,
        c,
      ]),
    );
    const as = (c: Call, p: string, t = c.target) => keyed.get(`${p}|${c.route}|${c.variant}|${t}`)!;
    const seen = (c: Call) => `${c.status} ${c.allowed} ${[...c.writes].sort()}`;
    const differ: string[] = [];
    for (const c of MATRIX.filter((m) => WHO[m.principal].token)) {
      const w = WHO[c.principal];
      const note = (want: string) => {
        if (seen(c) !== want) differ.push(`${label(c)}: ${seen(c)}, not ${want}`);
      };
      // A token is no SOAP credential: refused as the admin key is, nothing written.
      if (c.route === 'POST /v1/iis') note(`${TABLE[c.route]!.admin} false `);
      else if (w.role === 'admin') {
        if (c.route !== 'POST /v1/persons/reviews/{review_id}') note(seen(as(c, 'admin')));
      } else if (w.role === 'program') {
        const named = c.route === 'GET /v1/reports/follow-up' && c.target !== undefined;
        note(programRoute(c.route) && !named ? `${TABLE[c.route]!.admin} true ` : '403 false ');
      } else if (w.readOnly) note(isRead(c.route) ? seen(as(c, w.sites[0]!)) : '403 false ');
      else if (w.sites.length === 1) note(seen(as(c, w.sites[0]!)));
      else {
        // Several sites: allowed where either site's key is, and then as that key (a statewide read as its
        // first site's); denied elsewhere as the first site's key is.
        const each = w.sites.map((s) => as(c, s));
        const allowedBy = c.target === undefined ? each.slice(0, 1) : each.filter((k) => k.allowed);
        // (What it writes may be more: a transfer between its two sites records both sides.)
        const k = allowedBy[0] ?? each[0]!;
        if (`${c.status} ${c.allowed}` !== `${k.status} ${k.allowed}`)
          differ.push(`${label(c)}: ${c.status} ${c.allowed}, not ${k.status} ${k.allowed}`);
      }
    }
    expect(differ).toEqual([]);
    // Program staff: never a dose, an upload or a person's record or search; only routes declaring 'program'.
    const programAllowed = new Set(
      MATRIX.filter((c) => WHO[c.principal].role === 'program' && c.allowed).map((c) => c.route),
    );
    expect([...programAllowed].filter((r) => !programRoute(r))).toEqual([]);
    for (const r of [
      'GET /v1/doses/{vax_event_id}',
      'GET /v1/uploads/{upload_id}',
      'POST /v1/persons/search',
      'GET /v1/persons/{person_id}',
    ])
      expect(programAllowed.has(r), r).toBe(false);
    expect(KEY_PRINCIPALS.length + TOKEN_PRINCIPALS.length).toBe(
      new Set(MATRIX.map((c) => c.principal)).size,
    );
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
      const mayChange = isAdmin(c.principal)
        ? c.writes
        : WHO[c.principal].readOnly
          ? []
          : ACTS_FOR[c.principal];
      const foreign = got.filter((s) => s !== '-' && !(mayChange as readonly string[]).includes(s));
      if (foreign.length) crossSite.push(`${label(c)} wrote ${foreign}`);
      for (const m of c.leak?.(res) ?? []) crossSite.push(`${label(c)} read ${m}`);
      if (c.read && !statewideReader(c.principal)) {
        const text = JSON.stringify(res.json ?? '');
        const leaked = SITES.filter((s) => !actsFor(c.principal, s) && text.includes(IDS[s]));
        if (c.allowed && leaked.length) crossSite.push(`${label(c)} read data of ${leaked}`);
      }
      if (!c.allowed && !isAdmin(c.principal) && isRead(c.route)) {
        const data = [
          'rows',
          'dose',
          'beyond_use',
          'history',
          'summary',
          'person',
          'doses',
          'upload_id',
        ].filter((k) => res.json && typeof res.json === 'object' && k in res.json);
        if (data.length) crossSite.push(`${label(c)} denied but answered ${data}`);
      }
      // Program staff: never a dose or a person, whatever the route (any world event, patient or person ID).
      if (WHO[c.principal].role === 'program') {
        const text = JSON.stringify(res.json ?? '');
        const persons = [people.shared, people.twin, ...Object.values(people.own)].filter((id) =>
          text.includes(id),
        );
        for (const m of foreignIds(c.principal, res.json)) crossSite.push(`${label(c)} read ${m}`);
        if (persons.length) crossSite.push(`${label(c)} read persons ${persons}`);
      }
      if (problems.length) failures.push(`${label(c)}: ${problems.join('; ')}`);
    }
    const end = endState(before);
    const byTokens = MATRIX.filter((c) => WHO[c.principal].token).length;
    console.info(
      `authorization matrix: ${MATRIX.length} checks (${MATRIX.length - byTokens} with keys, ${byTokens} with sign-in tokens; ${MATRIX.length - denied} allowed, ${denied} denied), ${crossSite.length} cross-site, ${failures.length} not as the table says; ${end.items} items checked after, ${end.foreign.length} written by a principal not acting for their site`,
    );
    expect(end.items).toBeGreaterThan(100);
    expect(end.foreign).toEqual([]);
    expect({ crossSite, failures }).toEqual({ crossSite: [], failures: [] });
  }, 600_000);
});
