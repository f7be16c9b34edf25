import { type AttributeValue, DynamoDBClient, paginateScan } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildVxu, cairFacilities, parseAck } from '#codecs/hl7/index.ts';
import { buildSubmitSingleMessageRequest, parseSoapResponse, soapContentType } from '#codecs/soap/cdc-iis.ts';
import type { Dose } from '#doses/fields.ts';
import { bucketStore } from '#platform/aws/objects.ts';
import { addDays, localDate } from '#platform/dates.ts';
import { runRollup } from '#stock/run-rollup.ts';
import { setLotExpiration } from '#stock/store.ts';
import { functionSpecs } from '../../infra/topology.ts';
import { demoSite, modernaDose } from '../fixtures/doses.ts';
import { ADMIN_KEY, type Client, client, enroll, type Runtime, startPipeline } from './harness.ts';

/**
 * The authorization matrix (issue 12, must show): every principal × every route that reads or writes a site's
 * data × every target site, against the table below; and, around every single call, the DynamoDB tables read
 * directly before and after, so a call that changed the data of a site its key does not act for is caught
 * whatever its answer was. The world: a sending facility (an HIE) with two client sites A and B, and an
 * unrelated site U of another organization; each site's key, and the admin key.
 */

type SiteName = 'facility' | 'clientA' | 'clientB' | 'unrelated';
type Principal = SiteName | 'admin';
const SITES: readonly SiteName[] = ['facility', 'clientA', 'clientB', 'unrelated'];
const PRINCIPALS: readonly Principal[] = [...SITES, 'admin'];

/**
 * Whom each key acts for: its own site, and (the facility) the sites naming it as their sending facility. Two
 * clients of one facility are not one organization: neither acts for the other, nor for the facility. The admin
 * key acts for no site (it administers enrollment and lots, and reads reports).
 */
const ACTS_FOR: Record<Principal, readonly SiteName[]> = {
  facility: ['facility', 'clientA', 'clientB'],
  clientA: ['clientA'],
  clientB: ['clientB'],
  unrelated: ['unrelated'],
  admin: [],
};
const actsFor = (p: Principal, s: SiteName) => ACTS_FOR[p].includes(s);
/** The organization of a site: its sending facility, or itself. */
const ORG: Record<SiteName, SiteName> = {
  facility: 'facility',
  clientA: 'facility',
  clientB: 'facility',
  unrelated: 'unrelated',
};

/**
 * The expected answer of each route: for a site key that acts for the target (allow), one that does not (deny),
 * and the admin key. A denied read of a dose or an upload is a 404, as for one that does not exist, so it tells
 * nothing about another site's IDs. `writes`: an allowed call changes the target's data (reads change nothing).
 */
