import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { REASON_CODES, WASTAGE_REASONS } from '#stock/reasons.ts';
import {
  type AdminErrorRow,
  type DoseChange,
  doseState,
  type ExpiringRow,
  type Movement,
  type RollupInput,
  rollup,
  rowsCsv,
  stockCsv,
  unitOfUse,
} from '#stock/rollup.ts';

const DATE = '2026-11-24';
const site = fc.constantFrom('S1', 'S2', 'S3');
const lot = fc.constantFrom('L1', 'L2');
const ndc = fc.constantFrom('80777-0273-10', '59267-1000-01');
const state = fc.record({ ndc, lot_number: lot, admin_date: fc.constantFrom('2026-11-20', '2026-12-10') });

const movement: fc.Arbitrary<Movement> = fc
  .record({
    kind: fc.constantFrom('receipt', 'transfer-out', 'wastage'),
    iis_id: site,
    record_id: fc.uuid(),
    ndc,
    lot_number: lot,
    doses: fc.integer({ min: 1, max: 50 }),
    reason: fc.constantFrom(...REASON_CODES),
  })
  .map((m) =>
    m.kind === 'wastage'
      ? { ...m, category: WASTAGE_REASONS[m.reason].category }
      : {
          kind: m.kind,
          iis_id: m.iis_id,
          record_id: m.record_id,
          ndc: m.ndc,
          lot_number: m.lot_number,
          doses: m.doses,
        },
  ) as fc.Arbitrary<Movement>;

const change: fc.Arbitrary<DoseChange> = fc.record(
  {
    iis_id: site,
    vax_event_id: fc.uuid(),
    version: fc.integer({ min: 1, max: 3 }),
    before: state,
    after: state,
  },
  { requiredKeys: ['iis_id', 'vax_event_id', 'version'] },
);

const input: fc.Arbitrary<RollupInput> = fc
  .record({
    previous: fc.uniqueArray(
      fc.record({ iis_id: site, ndc, lot_number: lot, on_hand: fc.integer({ min: -5, max: 100 }) }),
      {
        selector: (b) => `${b.iis_id}|${b.ndc}|${b.lot_number}`,
      },
    ),
    movements: fc.array(movement, { maxLength: 30 }),
    doseChanges: fc.array(change, { maxLength: 30 }),
  })
  .map((r) => ({
    date: DATE,
    ...r,
    expirations: new Map([['80777-0273-10|L1', '2026-11-29']]),
    buds: new Map([['S1|59267-1000-01|L2', '2026-11-01']]),
    sites: new Map([
      ['S1', { county: '06067', registry: 'CAIR2' }],
      ['S2', { county: '06077', registry: 'RIDE' }],
    ]),
  }));

