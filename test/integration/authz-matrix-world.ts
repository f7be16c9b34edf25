import { type AttributeValue, type DynamoDBClient, paginateScan } from '@aws-sdk/client-dynamodb';
import { buildVxu, cairFacilities, parseAck } from '#codecs/hl7/index.ts';
import { buildSubmitSingleMessageRequest, parseSoapResponse, soapContentType } from '#codecs/soap/cdc-iis.ts';
import type { Dose } from '#doses/fields.ts';
import { localDate } from '#platform/dates.ts';
import { modernaDose } from '../fixtures/doses.ts';
import type { Client, Runtime } from './harness.ts';

/** The world of the authorization matrix (authz-matrix.test.ts): its sites, the expected table, snapshots. */
export type SiteName = 'facility' | 'clientA' | 'clientB' | 'unrelated';
/** A key: each site's, and the admin key. */
export type KeyPrincipal = SiteName | 'admin';
/**
 * A sign-in token (issue 16, docs/sign-in.md): each site's machine client (client credentials, write), a person
 * signed in for clientA and the unrelated site (write), a read-only person of clientA, program staff, an
 * administrator. Names are letters only: they are parts of the world's record IDs (M?-<principal>-…).
 */
export type TokenPrincipal =
  | 'tokenFacility'
  | 'tokenClientA'
  | 'tokenClientB'
  | 'tokenUnrelated'
  | 'tokenMulti'
  | 'tokenReadA'
  | 'tokenProgram'
  | 'tokenAdmin';
export type Principal = KeyPrincipal | TokenPrincipal;
export const SITES: readonly SiteName[] = ['facility', 'clientA', 'clientB', 'unrelated'];
export const KEY_PRINCIPALS: readonly KeyPrincipal[] = [...SITES, 'admin'];
/** Each site's machine client: acts for its clients as the site's key does. */
export const SITE_TOKEN: Record<SiteName, TokenPrincipal> = {
  facility: 'tokenFacility',
  clientA: 'tokenClientA',
  clientB: 'tokenClientB',
  unrelated: 'tokenUnrelated',
};
export const TOKEN_PRINCIPALS: readonly TokenPrincipal[] = [
  ...SITES.map((s) => SITE_TOKEN[s]),
  'tokenMulti',
  'tokenReadA',
  'tokenProgram',
  'tokenAdmin',
];
export const PRINCIPALS: readonly Principal[] = [...KEY_PRINCIPALS, ...TOKEN_PRINCIPALS];

/** Who a principal is to the authorizer: its role, its own sites (a key's one; a token's dp_sites), read-only. */
export interface Who {
  role: 'site' | 'program' | 'admin';
  sites: readonly SiteName[];
  readOnly: boolean;
  token: boolean;
}
const keyWho = (s: SiteName): Who => ({ role: 'site', sites: [s], readOnly: false, token: false });
const tokenWho = (sites: SiteName[], readOnly = false): Who => ({
  role: 'site',
  sites,
  readOnly,
  token: true,
});
export const WHO: Record<Principal, Who> = {
  facility: keyWho('facility'),
  clientA: keyWho('clientA'),
  clientB: keyWho('clientB'),
  unrelated: keyWho('unrelated'),
  admin: { role: 'admin', sites: [], readOnly: false, token: false },
  tokenFacility: tokenWho(['facility']),
  tokenClientA: tokenWho(['clientA']),
  tokenClientB: tokenWho(['clientB']),
  tokenUnrelated: tokenWho(['unrelated']),
  // Its own default site is the first listed.
  tokenMulti: tokenWho(['clientA', 'unrelated']),
  tokenReadA: tokenWho(['clientA'], true),
  tokenProgram: { role: 'program', sites: [], readOnly: true, token: true },
  tokenAdmin: { role: 'admin', sites: [], readOnly: false, token: true },
};
/** The admin key or an administrator's token. */
export const isAdmin = (p: Principal) => WHO[p].role === 'admin';
/** Readers of statewide answers: the admin and program staff. */
export const statewideReader = (p: Principal) => WHO[p].role !== 'site';
/** A site principal's own (default) site: a key's site, a token's first dp_sites. */
export const home = (p: Principal): SiteName | undefined => WHO[p].sites[0];

/** The sending facility of each client site. */
const FACILITY_OF: Partial<Record<SiteName, SiteName>> = { clientA: 'facility', clientB: 'facility' };

/**
 * Whom each principal acts for: its own sites, and the sites naming one of them as their sending facility. Two
 * clients of one facility are not one organization: neither acts for the other, nor for the facility. The admin
 * and program staff act for no site (the admin administers enrollment and lots; both read reports).
 */
