import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { consolidate } from '#persons/consolidate.ts';
import { forecast, progress } from '#persons/forecast.ts';
import { SERIES_RULES, type SeriesId } from '#persons/series.ts';
import type { PersonDose } from '#persons/types.ts';
import { addDays } from '#platform/dates.ts';

let seq = 0;
function dose(admin_date: string, cvx: string | undefined, over: Partial<PersonDose> = {}): PersonDose {
  seq++;
  return {
    iis_id: 'SITEA',
    vax_event_id: `E${seq}`,
    admin_date,
    ...(cvx ? { cvx } : {}),
    stored_at: `${admin_date}T12:00:00.000Z`,
    ...over,
  };
}

describe('forecast: the brief scenario', () => {
  const d1 = dose('2026-01-05', '208', { iis_id: 'SITEA', mvx: 'PFR' });

  it('Pfizer dose 1 alone: dose 2 due 21 days later, overdue three weeks after that', () => {
    const f = forecast(consolidate([d1]), '2026-02-20');
    expect(f).toEqual({
      series: 'pfizer-primary',
      status: 'overdue',
      next_dose: 2,
      earliest: '2026-01-22',
      due: '2026-01-26',
      overdue_after: '2026-02-16',
      cvx: '208',
    });
  });

  it('is not yet due before the recommended day, even inside the grace period', () => {
    expect(forecast(consolidate([d1]), '2026-01-10').status).toBe('not_yet_due');
    expect(forecast(consolidate([d1]), '2026-01-22').status).toBe('not_yet_due');
    expect(forecast(consolidate([d1]), '2026-01-25').status).toBe('not_yet_due');
  });

  it('is due from the recommended day to overdue_after, inclusive', () => {
    expect(forecast(consolidate([d1]), '2026-01-26').status).toBe('due');
    expect(forecast(consolidate([d1]), '2026-02-16').status).toBe('due');
    expect(forecast(consolidate([d1]), '2026-02-17').status).toBe('overdue');
  });

  it('dose 2 at site B completes the series', () => {
    const d2 = dose('2026-03-01', '208', { iis_id: 'SITEB' });
    const record = consolidate([d2, d1]);
    expect(record.map((d) => d.evaluation)).toEqual([
      { valid: true, series_dose: 1, series: 'pfizer-primary' },
      { valid: true, series_dose: 2, series: 'pfizer-primary' },
    ]);
    expect(forecast(record, '2026-03-02')).toEqual({ series: 'pfizer-primary', status: 'complete' });
  });
});

describe('forecast', () => {
  it('not_started with no dose, only a refusal, or only doses that do not count', () => {
    expect(forecast([], '2026-01-01')).toEqual({ status: 'not_started' });
    expect(forecast(consolidate([dose('2025-01-01', '208', { refusal: true })]), '2026-01-01').status).toBe(
      'not_started',
    );
    expect(
      forecast(consolidate([dose('2025-01-01', '510'), dose('2025-02-01', '210')]), '2026-01-01'),
    ).toEqual({ status: 'not_started' });
  });

  it('Janssen and the updated vaccines are complete in one dose', () => {
    for (const cvx of ['212', '229', '300', '308', '309', '311', '312', '313']) {
      expect(forecast(consolidate([dose('2024-10-01', cvx)]), '2024-10-02').status).toBe('complete');
    }
    expect(forecast(consolidate([dose('2024-10-01', '212')]), '2024-10-02').series).toBe('janssen-primary');
    expect(forecast(consolidate([dose('2024-10-01', '309')]), '2024-10-02').series).toBe('updated-1-dose');
  });

  it('Moderna: dose 2 due at 28 days, counts from 24', () => {
    const f = forecast(consolidate([dose('2021-03-01', '207')]), '2021-03-20');
    expect(f).toMatchObject({
      series: 'moderna-primary',
      status: 'not_yet_due',
      earliest: '2021-03-25',
      due: '2021-03-29',
      overdue_after: '2021-04-19',
      cvx: '207',
    });
  });

  it('Novavax: dose 2 due at 21 days', () => {
    expect(forecast(consolidate([dose('2022-08-01', '211')]), '2022-08-22')).toMatchObject({
      series: 'novavax-primary',
      status: 'due',
      due: '2022-08-22',
      cvx: '211',
    });
  });

  it('an unspecified dose (213) asks for dose 2 at Pfizer intervals, naming no product', () => {
    const f = forecast(consolidate([dose('2021-05-01', '213', { historical: true })]), '2021-05-10');
    expect(f).toEqual({
      series: 'unspecified-primary',
      status: 'not_yet_due',
      next_dose: 2,
      earliest: '2021-05-18',
      due: '2021-05-22',
      overdue_after: '2021-06-12',
    });
  });

  it('a dose given too early does not advance the series: dose 2 is still due from dose 1', () => {
    const record = consolidate([dose('2026-01-05', '208'), dose('2026-01-15', '208')]);
    expect(record[1]!.evaluation.valid).toBe(false);
    expect(forecast(record, '2026-01-20')).toMatchObject({
      status: 'not_yet_due',
      next_dose: 2,
      earliest: '2026-01-22',
      due: '2026-01-26',
    });
  });

  it('a mixed mRNA series completes; a Moderna dose 2 after Pfizer must meet Moderna’s 24 days', () => {
    const ok = consolidate([dose('2021-04-01', '208'), dose('2021-04-25', '207')]);
    expect(forecast(ok, '2021-05-01').status).toBe('complete');
    const early = consolidate([dose('2021-04-01', '208'), dose('2021-04-24', '207')]);
    expect(early[1]!.evaluation.valid).toBe(false);
    expect(early[1]!.evaluation.reason).toContain('moderna-primary');
    expect(forecast(early, '2021-05-01').status).toBe('due');
  });

  it('a one-dose product after an incomplete Novavax series completes it; an mRNA primary dose does not', () => {
    const updated = consolidate([dose('2023-01-01', '211'), dose('2023-10-01', '309')]);
    expect(forecast(updated, '2023-10-02').status).toBe('complete');
    const mrna = consolidate([dose('2023-01-01', '211'), dose('2023-03-01', '208')]);
    expect(mrna[1]!.evaluation).toMatchObject({ valid: false, series: 'novavax-primary' });
    expect(mrna[1]!.evaluation.reason).toContain('does not continue the Novavax primary series');
    expect(forecast(mrna, '2023-03-02')).toMatchObject({ status: 'overdue', next_dose: 2, cvx: '211' });
  });

  it('a dose named only by its maker counts as that maker’s series', () => {
    const f = forecast(consolidate([dose('2021-03-01', undefined, { mvx: 'MOD' })]), '2021-03-02');
    expect(f).toMatchObject({ series: 'moderna-primary', due: '2021-03-29' });
    expect(f.cvx).toBeUndefined();
  });
});