describe('the pure roll-up', () => {
  it('conserves doses: each closing balance is the opening plus receipts less everything that left (property)', () => {
    fc.assert(
      fc.property(input, (inp) => {
        const r = rollup(inp);
        for (const row of r.stock) {
          expect(row.on_hand).toBe(
            row.on_hand_start +
              row.received -
              row.transferred_out -
              row.administered -
              row.wasted -
              row.expired_spoiled,
          );
          expect(Object.values(row.losses).reduce((a, b) => a + b, 0)).toBe(row.wasted + row.expired_spoiled);
        }
        const sum = (
          f: (x: { received: number; on_hand: number; administered: number }) => number,
          rows: typeof r.stock,
        ) => rows.reduce((a, x) => a + f(x), 0);
        const byCounty = r.totals.filter((t) => t.by === 'county');
        expect(byCounty.reduce((a, t) => a + t.on_hand, 0)).toBe(sum((x) => x.on_hand, r.stock));
        expect(byCounty.reduce((a, t) => a + t.administered, 0)).toBe(sum((x) => x.administered, r.stock));
        const administeredNet = inp.doseChanges.reduce(
          (a, c) => a + (c.after ? 1 : 0) - (c.before ? 1 : 0),
          0,
        );
        expect(sum((x) => x.administered, r.stock)).toBe(administeredNet);
      }),
    );
  });

  it('gives the same reports whatever order the records were read in (property)', () => {
    fc.assert(
      fc.property(input, fc.integer(), (inp, seed) => {
        const shuffle = <T>(xs: readonly T[]) =>
          [...xs]
            .map((x, i) => ({ x, k: (i * 2654435761 + seed) % 1000 }))
            .sort((a, b) => a.k - b.k)
            .map((e) => e.x);
        const a = rollup(inp);
        const b = rollup({
          ...inp,
          previous: shuffle(inp.previous),
          movements: shuffle(inp.movements),
          doseChanges: shuffle(inp.doseChanges),
        });
        expect(JSON.stringify(b)).toBe(JSON.stringify(a));
        expect(stockCsv(b.stock)).toBe(stockCsv(a.stock));
      }),
    );
  });

  it('sorts lots into expired, within 7 and within 30 days at the edges', () => {
    const at = (expiration: string) =>
      rollup({
        date: DATE,
        previous: [{ iis_id: 'S1', ndc: '80777-0273-10', lot_number: 'L1', on_hand: 5 }],
        movements: [],
        doseChanges: [],
        expirations: new Map([['80777-0273-10|L1', expiration]]),
        buds: new Map(),
        sites: new Map(),
      }).expiring.map((r) => [r.status, r.days_left]);
    expect(at('2026-11-23')).toEqual([['expired', -1]]);
    expect(at(DATE)).toEqual([['expired', 0]]);
    expect(at('2026-12-01')).toEqual([['within-7', 7]]);
    expect(at('2026-12-02')).toEqual([['within-30', 8]]);
    expect(at('2026-12-24')).toEqual([['within-30', 30]]);
    expect(at('2026-12-25')).toEqual([]);
  });

  it('counts administered doses by unit-of-use NDC and lot; refusals and deletes hold no stock', () => {
    expect(unitOfUse('80777-0273-99')).toBe('80777-0273-10');
    expect(unitOfUse('80777027310')).toBe('80777-0273-10');
    expect(unitOfUse(undefined)).toBe('');
    const dose = { ndc: '80777-0273-10', lot_number: ' aa1 ', admin_date: '2026-11-20' };
    expect(doseState(dose, 'A')).toEqual({
      ndc: '80777-0273-10',
      lot_number: 'AA1',
      admin_date: '2026-11-20',
    });
    expect(doseState(dose, 'D')).toBeUndefined();
    expect(doseState({ ...dose, vax_refusal: 'YES' }, 'U')).toBeUndefined();
  });
});

describe('the roll-up CSVs against formula injection (issue 12, defect 5)', () => {
  // A site controls its event IDs and lots, and puts a row into the statewide admin-errors file by setting its own
  // beyond-use date in the past: every text cell a spreadsheet would run must come out as text, as in results files.
  const r = rollup({
    date: DATE,
    previous: [{ iis_id: 'S1', ndc: '59267-1000-01', lot_number: '+1', on_hand: 10 }],
    movements: [],
    doseChanges: [
      {
        iis_id: 'S1',
        vax_event_id: '=WEBSERVICE("x")',
        version: 1,
        after: { ndc: '59267-1000-01', lot_number: '+1', admin_date: '2026-11-24' },
      },
    ],
    expirations: new Map([['59267-1000-01|+1', '2026-11-30']]),
    buds: new Map([['S1|59267-1000-01|+1', '2026-11-01']]),
    sites: new Map([['S1', { county: '06067', registry: 'CAIR2' }]]),
  });
  const cols = <T extends object>(row: T) => Object.keys(row) as (keyof T & string)[];

  it('prefixes = + - @ cells with an apostrophe in stock, expiring and admin-errors', () => {
    expect(r.adminErrors).toHaveLength(1);
    expect(r.expiring).toHaveLength(1);
    const admin = rowsCsv(r.adminErrors, cols(r.adminErrors[0] as AdminErrorRow));
    expect(admin).toContain(`"'=WEBSERVICE(""x"")"`);
    expect(admin).toContain(",'+1,");
    expect(admin).not.toMatch(/(^|,)[=+\-@]/m);
    expect(rowsCsv(r.expiring, cols(r.expiring[0] as ExpiringRow))).toContain(",'+1,");
    expect(stockCsv(r.stock)).toContain(",'+1,");
    expect(stockCsv(r.stock)).not.toMatch(/(^|,)[=+\-@]/m);
  });

  it('neutralizes a tab or CR before a formula, and leaves numbers (a negative balance) as numbers', () => {
    const csv = rowsCsv([{ a: '\t@SUM(A1)', b: '\r-1+1', c: -3, d: 'L-1' }], ['a', 'b', 'c', 'd']);
    expect(csv).toContain(`'\t@SUM(A1)`);
    expect(csv).toContain(`'\r-1+1`);
    expect(csv.trimEnd().split('\n').at(-1)?.endsWith(',-3,L-1')).toBe(true);
  });
});
