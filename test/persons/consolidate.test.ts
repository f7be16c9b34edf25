import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { consolidate, sameDose } from '#persons/consolidate.ts';
import { productOf } from '#persons/series.ts';
import type { PersonDose, RecordDose } from '#persons/types.ts';
import { addDays } from '#platform/dates.ts';

function dose(
  over: Partial<PersonDose> & Pick<PersonDose, 'iis_id' | 'vax_event_id' | 'admin_date'>,
): PersonDose {
  return { stored_at: '2026-01-01T00:00:00.000Z', ...over };
}

describe('consolidate: the same dose from two systems', () => {
  it('one RecordDose with both reporters, the earliest stored shown', () => {
    const a = dose({
      iis_id: 'SITEA',
      vax_event_id: 'A1',
      admin_date: '2026-01-05',
      cvx: '208',
      lot_number: 'FA1234',
      dose_num: '1',
      stored_at: '2026-01-05T18:00:00.000Z',
    });
    const b = dose({
      iis_id: 'SITEB',
      vax_event_id: 'B7',
      admin_date: '2026-01-05',
      cvx: '208',
      stored_at: '2026-01-06T09:00:00.000Z',
    });
    const record = consolidate([b, a]);
    expect(record).toHaveLength(1);
    expect(record[0]).toMatchObject({ iis_id: 'SITEA', vax_event_id: 'A1', lot_number: 'FA1234' });
    expect(record[0]!.reported_by).toEqual([
      { iis_id: 'SITEA', vax_event_id: 'A1' },
      { iis_id: 'SITEB', vax_event_id: 'B7' },
    ]);
    expect(record[0]!.evaluation).toEqual({ valid: true, series_dose: 1, series: 'pfizer-primary' });
  });

  it('the same lot on the same day is the same dose, whatever the product codes say', () => {
    const a = dose({ iis_id: 'A', vax_event_id: '1', admin_date: '2021-04-01', lot_number: 'ew0150' });
    const b = dose({
      iis_id: 'B',
      vax_event_id: '2',
      admin_date: '2021-04-01',
      cvx: '207',
      lot_number: ' EW0150 ',
      stored_at: '2026-02-01T00:00:00.000Z',
    });
    const record = consolidate([a, b]);
    expect(record).toHaveLength(1);
    // What the first report lacks is taken from the other.
    expect(record[0]).toMatchObject({ iis_id: 'A', cvx: '207', lot_number: 'ew0150' });
    expect(record[0]!.evaluation.series).toBe('moderna-primary');
  });

  it('an unspecified historical dose (213) is the same dose as a specific one that day, and takes its product', () => {
    const hist = dose({
      iis_id: 'A',
      vax_event_id: 'h',
      admin_date: '2021-04-01',
      cvx: '213',
      historical: true,
    });
    const given = dose({
      iis_id: 'B',
      vax_event_id: 'g',
      admin_date: '2021-04-01',
      cvx: '207',
      stored_at: '2026-03-01T00:00:00.000Z',
    });
    const [r] = consolidate([given, hist]);
    expect(r).toMatchObject({ iis_id: 'A', cvx: '207', historical: true });
    expect(r!.reported_by).toHaveLength(2);
  });

  it('different products on the same day, different days, and doses without a date stay apart', () => {
    const record = consolidate([
      dose({ iis_id: 'A', vax_event_id: '1', admin_date: '2021-04-01', cvx: '208' }),
      dose({ iis_id: 'B', vax_event_id: '2', admin_date: '2021-04-01', cvx: '207' }),
      dose({ iis_id: 'A', vax_event_id: '3', admin_date: '2021-04-22', cvx: '208', lot_number: 'L' }),
      dose({ iis_id: 'A', vax_event_id: '4', admin_date: '2021-05-22', cvx: '208', lot_number: 'L' }),
      dose({ iis_id: 'A', vax_event_id: '5', admin_date: '', cvx: '208' }),
      dose({ iis_id: 'B', vax_event_id: '6', admin_date: '', cvx: '208' }),
    ]);
    expect(record).toHaveLength(6);
    expect(record.map((d) => d.admin_date)).toEqual([
      '',
      '',
      '2021-04-01',
      '2021-04-01',
      '2021-04-22',
      '2021-05-22',
    ]);
    expect(record[0]!.evaluation).toEqual({ valid: false, reason: 'no administration date on record' });
  });

  it('refusals stay on the record, not evaluated, and collapse only with refusals', () => {
    const record = consolidate([
      dose({ iis_id: 'A', vax_event_id: 'r1', admin_date: '2021-04-01', cvx: '208', refusal: true }),
      dose({ iis_id: 'B', vax_event_id: 'r2', admin_date: '2021-04-01', cvx: '208', refusal: true }),
      dose({ iis_id: 'C', vax_event_id: 'd1', admin_date: '2021-04-01', cvx: '208' }),
    ]);
    expect(record).toHaveLength(2);
    const refusal = record.find((d) => d.refusal)!;
    expect(refusal.reported_by).toHaveLength(2);
    expect(refusal.evaluation).toEqual({ valid: false, reason: 'refusal: no vaccine was given' });
    expect(record.find((d) => !d.refusal)!.evaluation).toMatchObject({ valid: true, series_dose: 1 });
  });
});

