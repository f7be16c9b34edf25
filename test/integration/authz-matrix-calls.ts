import { addDays } from '#platform/dates.ts';
import { ALL_ENDPOINTS } from '#platform/http/endpoints-by-function.ts';
import { demoSite } from '../fixtures/doses.ts';
import {
  type Answer,
  actsFor,
  type Call,
  dose,
  foreignIds,
  home,
  IDS,
  isAdmin,
  keys,
  LOT,
  NAMES_OTHER_SITES,
  NDC,
  ORG,
  PRINCIPALS,
  type Principal,
  people,
  RECORD_READS,
  rowsOf,
  SITE_KEY_REFUSED,
  SITES,
  type SiteName,
  SOLO,
  soap,
  statewideReader,
  TABLE,
  today,
  uploads,
  WHO,
  world,
} from './authz-matrix-world.ts';
import { drained } from './harness.ts';

/** Each route's declaration (shared/<capability>/endpoints.ts): who may call it, and whether it only reads. */
const DECLARED = new Map(ALL_ENDPOINTS.map((e) => [e.key as string, e]));
/** Routes a read-only sign-in may call: a GET, or a POST declared `reads: true` (platform/http/handler.ts). */
export const isRead = (route: string) => route.startsWith('GET ') || DECLARED.get(route)?.reads === true;
/** Routes whose declaration lists program staff. */
export const programRoute = (route: string) => {
  const access = DECLARED.get(route)?.access;
  return Array.isArray(access) && access.includes('program');
};
const siteRoute = (route: string) => {
  const access = DECLARED.get(route)?.access;
  return Array.isArray(access) && access.includes('site');
};

/**
 * What a principal is answered, from the table's key expectations: a site token as a key acting for the same
 * sites; a read-only one refused every write (403 AUTH005) before anything is done; program staff only the
 * routes declaring 'program', with the statewide (admin's) answer, except a site's follow-up list (403); an
 * administrator's token as the admin key. A token is no SOAP credential (the WSDL's password is a site key):
 * the SOAP service answers it the SecurityFault it answers the admin key.
 */
function expected(
  route: string,
  p: Principal,
  t: SiteName | undefined,
): { allowed: boolean; status: number } {
  const e = TABLE[route]!;
  const who = WHO[p];
  if (route === 'POST /v1/iis' && who.token) return { allowed: false, status: e.admin };
  if (who.role === 'admin') return { allowed: e.adminAllowed, status: e.admin };
  if (who.role === 'program') {
    const allowed = programRoute(route) && !(route === 'GET /v1/reports/follow-up' && t !== undefined);
    return { allowed, status: allowed ? e.admin : 403 };
  }
  if (who.readOnly && !isRead(route) && route !== 'POST /v1/iis') return { allowed: false, status: 403 };
  const allowed =
    !SITE_KEY_REFUSED.has(route) && (t === undefined || actsFor(p, t) || RECORD_READS.has(route));
  return { allowed, status: allowed ? e.allow : e.deny };
}