interface Expectation {
  allow: number;
  deny: number;
  admin: number;
  /** The admin's answer is an allowed one (it reads or administers, never as a site). */
  adminAllowed: boolean;
  writes: boolean;
}
const TABLE: Record<string, Expectation> = {
  'POST /v1/doses': { allow: 200, deny: 403, admin: 403, adminAllowed: false, writes: true },
  'GET /v1/doses/{vax_event_id}': { allow: 200, deny: 404, admin: 403, adminAllowed: false, writes: false },
  'PUT /v1/doses/{vax_event_id}': { allow: 200, deny: 404, admin: 403, adminAllowed: false, writes: true },
  'DELETE /v1/doses/{vax_event_id}': { allow: 200, deny: 404, admin: 403, adminAllowed: false, writes: true },
  // SOAP answers 200 with an HL7 ACK, AA when stored; the admin key is no SOAP credential (400, SecurityFault).
  'POST /v1/iis': { allow: 200, deny: 200, admin: 400, adminAllowed: false, writes: true },
  'POST /v1/uploads': { allow: 201, deny: 403, admin: 403, adminAllowed: false, writes: true },
  'GET /v1/uploads/{upload_id}': { allow: 200, deny: 404, admin: 403, adminAllowed: false, writes: false },
  // The admin reads a lot's expirations, never a site's beyond-use dates.
  'GET /v1/lots/{ndc}/{lot_number}': { allow: 200, deny: 403, admin: 200, adminAllowed: true, writes: false },
  'PUT /v1/lots/{ndc}/{lot_number}/beyond-use': {
    allow: 201,
    deny: 403,
    admin: 403,
    adminAllowed: false,
    writes: true,
  },
  'POST /v1/inventory/receipts': { allow: 200, deny: 403, admin: 403, adminAllowed: false, writes: true },
  'POST /v1/inventory/transfers': { allow: 200, deny: 403, admin: 403, adminAllowed: false, writes: true },
  'POST /v1/wastage': { allow: 200, deny: 403, admin: 403, adminAllowed: false, writes: true },
  'GET /v1/reports/wastage': { allow: 200, deny: 403, admin: 200, adminAllowed: true, writes: false },
  'GET /v1/reports/expiring': { allow: 200, deny: 403, admin: 200, adminAllowed: true, writes: false },
  'GET /v1/reports/admin-errors': { allow: 200, deny: 403, admin: 200, adminAllowed: true, writes: false },
  // Enrollment and keys are the admin's: a site key is refused whatever site it names.
  'GET /v1/sites/{iis_id}': { allow: 403, deny: 403, admin: 200, adminAllowed: true, writes: false },
  'POST /v1/sites': { allow: 403, deny: 403, admin: 409, adminAllowed: true, writes: false },
  'POST /v1/sites/{iis_id}/keys': { allow: 403, deny: 403, admin: 201, adminAllowed: true, writes: true },
  'DELETE /v1/sites/{iis_id}/keys': { allow: 403, deny: 403, admin: 200, adminAllowed: true, writes: true },
  // Lot expirations are program data, no site's: the admin's alone.
  'PUT /v1/lots/{ndc}/{lot_number}': { allow: 403, deny: 403, admin: 201, adminAllowed: true, writes: false },
};
/** Routes of the topology that read or write no site's data. */
const NO_SITE_DATA = ['GET /v1/openapi.json', 'GET /v1/iis'];
const SITE_KEY_REFUSED = new Set([
  'GET /v1/sites/{iis_id}',
  'POST /v1/sites',
  'POST /v1/sites/{iis_id}/keys',
  'DELETE /v1/sites/{iis_id}/keys',
  'PUT /v1/lots/{ndc}/{lot_number}',
]);

const NDC = '80777-0273-10';
/** Received, wasted and given a beyond-use date by every site; expires within 30 days. */
const LOT = 'MXLOT1';
/** The lot of the seeded doses: expired before they were given, so each site has admin-error rows. */
const DOSE_LOT = 'MXLOT2';
const now = new Date();
const today = localDate(now);

const IDS: Record<SiteName, string> = {
  facility: 'MXHIE01',
  clientA: 'MXCLINICA',
  clientB: 'MXCLINICB',
  unrelated: 'MXOTHER9',
};
const siteOf = new Map(SITES.map((s) => [IDS[s], s]));

let rt: Runtime;
let api: Client;
let ddb: DynamoDBClient;
const keys = {} as Record<Principal, string>;
const uploads = {} as Record<SiteName, string>;

const dose = (id: string, site: SiteName, o: Record<string, unknown> = {}) =>
  modernaDose({ vax_event_id: id, recip_id: `R-${id}`, iis_id: IDS[site], lot_number: DOSE_LOT, ...o });
const own = (s: SiteName) => ({ key: keys[s] });