const TWO_DOSE: SeriesId[] = ['pfizer-primary', 'moderna-primary', 'novavax-primary', 'unspecified-primary'];
const day = fc.integer({ min: 0, max: 3000 }).map((n) => addDays('2021-01-01', n));

describe('forecast properties', () => {
  it('a dose on exactly `earliest` counts; one day before does not', () => {
    fc.assert(
      fc.property(fc.constantFrom(...TWO_DOSE), day, (id, first) => {
        const cvx = SERIES_RULES[id].cvx[0]!;
        const d1 = dose(first, cvx);
        const f = forecast(consolidate([d1]), first);
        expect(f.earliest).toBeDefined();
        const onTime = consolidate([d1, dose(f.earliest!, cvx)]);
        expect(onTime[1]!.evaluation).toEqual({ valid: true, series_dose: 2, series: id });
        expect(forecast(onTime, f.earliest!).status).toBe('complete');
        const before = consolidate([d1, dose(addDays(f.earliest!, -1), cvx)]);
        expect(before[1]!.evaluation.valid).toBe(false);
        expect(forecast(before, f.earliest!).status).not.toBe('complete');
      }),
    );
  });

  const cvxs = fc.constantFrom(
    ...Object.values(SERIES_RULES).flatMap((s) => s.cvx),
    '210',
    '510',
    '03',
    undefined,
  );
  const doses = fc.array(
    fc.record({ date: day, cvx: cvxs, refusal: fc.boolean(), site: fc.constantFrom('A', 'B', 'C') }),
    { maxLength: 8 },
  );

  it('never says complete with fewer valid doses than the series needs', () => {
    fc.assert(
      fc.property(doses, day, (ds, asOf) => {
        const record = consolidate(
          ds.map((d) => dose(d.date, d.cvx, { iis_id: d.site, ...(d.refusal ? { refusal: true } : {}) })),
        );
        const f = forecast(record, asOf);
        const valid = record.filter((d) => d.evaluation.valid);
        if (f.status === 'not_started') {
          expect(valid).toEqual([]);
          return;
        }
        const rule = SERIES_RULES[f.series as SeriesId];
        expect(rule).toBeDefined();
        const inSeries = valid.filter((d) => d.evaluation.series_dose! <= rule.doses);
        if (f.status === 'complete') expect(inSeries.length).toBeGreaterThanOrEqual(rule.doses);
        else {
          expect(inSeries.length).toBeLessThan(rule.doses);
          expect(f.next_dose).toBe(inSeries.length + 1);
          expect(f.earliest! <= f.due!).toBe(true);
          expect(f.due! <= f.overdue_after!).toBe(true);
        }
        expect(progress(record)?.complete ?? false).toBe(f.status === 'complete');
        // Refusals are never valid.
        for (const d of record) if (d.refusal) expect(d.evaluation.valid).toBe(false);
      }),
    );
  });
});