/** Every call of the matrix: principal × route × target, with what it must answer and change. */
export function calls(): Call[] {
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
        const { allowed, status } = expected(route, p, t);
        const target = t ?? home(p);
        // The admin naming no site too: such extras (statewide) look at the principal only.
        const more = extra(p, target as SiteName, allowed);
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
          read: route.startsWith('GET ') && !NAMES_OTHER_SITES.has(route),
          ...(NAMES_OTHER_SITES.has(route) ? { leak: (res: Answer) => foreignIds(p, res.json) } : {}),
          run: () => run(p, target as SiteName),
          ...more,
        });
        // A read-only sign-in on a site's write: refused as read-only (the admin's routes refuse its role first).
        if (WHO[p].readOnly && WHO[p].role === 'site' && !isRead(route) && siteRoute(route)) {
          const c = out[out.length - 1]!;
          const more = c.check;
          c.check = (res) => [
            ...(res.json?.issues?.[0]?.code === 'AUTH005'
              ? []
              : [`not AUTH005: ${JSON.stringify(res.json)}`]),
            ...(more?.(res) ?? []),
          ];
        }
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
      world.api.call(method, path(p, t), {
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
      if (isAdmin(p) || WHO[p].token) return res.json.kind === 'fault' ? [] : [`${p} not refused`];
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
    'GET /v1/uploads',
    '?iis_id=',
    call('GET', (_p, t) => `/v1/uploads${q(t)}&limit=100`),
    // The site's list names the site and none of the other sites' uploads.
    (_p, t, allowed) => ({
      check: (res) => {
        if (!allowed) return [];
        const listed = new Set((res.json.uploads ?? []).map((u: { upload_id: string }) => u.upload_id));
        const foreign = Object.entries(uploads).filter(([s, id]) => s !== t && listed.has(id));
        return res.json.iis_id !== IDS[t] || foreign.length
          ? [`list of ${res.json.iis_id} with ${foreign.map(([s]) => s).join(' ')}`]
          : [];
      },
    }),
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
        statewideReader(p)
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
      (p, _t, allowed) =>
        !allowed
          ? {}
          : statewideReader(p)
            ? {
                check: (res: Answer) => {
                  const seen = new Set((res.json.rows ?? []).map((r: { iis_id: string }) => r.iis_id));
                  return SITES.every((s) => seen.has(IDS[s])) ? [] : ['statewide rows miss a site'];
                },
              }
            : { check: rowsOf(home(p)!) },
      [undefined],
    );
  }
  // Reminder/recall: a site's list (or a client's, for its facility) holds its own people only, each under the
  // site's own patient ID; where the person's earlier doses were given may name other sites (NAMES_OTHER_SITES).
  const ownList = (t: SiteName) => (res: Answer) => {
    const rows: { person_id: string; recip_id: string }[] = res.json.rows ?? [];
    const bad: string[] = [];
    if (res.json.scope !== IDS[t]) bad.push(`list of ${res.json.scope}`);
    const got = [...new Set(rows.map((r) => r.person_id))].sort().join();
    const theirs = [people.shared, people.own[t], ...(t === 'unrelated' ? [people.twin] : [])];
    if (got !== theirs.sort().join()) bad.push(`people ${got}`);
    const ids = rows.map((r) => r.recip_id).filter((r) => !r.endsWith(`-${t}`));
    if (ids.length) bad.push(`patient IDs not ${t}'s: ${ids}`);
    return bad;
  };
  const refused = (res: Answer) => ('rows' in (res.json ?? {}) ? ['denied but answered rows'] : []);
  add(
    'GET /v1/reports/follow-up',
    '?iis_id=',
    call('GET', (_p, t) => `/v1/reports/follow-up?date=${today}&iis_id=${IDS[t]}`),
    (_p, t, allowed) => ({ check: allowed ? ownList(t) : refused }),
  );
  add(
    'GET /v1/reports/follow-up',
    'statewide (no iis_id)',
    call('GET', () => `/v1/reports/follow-up?date=${today}`),
    (p) => ({
      check: statewideReader(p)
        ? (res: Answer) =>
            // The shared patient, the twin and each site's own: six people overdue, counted by county only.
            res.json.counts?.overdue === 6 && res.json.by_county?.length && !('rows' in res.json)
              ? []
              : [`statewide ${JSON.stringify(res.json).slice(0, 200)}`]
        : ownList(home(p)!),
    }),
    [undefined],
  );

  // The nightly analytics (issue 15): a site's own figures (sites/<iis>.json), or a client site's for its
  // facility; the admin's statewide tables. Coverage is in NO_SITE_DATA: a site key reads only its public,
  // suppressed figures, statewide aggregates of no site.
  const ownFigures =
    (part: 'uptake' | 'supply' | 'timeliness', t: SiteName) =>
    (res: Answer): string[] => {
      const got = res.json?.[part];
      const mine =
        part === 'uptake'
          ? got?.doses >= 1 // each site's own patient (SOLO) at least
          : part === 'supply'
            ? got?.site?.iis_id === IDS[t]
            : got?.all_time?.key === IDS[t];
      return res.json?.scope === IDS[t] && mine
        ? []
        : [`${part} of ${JSON.stringify(res.json).slice(0, 200)}`];
    };
  for (const part of ['uptake', 'supply', 'timeliness'] as const) {
    const route = `GET /v1/reports/${part}`;
    const denied = (res: Answer) => (part in (res.json ?? {}) ? [`denied but answered ${part}`] : []);
    add(
      route,
      '?iis_id=',
      call('GET', (_p, t) => `/v1/reports/${part}?date=${today}&iis_id=${IDS[t]}`),
      (_p, t, allowed) => ({ check: allowed ? ownFigures(part, t) : denied }),
    );
    add(
      route,
      'statewide (no iis_id)',
      call('GET', () => `/v1/reports/${part}?date=${today}`),
      (p) => ({
        check: statewideReader(p)
          ? (res: Answer) => {
              const all = res.json?.scope === 'all sites' && !(part in res.json);
              const text = JSON.stringify(res.json ?? '');
              const missing = part === 'uptake' ? [] : SITES.filter((s) => !text.includes(IDS[s]));
              return all && missing.length === 0 ? [] : [`statewide ${text.slice(0, 200)}`];
            }
          : ownFigures(part, home(p)!),
      }),
      [undefined],
    );
  }

  // The consolidated record: every key reads it, whichever site's patient (RECORD_READS), but another site's
  // own identifiers never come with it. Matching runs off the intake path: the doses written above first.
  const matched =
    (run: (p: Principal, t: SiteName) => Promise<Answer>) => async (p: Principal, t: SiteName) => {
      await drained(world.rt, 'person-changes');
      return run(p, t);
    };
  const record =
    (person: () => string, all = false) =>
    (p: Principal, t: SiteName | undefined) => ({
      check: (res: Answer) => {
        const r = res.json.person ?? res.json;
        const bad: string[] = [];
        if (r.person_id !== person()) bad.push(`person ${r.person_id}`);
        // Not an empty check: the caller's own IDs are there, and (the shared patient) every site's dose.
        if (t && WHO[p].sites.includes(t) && !JSON.stringify(r.doses).includes(`"F-${t}"`))
          bad.push('own event ID missing');
        const sites = new Set(
          (r.doses ?? []).flatMap((d: { reported_by: { iis_id: string }[] }) =>
            d.reported_by.map((x) => x.iis_id),
          ),
        );
        if (all && !SITES.every((s) => sites.has(IDS[s]))) bad.push(`doses of ${[...sites]} only`);
        return bad;
      },
    });
  const searchBody = (o: Partial<(typeof SOLO)[SiteName]> = {}) => ({
    first_name: o.recip_first_name ?? 'Maria',
    last_name: o.recip_last_name ?? 'Gonzalez',
    dob: o.recip_dob ?? '1958-07-22',
    sex: 'F',
    zip: '94612',
  });
  add(
    'POST /v1/persons/search',
    "the site's own patient",
    matched(
      call(
        'POST',
        () => '/v1/persons/search',
        (_p, t) => searchBody(SOLO[t]),
      ),
    ),
    (p, t, allowed) => (allowed ? record(() => people.own[t])(p, t) : {}),
  );
  add(
    'POST /v1/persons/search',
    'the patient of every site',
    matched(
      call(
        'POST',
        () => '/v1/persons/search',
        () => searchBody(),
      ),
    ),
    (p, _t, allowed) => (allowed ? record(() => people.shared, true)(p, undefined) : {}),
    [undefined],
  );
  add(
    'GET /v1/persons/{person_id}',
    "the site's own patient",
    matched(call('GET', (_p, t) => `/v1/persons/${people.own[t]}`)),
    (p, t, allowed) => (allowed ? record(() => people.own[t])(p, t) : {}),
  );
  add(
    'GET /v1/persons/{person_id}',
    'the patient of every site',
    matched(call('GET', () => `/v1/persons/${people.shared}`)),
    (p, _t, allowed) => (allowed ? record(() => people.shared, true)(p, undefined) : {}),
    [undefined],
  );
  // The admin's: site keys are refused whichever person or review they name, before anything is done.
  add(
    'GET /v1/persons/{person_id}/disclosures',
    "the site's own patient",
    matched(call('GET', (_p, t) => `/v1/persons/${people.own[t]}/disclosures`)),
    (p) =>
      isAdmin(p)
        ? {
            // Each read above is accounted to its caller (every site and the admin), never to the patient's site.
            check: (res: Answer) => {
              const who = [...new Set(res.json.disclosures.map((d: { who: string }) => d.who))].sort();
              const want = [...SITES.map((s) => IDS[s]), 'admin'].sort();
              return who.join() === want.join() ? [] : [`accounted to ${who}`];
            },
          }
        : {},
  );
  add(
    'GET /v1/persons/{person_id}/decisions',
    "the site's own patient",
    matched(call('GET', (_p, t) => `/v1/persons/${people.own[t]}/decisions`)),
    (p, t) =>
      isAdmin(p)
        ? {
            check: (res: Answer) =>
              res.json.decisions.some(
                (d: { kind: string; doses: { vax_event_id: string }[] }) =>
                  d.kind === 'new' && d.doses[0]?.vax_event_id === `F-${t}`,
              )
                ? []
                : ['no decision that made the person'],
          }
        : {},
  );
  add(
    'GET /v1/persons/reviews',
    "the twin's dose waiting",
    matched(call('GET', () => '/v1/persons/reviews')),
    (p) =>
      isAdmin(p)
        ? {
            check: (res: Answer) =>
              res.json.reviews.some((r: { review_id: string }) => r.review_id === people.twinReview)
                ? []
                : ["the twin's review not listed"],
          }
        : {},
    ['unrelated'],
  );
  add(
    'POST /v1/persons/reviews/{review_id}',
    "decide the twin's review",
    matched(
      call(
        'POST',
        () => `/v1/persons/reviews/${encodeURIComponent(people.twinReview)}`,
        // A site key asks for the merge (the harm, were it let through); the admin keeps them apart.
        (p) => ({ decision: isAdmin(p) ? 'apart' : 'merge' }),
      ),
    ),
    (p) =>
      p === 'admin'
        ? { check: (res: Answer) => (res.json.decision === 'apart' ? [] : [`decided ${res.json.decision}`]) }
        : isAdmin(p)
          ? {
              // A review is decided once: the administrator's token, after the admin key, gets past the role
              // check (a site is 403) to be told it is decided already.
              status: 404,
              check: (res: Answer) =>
                res.json.issues?.[0]?.code === 'PER404' ? [] : [`not PER404: ${JSON.stringify(res.json)}`],
            }
          : {},
    ['unrelated'],
  );
  // The admin splits each site's dose off the shared patient, then merges it back: the record as it was.
  const moved = (t: SiteName) => (res: Answer) =>
    JSON.stringify(res.json.moved) === JSON.stringify([{ iis_id: IDS[t], vax_event_id: `G-${t}` }])
      ? []
      : [`moved ${JSON.stringify(res.json.moved)}`];
  // Site principals first (all refused), then each administrator in turn splits and merges back.
  for (const principals of [
    PRINCIPALS.filter((p) => !isAdmin(p)),
    ...PRINCIPALS.filter(isAdmin).map((p) => [p]),
  ]) {
    add(
      'POST /v1/persons/{person_id}/split',
      "the site's dose off the shared patient",
      matched(async (p, t) => {
        const res = await call(
          'POST',
          () => `/v1/persons/${people.shared}/split`,
          () => ({ doses: [{ iis_id: IDS[t], vax_event_id: `G-${t}` }] }),
        )(p, t);
        if (isAdmin(p) && res.status === 200) people.split[t] = res.json.person_id;
        return res;
      }),
      (p, t) => (isAdmin(p) ? { check: moved(t) } : {}),
      SITES,
      principals,
    );
    add(
      'POST /v1/persons/{person_id}/merge',
      'the split dose back into the shared patient',
      matched(
        call(
          'POST',
          () => `/v1/persons/${people.shared}/merge`,
          (_p, t) => ({ from: people.split[t] ?? people.own[t] }),
        ),
      ),
      (p, t) => (isAdmin(p) ? { check: moved(t) } : {}),
      SITES,
      principals,
    );
  }
  add(
    'GET /v1/health',
    'statewide',
    call('GET', () => '/v1/health'),
  );
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
  // Last: the admin's key changes end the sites' keys. Every other principal first, then the administrators.
  // Each administrator rotates then revokes (what the admin key revoked, the administrator's token re-keys).
  for (const principals of [
    PRINCIPALS.filter((p) => !isAdmin(p)),
    ...PRINCIPALS.filter(isAdmin).map((p) => [p]),
  ]) {
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