export const ACTS_FOR = Object.fromEntries(
  PRINCIPALS.map((p) => {
    const own = WHO[p].role === 'site' ? WHO[p].sites : [];
    const facilityOf = (s: SiteName) => FACILITY_OF[s];
    return [p, SITES.filter((s) => own.includes(s) || own.some((o) => o === facilityOf(s)))];
  }),
) as unknown as Record<Principal, readonly SiteName[]>;
export const actsFor = (p: Principal, s: SiteName) => ACTS_FOR[p].includes(s);
/** Whether a principal may change a site's data: acts for it, and not read-only. */
export const writesFor = (p: Principal, s: SiteName) => actsFor(p, s) && !WHO[p].readOnly;
/** The organization of a site: its sending facility, or itself. */
export const ORG: Record<SiteName, SiteName> = {
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
export interface Expectation {
  allow: number;
  deny: number;
  admin: number;
  /** The admin's answer is an allowed one (it reads or administers, never as a site). */
  adminAllowed: boolean;
  writes: boolean;
}
export const TABLE: Record<string, Expectation> = {
  'POST /v1/doses': { allow: 200, deny: 403, admin: 403, adminAllowed: false, writes: true },
  'GET /v1/doses/{vax_event_id}': { allow: 200, deny: 404, admin: 403, adminAllowed: false, writes: false },
  'PUT /v1/doses/{vax_event_id}': { allow: 200, deny: 404, admin: 403, adminAllowed: false, writes: true },
  'DELETE /v1/doses/{vax_event_id}': { allow: 200, deny: 404, admin: 403, adminAllowed: false, writes: true },
  // SOAP answers 200 with an HL7 ACK, AA when stored; the admin key is no SOAP credential (400, SecurityFault).
  'POST /v1/iis': { allow: 200, deny: 200, admin: 400, adminAllowed: false, writes: true },
  'POST /v1/uploads': { allow: 201, deny: 403, admin: 403, adminAllowed: false, writes: true },
  'GET /v1/uploads': { allow: 200, deny: 403, admin: 403, adminAllowed: false, writes: false },
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
  'GET /v1/reports/follow-up': { allow: 200, deny: 403, admin: 200, adminAllowed: true, writes: false },
  // A night's analytics (issue 15): a site's own figures; the admin's statewide tables.
  'GET /v1/reports/uptake': { allow: 200, deny: 403, admin: 200, adminAllowed: true, writes: false },
  'GET /v1/reports/supply': { allow: 200, deny: 403, admin: 200, adminAllowed: true, writes: false },
  'GET /v1/reports/timeliness': { allow: 200, deny: 403, admin: 200, adminAllowed: true, writes: false },
  // The consolidated record (issue 14) is read by any enrolled site, as with an IIS: no site key is denied,
  // whichever site's patient it names (RECORD_READS). Reviews, merges and splits are the admin's alone.
  'POST /v1/persons/search': { allow: 200, deny: 200, admin: 200, adminAllowed: true, writes: false },
  'GET /v1/persons/{person_id}': { allow: 200, deny: 200, admin: 200, adminAllowed: true, writes: false },
  'GET /v1/persons/{person_id}/disclosures': {
    allow: 403,
    deny: 403,
    admin: 200,
    adminAllowed: true,
    writes: false,
  },
  'GET /v1/persons/{person_id}/decisions': {
    allow: 403,
    deny: 403,
    admin: 200,
    adminAllowed: true,
    writes: false,
  },
  'GET /v1/persons/reviews': { allow: 403, deny: 403, admin: 200, adminAllowed: true, writes: false },
  'POST /v1/persons/{person_id}/merge': {
    allow: 403,
    deny: 403,
    admin: 200,
    adminAllowed: true,
    writes: false,
  },
  'POST /v1/persons/{person_id}/split': {
    allow: 403,
    deny: 403,
    admin: 200,
    adminAllowed: true,
    writes: false,
  },
  'POST /v1/persons/reviews/{review_id}': {
    allow: 403,
    deny: 403,
    admin: 200,
    adminAllowed: true,
    writes: false,
  },
  // Enrollment and keys are the admin's: a site key is refused whatever site it names.
  'GET /v1/sites/{iis_id}': { allow: 403, deny: 403, admin: 200, adminAllowed: true, writes: false },
  'POST /v1/sites': { allow: 403, deny: 403, admin: 409, adminAllowed: true, writes: false },
  'POST /v1/sites/{iis_id}/keys': { allow: 403, deny: 403, admin: 201, adminAllowed: true, writes: true },
  'DELETE /v1/sites/{iis_id}/keys': { allow: 403, deny: 403, admin: 200, adminAllowed: true, writes: true },
  // Lot expirations are program data, no site's: the admin's alone.
  'PUT /v1/lots/{ndc}/{lot_number}': { allow: 403, deny: 403, admin: 201, adminAllowed: true, writes: false },
  // Pipeline health names sites' stuck and failed uploads: program staff and the admin only, never a site.
  'GET /v1/health': { allow: 403, deny: 403, admin: 200, adminAllowed: true, writes: false },
};
/** Routes of the topology that read or write no site's data. */
// Population denominators are statewide program data (issue 15): no site's; so is coverage, by county and
// group (a site key reads only the public, small-cell suppressed figures).
export const NO_SITE_DATA = [
  'GET /v1/openapi.json',
  'GET /v1/iis',
  'PUT /v1/denominators',
  'GET /v1/denominators',
  'GET /v1/reports/coverage',
];
export const SITE_KEY_REFUSED = new Set([
  'GET /v1/health',
  'GET /v1/sites/{iis_id}',
  'POST /v1/sites',
  'POST /v1/sites/{iis_id}/keys',
  'DELETE /v1/sites/{iis_id}/keys',
  'PUT /v1/lots/{ndc}/{lot_number}',
  'GET /v1/persons/{person_id}/disclosures',
  'GET /v1/persons/{person_id}/decisions',
  'GET /v1/persons/reviews',
  'POST /v1/persons/{person_id}/merge',
  'POST /v1/persons/{person_id}/split',
  'POST /v1/persons/reviews/{review_id}',
]);

/**
 * Reads whose answer names other sites by design: the record (and a search's) shows where each dose was
 * given, a follow-up row where the person's earlier doses were. So the matrix's generic detector (any foreign
 * iis_id in the answer) does not apply to them; their calls check instead that no foreign site's own
 * identifiers (its event IDs, its patient IDs) are in the answer, and that a list holds only the site's people.
 */
export const NAMES_OTHER_SITES = new Set([
  'POST /v1/persons/search',
  'GET /v1/persons/{person_id}',
  'GET /v1/reports/follow-up',
]);
/** Allowed whatever site's patient they name (the registry's cross-site read). */
export const RECORD_READS = new Set(['POST /v1/persons/search', 'GET /v1/persons/{person_id}']);

export const NDC = '80777-0273-10';
/** Received, wasted and given a beyond-use date by every site; expires within 30 days. */
export const LOT = 'MXLOT1';
/** The lot of the seeded doses: expired before they were given, so each site has admin-error rows. */
export const DOSE_LOT = 'MXLOT2';
export const now = new Date();
export const today = localDate(now);

export const IDS: Record<SiteName, string> = {
  facility: 'MXHIE01',
  clientA: 'MXCLINICA',
  clientB: 'MXCLINICB',
  unrelated: 'MXOTHER9',
};
export const siteOf = new Map(SITES.map((s) => [IDS[s], s]));

/** The running pipeline and its clients, set up by the test's beforeAll. */
export const world = {} as { rt: Runtime; api: Client; ddb: DynamoDBClient };
/** Each principal's credential: its API key, or its sign-in's access token. */
export const keys = {} as Record<Principal, string>;
export const uploads = {} as Record<SiteName, string>;

export const dose = (id: string, site: SiteName, o: Record<string, unknown> = {}) =>
  modernaDose({ vax_event_id: id, recip_id: `R-${id}`, iis_id: IDS[site], lot_number: DOSE_LOT, ...o });
export const own = (s: SiteName) => ({ key: keys[s] });

/**
 * The people of the world. Every seeded dose above is one patient (the demo's) at every site, each site with
 * its own event and patient IDs: the shared person, whose record shows every site's doses. Each site has one
 * patient of its own besides (SOLO), seen by no other site; the unrelated site a twin of the shared patient
 * (same surname, DOB and address, another given name), which the matcher queues for review.
 */
export const SOLO: Record<
  SiteName,
  { recip_first_name: string; recip_last_name: string; recip_dob: string }
> = {
  facility: { recip_first_name: 'Fiona', recip_last_name: 'Hale', recip_dob: '1961-02-03' },
  clientA: { recip_first_name: 'Alma', recip_last_name: 'Ruiz', recip_dob: '1972-04-05' },
  clientB: { recip_first_name: 'Beatriz', recip_last_name: 'Okafor', recip_dob: '1983-06-07' },
  unrelated: { recip_first_name: 'Ursula', recip_last_name: 'Lindqvist', recip_dob: '1994-08-09' },
};
export const TWIN = { recip_first_name: 'Lucia' };
/** Person IDs, found by the admin's searches once the seeded doses are matched; `split`: the admin's splits. */
export const people = { own: {}, split: {} } as {
  shared: string;
  own: Record<SiteName, string>;
  twin: string;
  twinReview: string;
  split: Partial<Record<SiteName, string>>;
};

/**
 * The site a world event ID or patient ID belongs to: every one ends in its site's name (G-clientA,
 * P-facility-clientA, R-G-clientA), so any in an answer can be told by its site.
 */
const SITE_ID = /\b(?:R-)?[A-Z]-(?:[A-Za-z]+-)?(facility|clientA|clientB|unrelated)\b/g;
export function foreignIds(p: Principal, json: unknown): string[] {
  if (isAdmin(p)) return [];
  const text = JSON.stringify(json ?? '');
  const found = [...text.matchAll(SITE_ID)].filter((m) => !actsFor(p, m[1] as SiteName)).map((m) => m[0]);
  return found.length ? [`IDs of another site ${[...new Set(found)].slice(0, 5)}`] : [];
}

// --- reading the tables directly ---

/**
 * PERSONS_TABLE is not watched. Its links are derived from the doses table (watched: a dose written for a site
 * the key does not act for is caught there) by the matcher, off the call's path, so they land during whichever
 * call runs next; a call writes it only as access-log entries, the caller's own accounting (checked through
 * the admin's disclosures: each names its caller), and as the admin's merges and splits, which move the links
 * of any site by design. Whether any of that left the doses of a site changed is what these tables show.
 */
export const TABLES = ['SITES_TABLE', 'UPLOADS_TABLE', 'DOSES_TABLE', 'CDC_TABLE', 'STOCK_TABLE'];

/** The matrix site an item belongs to: its iis_id, or a site ID that is a whole segment of its keys. */
export function ownerOf(item: Record<string, AttributeValue>): SiteName | undefined {
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
export type Snapshot = Map<
  string,
  { json: string; owner?: SiteName; table: string; item: Record<string, AttributeValue> }
>;

export async function snapshot(): Promise<Snapshot> {
  const out: Snapshot = new Map();
  for (const env of TABLES) {
    const TableName = world.rt.env[env];
    if (!TableName) throw new Error(`${env} is not set`);
    for await (const page of paginateScan({ client: world.ddb }, { TableName, ConsistentRead: true }))
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
export function changedSites(before: Snapshot, after: Snapshot): Set<string> {
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
export function endState(snap: Snapshot): { items: number; foreign: string[] } {
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
        if (writesFor(p, t) !== (v2?.item.action?.S === action))
          foreign.push(
            `${prefix}-${p}-${t} at ${t}: ${v2 ? `version 2 (${v2.item.action?.S})` : 'unchanged'}`,
          );
      }
  return { items, foreign };
}

// --- the matrix ---

export interface Answer {
  status: number;
  json: any;
}

export interface Call {
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
  /** Checked by the generic detector: no foreign iis_id in the answer (see NAMES_OTHER_SITES). */
  read?: boolean;
  /** Instead, for NAMES_OTHER_SITES: another site's own identifiers in the answer (a cross-site read). */
  leak?: (res: Answer) => string[];
}

let soapSeq = 0;
export async function soap(p: Principal, t: SiteName): Promise<Answer> {
  const id = `S-${p}-${t}`;
  const hl7 = buildVxu({
    messageControlId: `MX-${++soapSeq}`,
    sentAt: new Date(),
    ...cairFacilities(IDS[t], home(p) ? IDS[home(p)!] : undefined),
    processingId: 'P',
    action: 'A',
    dose: dose(id, t) as unknown as Dose,
  });
  const res = await fetch(`${world.rt.apiUrl}/v1/iis`, {
    method: 'POST',
    headers: { 'content-type': soapContentType('submitSingleMessage') },
    body: buildSubmitSingleMessageRequest({
      username: IDS[home(p) ?? t],
      password: keys[p],
      facilityID: IDS[home(p) ?? t],
      hl7Message: hl7,
    }),
  });
  const parsed = parseSoapResponse(await res.text());
  return { status: res.status, json: parsed.kind === 'ack' ? parseAck(parsed.hl7) : { kind: parsed.kind } };
}

/** Every row of a site report belongs to the site named, and there is at least one. */
export const rowsOf = (t: SiteName) => (res: Answer) => {
  const rows: { iis_id: string }[] = res.json.rows ?? [];
  const bad = [];
  if (res.json.scope !== IDS[t]) bad.push(`scope ${res.json.scope}`);
  if (rows.length === 0) bad.push('no rows');
  const others = rows.filter((r) => r.iis_id !== IDS[t]).map((r) => r.iis_id);
  if (others.length) bad.push(`rows of ${[...new Set(others)]}`);
  return bad;
};