beforeAll(async () => {
  rt = await startPipeline();
  api = client(rt);
  ddb = new DynamoDBClient({});
  keys.admin = ADMIN_KEY;
  keys.facility = (await enroll(api, { iis_id: IDS.facility, admin_name: 'Valley HIE' })).api_key;
  for (const s of ['clientA', 'clientB'] as const)
    keys[s] = (await enroll(api, { iis_id: IDS[s], sending_facility_iis_id: IDS.facility })).api_key;
  keys.unrelated = (await enroll(api, { iis_id: IDS.unrelated, admin_name: 'Unrelated clinic' })).api_key;

  // Every site's data, written with its own key: a dose to read, one to update and one to delete per principal,
  // stock, a beyond-use date, an upload; then the day's roll-up, so each site has rows in every report.
  await setLotExpiration(NDC, LOT, addDays(today, 20), now, 'admin');
  await setLotExpiration(NDC, DOSE_LOT, '2021-03-01', now, 'admin');
  for (const s of SITES) {
    const doses = [
      dose(`G-${s}`, s),
      ...PRINCIPALS.flatMap((p) => [dose(`P-${p}-${s}`, s), dose(`D-${p}-${s}`, s)]),
    ];
    const posted = await api.call('POST', '/v1/doses', { ...own(s), body: { doses } });
    expect(posted.json.results.map((r: { status: string }) => r.status)).toEqual(doses.map(() => 'accepted'));
    const stock = { ndc: NDC, lot_number: LOT, date: today };
    const rcv = await api.call('POST', '/v1/inventory/receipts', {
      ...own(s),
      body: { ...stock, record_id: 'SEED-R', doses: 100 },
    });
    expect(rcv.json.results[0].status).toBe('accepted');
    const waste = await api.call('POST', '/v1/wastage', {
      ...own(s),
      body: { ...stock, record_id: 'SEED-W', doses: 1, reason: 'broken-or-dropped' },
    });
    expect(waste.json.results[0].status).toBe('accepted');
    const bud = await api.call('PUT', `/v1/lots/${NDC}/${LOT}/beyond-use`, {
      ...own(s),
      body: { beyond_use_date: addDays(today, 1) },
    });
    expect(bud.status).toBe(201);
    const up = await api.call('POST', '/v1/uploads', { ...own(s), body: { name: `seed-${s}.csv` } });
    expect(up.status).toBe(201);
    uploads[s] = up.json.upload_id;
  }
  await runRollup(today, bucketStore('REPORTS_BUCKET'), () => now);
}, 120_000);
afterAll(async () => rt?.stop());

// --- reading the tables directly ---

const TABLES = ['SITES_TABLE', 'UPLOADS_TABLE', 'DOSES_TABLE', 'CDC_TABLE', 'STOCK_TABLE'];

/** The matrix site an item belongs to: its iis_id, or a site ID that is a whole segment of its keys. */
function ownerOf(item: Record<string, AttributeValue>): SiteName | undefined {
  const direct = item.iis_id?.S;
  if (direct) return siteOf.get(direct);
  for (const k of ['pk', 'sk'])
    for (const part of (item[k]?.S ?? '').split('#')) {
      const s = siteOf.get(part);
      if (s) return s;
    }
  return undefined;
}

/** Every item of every table, by table and key, with the site it belongs to. */
type Snapshot = Map<
  string,
  { json: string; owner?: SiteName; table: string; item: Record<string, AttributeValue> }
>;

async function snapshot(): Promise<Snapshot> {
  const out: Snapshot = new Map();
  for (const env of TABLES) {
    const TableName = rt.env[env];
    if (!TableName) throw new Error(`${env} is not set`);
    for await (const page of paginateScan({ client: ddb }, { TableName, ConsistentRead: true }))
      for (const item of page.Items ?? [])
        out.set(`${env}|${item.pk?.S}|${item.sk?.S}`, {
          json: JSON.stringify(item),
          owner: ownerOf(item),
          table: env,
          item,
        });
  }
  return out;
}

/** The sites whose items were added, changed or removed between two snapshots ('-' for items of no site). */
function changedSites(before: Snapshot, after: Snapshot): Set<string> {
  const changed = new Set<string>();
  for (const [k, a] of after) {
    const b = before.get(k);
    if (!b || b.json !== a.json) changed.add(a.owner ?? '-');
  }
  for (const [k, b] of before) if (!after.has(k)) changed.add(b.owner ?? '-');
  return changed;
}

/**
 * After the matrix, from the tables alone: who wrote each item of a site. A dose version names the key's site
 * that stored it (submitted_by), an upload the key's site that opened it (created_by), and every stock record of
 * the matrix its principal in its record_id (M?-<principal>-…); each must act for the site the item belongs to.
 * The doses seeded for updating and deleting are changed exactly where the principal acts for the site.
 */
