import { addDays } from '#platform/dates.ts';
import { demoSite } from '../fixtures/doses.ts';
import {
  type Answer,
  actsFor,
  type Call,
  dose,
  IDS,
  keys,
  LOT,
  NDC,
  ORG,
  PRINCIPALS,
  type Principal,
  rowsOf,
  SITE_KEY_REFUSED,
  SITES,
  type SiteName,
  soap,
  TABLE,
  today,
  uploads,
  world,
} from './authz-matrix-world.ts';

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
    'GET /v1/reports/follow-up',
    '?iis_id=',
    call('GET', (_p, t) => `/v1/reports/follow-up?date=${today}&iis_id=${IDS[t]}`),
    (_p, t, allowed) => ({
      check: (res: Answer) => (allowed && res.json.scope !== IDS[t] ? [`list of ${res.json.scope}`] : []),
    }),
  );
  add(
    'GET /v1/reports/follow-up',
    'statewide (no iis_id)',
    call('GET', () => `/v1/reports/follow-up?date=${today}`),
    (p) => ({
      check: (res: Answer) =>
        p === 'admin'
          ? Array.isArray(res.json.by_county)
            ? []
            : ['no county counts']
          : res.json.scope === IDS[p as SiteName]
            ? []
            : [`list of ${res.json.scope}`],
    }),
    [undefined],
  );
  const nobody = 'P000000000nosuch';
  add(
    'POST /v1/persons/search',
    'the seeded person',
    call(
      'POST',
      () => '/v1/persons/search',
      () => ({ first_name: 'Maria', last_name: 'Gonzalez', dob: '1958-07-22' }),
    ),
    () => ({ check: (res: Answer) => (res.json.match === 'none' ? [] : [`match ${res.json.match}`]) }),
    [undefined],
  );
  add(
    'GET /v1/persons/{person_id}',
    'nobody',
    call('GET', () => `/v1/persons/${nobody}`),
    undefined,
    [undefined],
  );
  for (const what of ['disclosures', 'decisions'])
    add(
      `GET /v1/persons/{person_id}/${what}`,
      'nobody',
      call('GET', () => `/v1/persons/${nobody}/${what}`),
      undefined,
      [undefined],
    );
  add(
    'GET /v1/persons/reviews',
    'list',
    call('GET', () => '/v1/persons/reviews'),
    undefined,
    [undefined],
  );
  add(
    'POST /v1/persons/{person_id}/merge',
    'nobody',
    call(
      'POST',
      () => `/v1/persons/${nobody}/merge`,
      () => ({ from: 'P000000000other' }),
    ),
    undefined,
    [undefined],
  );
  add(
    'POST /v1/persons/{person_id}/split',
    'nobody',
    call(
      'POST',
      () => `/v1/persons/${nobody}/split`,
      () => ({ doses: [{ iis_id: 'X', vax_event_id: 'Y' }] }),
    ),
    undefined,
    [undefined],
  );
  add(
    'POST /v1/persons/reviews/{review_id}',
    'no such review',
    call(
      'POST',
      () => '/v1/persons/reviews/NOSUCHREVIEW',
      () => ({ decision: 'apart' }),
    ),
    undefined,
    [undefined],
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