describe('consolidate: evaluation', () => {
  const at = (admin_date: string, cvx: string, n: number, over: Partial<PersonDose> = {}) =>
    dose({ iis_id: 'A', vax_event_id: String(n), admin_date, cvx, ...over });

  it('a dose too early names the days, the minimum, the grace and the rule', () => {
    const record = consolidate([at('2026-01-05', '208', 1), at('2026-01-15', '208', 2)]);
    expect(record[1]!.evaluation).toEqual({
      valid: false,
      series: 'pfizer-primary',
      reason:
        'given 10 days after dose 1 (2026-01-05); the minimum for dose 2 of the Pfizer-BioNTech primary series is 21 days, 17 with the 4-day grace period (rule pfizer-primary)',
    });
  });

  it('CDPH’s 17 (Pfizer) and 24 (Moderna) days count', () => {
    expect(consolidate([at('2021-01-01', '208', 1), at('2021-01-18', '208', 2)])[1]!.evaluation.valid).toBe(
      true,
    );
    expect(consolidate([at('2021-01-01', '208', 1), at('2021-01-17', '208', 2)])[1]!.evaluation.valid).toBe(
      false,
    );
    expect(consolidate([at('2021-01-01', '207', 1), at('2021-01-25', '207', 2)])[1]!.evaluation.valid).toBe(
      true,
    );
    expect(consolidate([at('2021-01-01', '207', 1), at('2021-01-24', '207', 2)])[1]!.evaluation.valid).toBe(
      false,
    );
  });

  it('no maximum interval: a dose 2 years late still counts', () => {
    const r = consolidate([at('2021-01-01', '207', 1), at('2023-01-01', '207', 2)]);
    expect(r[1]!.evaluation).toEqual({ valid: true, series_dose: 2, series: 'moderna-primary' });
  });

  it('doses after a complete series are valid additional doses, numbered on', () => {
    const r = consolidate([
      at('2021-01-01', '212', 1),
      at('2021-06-01', '208', 2),
      at('2022-01-01', '300', 3),
    ]);
    expect(r.map((d) => d.evaluation.series_dose)).toEqual([1, 2, 3]);
    expect(r[1]!.evaluation).toMatchObject({ valid: true, series: 'janssen-primary' });
    expect(r[1]!.evaluation.reason).toMatch(/^additional dose/);
  });

  it('a second product on the same day after a complete series does not count', () => {
    const r = consolidate([at('2024-10-01', '309', 1), at('2024-10-01', '312', 2)]);
    expect(r).toHaveLength(2);
    expect(r[1]!.evaluation.valid).toBe(false);
    expect(r[1]!.evaluation.reason).toContain('same day as dose 1 (2024-10-01)');
  });

  it('non-US and never-authorized products and other vaccines do not count, with the reason', () => {
    const r = consolidate([
      at('2021-01-01', '510', 1),
      at('2021-02-01', '210', 2),
      at('2021-03-01', '03', 3),
    ]);
    expect(r.every((d) => !d.evaluation.valid)).toBe(true);
    expect(r[0]!.evaluation.reason).toContain('CVX 510');
    expect(r[0]!.evaluation.reason).toContain('not authorized in the US');
    expect(r[1]!.evaluation.reason).toContain('CVX 210');
    expect(r[2]!.evaluation.reason).toContain('not a COVID-19 vaccine');
    // A dose that does not count does not start the series either.
    const after = consolidate([at('2021-01-01', '510', 1), at('2021-01-10', '208', 2)]);
    expect(after[1]!.evaluation).toEqual({ valid: true, series_dose: 1, series: 'pfizer-primary' });
  });

  it('the CVX decides the product; an NDC stands for its CVX when there is none', () => {
    expect(productOf({ cvx: '208', mvx: 'MOD' })).toMatchObject({ kind: 'counted', maker: 'PFR' });
    expect(productOf({ ndc: '59267-1000-01' })).toMatchObject({ kind: 'counted', cvx: '208' });
    expect(productOf({})).toMatchObject({ kind: 'counted', unspecified: true });
  });
});