function endState(snap: Snapshot): { items: number; foreign: string[] } {
  const foreign: string[] = [];
  let items = 0;
  const principal = (id: string | undefined, pattern: RegExp) => {
    const m = id ? pattern.exec(id) : null;
    return m && (PRINCIPALS as readonly string[]).includes(m[1]!) ? (m[1] as Principal) : undefined;
  };
  const byKey = (iis: string | undefined) => (iis ? siteOf.get(iis) : undefined);
  for (const { owner, table, item } of snap.values()) {
    if (!owner) continue;
    let writer: Principal | undefined;
    if (table === 'DOSES_TABLE') writer = byKey(item.submitted_by?.S);
    else if (table === 'UPLOADS_TABLE') writer = byKey(item.created_by?.S);
    else if (table === 'STOCK_TABLE') writer = principal(item.record_id?.S, /^M[RTOW]-([A-Za-z]+)-/);
    if (!writer) continue;
    items++;
    if (!actsFor(writer, owner)) foreign.push(`${table} ${item.pk?.S} ${item.sk?.S}: written by ${writer}`);
  }
  for (const p of PRINCIPALS)
    for (const t of SITES)
      for (const [prefix, action] of [
        ['P', 'U'],
        ['D', 'D'],
      ] as const) {
        const v2 = snap.get(`DOSES_TABLE|DOSE#${IDS[t]}#${prefix}-${p}-${t}|V#000002`);
        items++;
        if (actsFor(p, t) !== (v2?.item.action?.S === action))
          foreign.push(
            `${prefix}-${p}-${t} at ${t}: ${v2 ? `version 2 (${v2.item.action?.S})` : 'unchanged'}`,
          );
      }
  return { items, foreign };
}

// --- the matrix ---

interface Answer {
  status: number;
  json: any;
}

interface Call {
  route: string;
  variant: string;
  principal: Principal;
  target: SiteName | undefined;
  allowed: boolean;
  status: number;
  /** The sites this call must change, exactly ('-': data of no site, as a lot's expiration). */
  writes: string[];
  run: () => Promise<Answer>;
  /** Further checks of an answer; a message for each failure. */
  check?: (res: Answer) => string[];
  read?: boolean;
}

let soapSeq = 0;
async function soap(p: Principal, t: SiteName): Promise<Answer> {
  const id = `S-${p}-${t}`;
  const hl7 = buildVxu({
    messageControlId: `MX-${++soapSeq}`,
    sentAt: new Date(),
    ...cairFacilities(IDS[t], p === 'admin' ? undefined : IDS[p]),
    processingId: 'P',
    action: 'A',
    dose: dose(id, t) as unknown as Dose,
  });
  const res = await fetch(`${rt.apiUrl}/v1/iis`, {
    method: 'POST',
    headers: { 'content-type': soapContentType('submitSingleMessage') },
    body: buildSubmitSingleMessageRequest({
      username: p === 'admin' ? IDS[t] : IDS[p],
      password: keys[p],
      facilityID: p === 'admin' ? IDS[t] : IDS[p],
      hl7Message: hl7,
    }),
  });
  const parsed = parseSoapResponse(await res.text());
  return { status: res.status, json: parsed.kind === 'ack' ? parseAck(parsed.hl7) : { kind: parsed.kind } };
}

/** Every row of a site report belongs to the site named, and there is at least one. */
const rowsOf = (t: SiteName) => (res: Answer) => {
  const rows: { iis_id: string }[] = res.json.rows ?? [];
  const bad = [];
  if (res.json.scope !== IDS[t]) bad.push(`scope ${res.json.scope}`);
  if (rows.length === 0) bad.push('no rows');
  const others = rows.filter((r) => r.iis_id !== IDS[t]).map((r) => r.iis_id);
  if (others.length) bad.push(`rows of ${[...new Set(others)]}`);
  return bad;
};