// Properties: a small world of doses, so that collapsing happens often.
const arbDose = fc
  .record({
    site: fc.constantFrom('A', 'B', 'C'),
    event: fc.constantFrom('1', '2', '3', '4'),
    day: fc.integer({ min: 0, max: 60 }),
    cvx: fc.constantFrom('207', '208', '212', '213', '309', '510', undefined),
    mvx: fc.constantFrom('PFR', 'MOD', undefined),
    lot: fc.constantFrom('L1', 'L2', undefined),
    refusal: fc.boolean(),
    stored: fc.integer({ min: 0, max: 100 }),
  })
  .map(
    (r): PersonDose => ({
      iis_id: r.site,
      vax_event_id: r.event,
      admin_date: addDays('2021-03-01', r.day),
      ...(r.cvx ? { cvx: r.cvx } : {}),
      ...(r.mvx ? { mvx: r.mvx } : {}),
      ...(r.lot ? { lot_number: r.lot } : {}),
      ...(r.refusal ? { refusal: true } : {}),
      stored_at: new Date(Date.UTC(2021, 5, 1) + r.stored * 60_000).toISOString(),
    }),
  );
// One report per (site, event), as the person store keeps them.
const arbDoses = fc.uniqueArray(arbDose, {
  selector: (d) => `${d.iis_id}/${d.vax_event_id}`,
  maxLength: 10,
});

const reporters = (record: readonly RecordDose[]) =>
  record.flatMap((d) => d.reported_by.map((r) => `${r.iis_id}/${r.vax_event_id}`)).sort();

describe('consolidate properties', () => {
  it('order does not matter', () => {
    fc.assert(
      fc.property(
        arbDoses.chain((ds) => fc.tuple(fc.constant(ds), fc.shuffledSubarray(ds, { minLength: ds.length }))),
        ([ds, shuffled]) => {
          expect(consolidate(shuffled)).toEqual(consolidate(ds));
        },
      ),
    );
  });

  it('is idempotent', () => {
    fc.assert(
      fc.property(arbDoses, (ds) => {
        const once = consolidate(ds);
        expect(consolidate(once)).toEqual(once);
      }),
    );
  });

  it('never loses a reporter, and lists each once', () => {
    fc.assert(
      fc.property(arbDoses, (ds) => {
        const record = consolidate(ds);
        expect(reporters(record)).toEqual(ds.map((d) => `${d.iis_id}/${d.vax_event_id}`).sort());
        for (const d of record) {
          expect(d.reported_by[0]).toEqual({ iis_id: d.iis_id, vax_event_id: d.vax_event_id });
        }
      }),
    );
  });

  it('is sorted by admin_date, and no two doses left are reports of the same dose', () => {
    fc.assert(
      fc.property(arbDoses, (ds) => {
        const record = consolidate(ds);
        for (let i = 1; i < record.length; i++) {
          expect(record[i - 1]!.admin_date <= record[i]!.admin_date).toBe(true);
        }
        for (const [i, a] of record.entries()) {
          for (const b of record.slice(i + 1)) expect(sameDose(a, b)).toBe(false);
        }
      }),
    );
  });

  it('the shown report is the earliest stored of those collapsed', () => {
    fc.assert(
      fc.property(arbDoses, (ds) => {
        for (const d of consolidate(ds)) {
          const group = ds.filter((x) =>
            d.reported_by.some((r) => r.iis_id === x.iis_id && r.vax_event_id === x.vax_event_id),
          );
          const earliest = group.map((x) => x.stored_at).sort()[0];
          expect(d.stored_at).toBe(earliest);
        }
      }),
    );
  });

  it('valid doses of the series are numbered 1, 2, … in date order', () => {
    fc.assert(
      fc.property(arbDoses, (ds) => {
        const valid = consolidate(ds).filter((d) => d.evaluation.valid);
        expect(valid.map((d) => d.evaluation.series_dose)).toEqual(valid.map((_, i) => i + 1));
        expect(new Set(valid.map((d) => d.evaluation.series)).size).toBeLessThanOrEqual(1);
      }),
    );
  });
});