function calls(): Call[] {
  const out: Call[] = [];
  const add = (
    route: string,
    variant: string,
    run: (p: Principal, t: SiteName) => Promise<Answer>,
    extra: (
      p: Principal,
      t: SiteName,
      allowed: boolean,
    ) => Partial<Pick<Call, 'writes' | 'check' | 'status'>> = () => ({}),
    targets: readonly (SiteName | undefined)[] = SITES,
    principals: readonly Principal[] = PRINCIPALS,
  ) => {
    const e = TABLE[route]!;
    for (const p of principals)
      for (const t of targets) {
        const allowed =
          p === 'admin' ? e.adminAllowed : !SITE_KEY_REFUSED.has(route) && (t === undefined || actsFor(p, t));
        const status = p === 'admin' ? e.admin : allowed ? e.allow : e.deny;
        const target = t ?? (p === 'admin' ? undefined : (p as SiteName));
        const more = target ? extra(p, target, allowed) : {};
        out.push({
          route,
          variant,
          principal: p,
          target: t,
          allowed,
          status,
          writes:
            allowed && route === 'PUT /v1/lots/{ndc}/{lot_number}'
              ? ['-']
              : allowed && e.writes && target
                ? [target]
                : [],
          read: route.startsWith('GET '),
          run: () => run(p, target as SiteName),
          ...more,
        });
      }
  };
  const q = (t: SiteName) => `?iis_id=${IDS[t]}`;
  const call =
    (
      method: string,
      path: (p: Principal, t: SiteName) => string,
      body?: (p: Principal, t: SiteName) => unknown,
    ) =>
    (p: Principal, t: SiteName) =>
      api.call(method, path(p, t), {
        key: keys[p],
        ...(body ? { body: body(p, t) } : {}),
        headers: { 'if-match': '"1"' },
      });

  add(
    'POST /v1/doses',
    'body iis_id',
    call(
      'POST',
      () => '/v1/doses',
      (p, t) => dose(`N-${p}-${t}`, t),
    ),
    (_p, _t, allowed) => ({
      check: (res) => (allowed && res.json.results[0].status !== 'accepted' ? ['not accepted'] : []),
    }),
  );
  add(
    'GET /v1/doses/{vax_event_id}',
    '?iis_id=',
    call('GET', (_p, t) => `/v1/doses/G-${t}${q(t)}`),
    (_p, t, allowed) => ({
      check: (res) => (allowed && res.json.iis_id !== IDS[t] ? [`dose of ${res.json.iis_id}`] : []),
    }),
  );
  add(
    'PUT /v1/doses/{vax_event_id}',
    '?iis_id=',
    call(
      'PUT',
      (p, t) => `/v1/doses/P-${p}-${t}${q(t)}`,
      (p, t) => dose(`P-${p}-${t}`, t, { vax_admin_site: 'RD' }),
    ),
  );
  add(
    'DELETE /v1/doses/{vax_event_id}',
    '?iis_id=',
    call('DELETE', (p, t) => `/v1/doses/D-${p}-${t}${q(t)}`),
  );
  add('POST /v1/iis', 'VXU for the site', soap, (p, _t, allowed) => ({
    check: (res) => {
      const code = res.json.ackCode;
      if (p === 'admin') return res.json.kind === 'fault' ? [] : ['admin key not refused'];
      return (code === 'AA') === allowed ? [] : [`ACK ${code}`];
    },
  }));
  add(
    'POST /v1/uploads',
    'body iis_id',
    call(
      'POST',
      () => '/v1/uploads',
      (p, t) => ({ name: `m-${p}.csv`, iis_id: IDS[t] }),
    ),
  );
  add(
    'GET /v1/uploads/{upload_id}',
    "the site's upload",
    call('GET', (_p, t) => `/v1/uploads/${uploads[t]}`),
    (_p, t, allowed) => ({
      check: (res) => (allowed && res.json.iis_id !== IDS[t] ? [`upload of ${res.json.iis_id}`] : []),
    }),
  );
  add(
    'GET /v1/lots/{ndc}/{lot_number}',
    '?iis_id=',
    call('GET', (_p, t) => `/v1/lots/${NDC}/${LOT}${q(t)}`),
    (p, t, allowed) => ({
      check: (res) =>
        p === 'admin'
          ? 'beyond_use' in res.json
            ? ['the admin saw a beyond-use date']
            : []
          : allowed && res.json.beyond_use?.iis_id !== IDS[t]
            ? [`beyond-use of ${res.json.beyond_use?.iis_id}`]
            : [],
    }),
  );
  add(
    'PUT /v1/lots/{ndc}/{lot_number}/beyond-use',
    '?iis_id=',
    call(
      'PUT',
      (_p, t) => `/v1/lots/${NDC}/${LOT}/beyond-use${q(t)}`,
      (p) => ({ beyond_use_date: addDays(today, 2 + PRINCIPALS.indexOf(p)) }),
    ),
  );
  const stock = (record_id: string, o: Record<string, unknown> = {}) => ({
    record_id,
    ndc: NDC,
    lot_number: LOT,
    doses: 2,
    date: today,
    ...o,
  });
  const accepted = (codes: string[]) => (res: Answer) => {
    const r = res.json.results?.[0];
    const got = (r?.issues ?? []).map((i: { code: string }) => i.code);
    return r?.status === 'accepted' && JSON.stringify(got) === JSON.stringify(codes)
      ? []
      : [`${r?.status} ${got}`];
  };
  add(
    'POST /v1/inventory/receipts',
    'from the distributor',
    call(
      'POST',
      (_p, t) => `/v1/inventory/receipts${q(t)}`,
      (p, t) => stock(`MR-${p}-${t}`),
    ),
    (_p, _t, allowed) => (allowed ? { check: accepted([]) } : {}),
  );
  for (const from of SITES)
    add(
      'POST /v1/inventory/receipts',
      `transfer in from ${from}`,
      call(
        'POST',
        (_p, t) => `/v1/inventory/receipts${q(t)}`,
        (p, t) => stock(`MT-${p}-${t}-${from}`, { from_iis_id: IDS[from] }),
      ),
      (p, t, allowed) => {
        if (!allowed) return {};
        // Both sides only with a key acting for the sender too; else the receipt alone, and the finding says why.
        const both = actsFor(p, from);
        const code = both ? [] : ORG[from] === ORG[t] ? ['STK015'] : ['STK011'];
        return { writes: both ? [t, from] : [t], check: accepted(code) };
      },
      SITES.filter((t) => t !== from),
    );
  for (const to of SITES)
    add(
      'POST /v1/inventory/transfers',
      `transfer out to ${to}`,
      call(
        'POST',
        (_p, t) => `/v1/inventory/transfers${q(t)}`,
        (p, t) => stock(`MO-${p}-${t}-${to}`, { to_iis_id: IDS[to] }),
      ),
      (_p, _t, allowed) => (allowed ? { check: accepted([]) } : {}),
      SITES.filter((t) => t !== to),
    );
  add(
    'POST /v1/wastage',
    '?iis_id=',
    call(
      'POST',
      (_p, t) => `/v1/wastage${q(t)}`,
      (p, t) => stock(`MW-${p}-${t}`, { reason: 'expired' }),
    ),
    (_p, _t, allowed) => (allowed ? { check: accepted([]) } : {}),
  );
  for (const report of ['wastage', 'expiring', 'admin-errors']) {
    const route = `GET /v1/reports/${report}`;
    add(
      route,
      '?iis_id=',
      call('GET', (_p, t) => `/v1/reports/${report}?date=${today}&iis_id=${IDS[t]}`),
      (_p, t, allowed) => (allowed ? { check: rowsOf(t) } : {}),
    );
    // Statewide: no site named. A site key gets its own rows; the admin key every site's.
    add(
      route,
      'statewide (no iis_id)',
      call('GET', () => `/v1/reports/${report}?date=${today}`),
      (p) =>
        p === 'admin'
          ? {
              check: (res: Answer) => {
                const seen = new Set((res.json.rows ?? []).map((r: { iis_id: string }) => r.iis_id));
                return SITES.every((s) => seen.has(IDS[s])) ? [] : ['statewide rows miss a site'];
              },
            }
          : { check: rowsOf(p as SiteName) },
      [undefined],
    );
  }
  add(
    'GET /v1/sites/{iis_id}',
    'path',
    call('GET', (_p, t) => `/v1/sites/${IDS[t]}`),
  );
  add(
    'POST /v1/sites',
    'enroll the site again',
    call(
      'POST',
      () => '/v1/sites',
      (_p, t) => ({ ...demoSite, iis_id: IDS[t] }),
    ),
  );
  add(
    'PUT /v1/lots/{ndc}/{lot_number}',
    'set an expiration',
    call(
      'PUT',
      (p) => `/v1/lots/${NDC}/MXEXP-${p}`,
      () => ({ expiration: addDays(today, 90) }),
    ),
    () => ({}),
    [undefined],
  );
  // Last: the admin's key changes end the sites' keys. Every site key first, then the admin.
  const sitePrincipals = PRINCIPALS.filter((p) => p !== 'admin');
  for (const principals of [sitePrincipals, ['admin'] as const]) {
    add(
      'POST /v1/sites/{iis_id}/keys',
      'rotate',
      call(
        'POST',
        (_p, t) => `/v1/sites/${IDS[t]}/keys`,
        () => ({}),
      ),
      undefined,
      SITES,
      principals,
    );
    add(
      'DELETE /v1/sites/{iis_id}/keys',
      'revoke',
      call('DELETE', (_p, t) => `/v1/sites/${IDS[t]}/keys`),
      undefined,
      SITES,
      principals,
    );
  }
  return out;
}

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
