import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { recordChecks } from '#persons/checks.ts';
import { consolidate } from '#persons/consolidate.ts';
import type { PersonDose } from '#persons/types.ts';
import { addDays } from '#platform/dates.ts';
import { RULES } from '#platform/findings.ts';

function dose(
  over: Partial<PersonDose> & Pick<PersonDose, 'iis_id' | 'vax_event_id' | 'admin_date'>,
): PersonDose {
  return { stored_at: `${over.admin_date}T20:00:00.000Z`, ...over };
}

const a1 = dose({ iis_id: 'SITEA', vax_event_id: 'A1', admin_date: '2026-01-05', cvx: '208', dose_num: '1' });

describe('recordChecks', () => {
  it('PER codes are warnings of the pipeline', () => {
    for (const code of ['PER001', 'PER002', 'PER003', 'PER004'] as const) {
      expect(RULES[code]).toMatchObject({ severity: 'warning', source: 'Pipeline' });
    }
  });

  it('nothing when the reports agree with the record', () => {
    const b2 = dose({
      iis_id: 'SITEB',
      vax_event_id: 'B1',
      admin_date: '2026-01-26',
      cvx: '208',
      dose_num: '2',
      vax_series_complete: 'YES',
    });
    const reported = [{ ...a1, vax_series_complete: 'NO' }, b2];
    expect(recordChecks(consolidate(reported), reported)).toEqual([]);
  });

  it('PER001: series complete YES after one dose of a two-dose product', () => {
    const reported = [{ ...a1, vax_series_complete: 'YES' }];
    const checks = recordChecks(consolidate(reported), reported);
    expect(checks).toEqual([
      {
        iis_id: 'SITEA',
        vax_event_id: 'A1',
        code: 'PER001',
        field: 'vax_series_complete',
        message: expect.stringContaining('has 1 of the 2 valid doses of the Pfizer-BioNTech primary series'),
      },
    ]);
    expect(checks[0]!.message).toContain('dose 1 on 2026-01-05 (site SITEA)');
    expect(checks[0]!.message).toContain('Report NO');
  });

  it('PER004: series complete NO on a Janssen dose', () => {
    const reported = [
      dose({
        iis_id: 'S',
        vax_event_id: 'J',
        admin_date: '2021-05-01',
        cvx: '212',
        vax_series_complete: 'NO',
      }),
    ];
    expect(recordChecks(consolidate(reported), reported)).toEqual([
      expect.objectContaining({ code: 'PER004', field: 'vax_series_complete' }),
    ]);
  });

  it('PER002: dose_num 1 at site B when site A already gave a valid dose 1', () => {
    const b = dose({
      iis_id: 'SITEB',
      vax_event_id: 'B1',
      admin_date: '2026-03-01',
      cvx: '208',
      dose_num: '1',
      vax_series_complete: 'YES',
    });
    const record = consolidate([a1, b]);
    const checks = recordChecks(record, [b]);
    expect(checks).toEqual([
      {
        iis_id: 'SITEB',
        vax_event_id: 'B1',
        code: 'PER002',
        field: 'dose_num',
        message:
          "dose_num is 1, but the record already has a valid dose 1 on 2026-01-05 (site SITEA): the dose of 2026-03-01 is dose 2 (pfizer-primary). Report dose_num 2, or tell the registry if that earlier dose is not this person's.",
      },
    ]);
    // Site A's own report agrees: nothing for it.
    expect(recordChecks(record, [a1])).toEqual([]);
  });

  it('PER002: a dose_num beyond what the record has', () => {
    const reported = [{ ...a1, dose_num: '3' }];
    const [c] = recordChecks(consolidate(reported), reported);
    expect(c).toMatchObject({ code: 'PER002', field: 'dose_num' });
    expect(c!.message).toContain('the record has 0 valid doses before it');
    expect(c!.message).toContain('historical');
  });

  it('dose_num UNK or INV is not compared', () => {
    for (const n of ['UNK', 'INV']) {
      const reported = [{ ...a1, dose_num: n }];
      expect(recordChecks(consolidate(reported), reported)).toEqual([]);
    }
  });

  it('PER003: a dose given too early, with the days, the interval and the rule', () => {
    const early = dose({
      iis_id: 'SITEB',
      vax_event_id: 'B9',
      admin_date: '2026-01-15',
      cvx: '208',
      dose_num: '2',
      vax_series_complete: 'YES',
    });
    const checks = recordChecks(consolidate([a1, early]), [early]);
    expect(checks.map((c) => [c.code, c.field])).toEqual([
      ['PER001', 'vax_series_complete'],
      ['PER003', 'admin_date'],
    ]);
    expect(checks[1]!.message).toBe(
      'admin_date 2026-01-15 is 10 days after dose 1 on 2026-01-05 (site SITEA); dose 2 counts from 17 days (minimum 21, less the 4-day grace period; rule pfizer-primary), so it does not count and dose 2 is still due. Check admin_date; if it is right, the series needs another dose.',
    );
  });

  it('a report collapsed into another site’s dose is checked against that dose', () => {
    const dup = dose({
      iis_id: 'SITEB',
      vax_event_id: 'B2',
      admin_date: '2026-01-05',
      cvx: '208',
      dose_num: '2',
      stored_at: '2026-02-01T00:00:00.000Z',
    });
    const record = consolidate([a1, dup]);
    expect(record).toHaveLength(1);
    expect(recordChecks(record, [dup])).toEqual([
      expect.objectContaining({ code: 'PER002', vax_event_id: 'B2' }),
    ]);
  });

  it('refusals and reports not on the record are not checked', () => {
    const refusal = dose({
      iis_id: 'S',
      vax_event_id: 'R',
      admin_date: '2026-01-05',
      cvx: '208',
      refusal: true,
      dose_num: '4',
      vax_series_complete: 'YES',
    });
    expect(recordChecks(consolidate([refusal]), [refusal])).toEqual([]);
    expect(recordChecks(consolidate([a1]), [{ ...a1, vax_event_id: 'other', dose_num: '2' }])).toEqual([]);
  });
});

describe('recordChecks properties', () => {
  const arb = fc
    .uniqueArray(
      fc.record({
        site: fc.constantFrom('SITEA', 'SITEB'),
        event: fc.constantFrom('1', '2', '3'),
        day: fc.integer({ min: 0, max: 80 }),
        cvx: fc.constantFrom('207', '208', '212', '213', '309', '510'),
        dose_num: fc.constantFrom('1', '2', '3', 'UNK', undefined),
        complete: fc.constantFrom('YES', 'NO', 'UNK', undefined),
      }),
      { selector: (r) => `${r.site}/${r.event}`, maxLength: 6 },
    )
    .map((rs) =>
      rs.map(
        (r): PersonDose => ({
          iis_id: r.site,
          vax_event_id: r.event,
          admin_date: addDays('2021-03-01', r.day),
          cvx: r.cvx,
          ...(r.dose_num ? { dose_num: r.dose_num } : {}),
          ...(r.complete ? { vax_series_complete: r.complete } : {}),
          stored_at: '2021-06-01T00:00:00.000Z',
        }),
      ),
    );

  it('every check is a registered warning about one of the reports, and never repeats a code for a report', () => {
    fc.assert(
      fc.property(arb, (ds) => {
        const checks = recordChecks(consolidate(ds), ds);
        const seen = new Set<string>();
        for (const c of checks) {
          expect(c.code in RULES).toBe(true);
          expect(ds.some((d) => d.iis_id === c.iis_id && d.vax_event_id === c.vax_event_id)).toBe(true);
          const k = `${c.iis_id}/${c.vax_event_id}/${c.code}`;
          expect(seen.has(k)).toBe(false);
          seen.add(k);
        }
      }),
    );
  });

  it('PER003 exactly for the doses the record says were too early', () => {
    fc.assert(
      fc.property(arb, (ds) => {
        const record = consolidate(ds);
        const checks = recordChecks(record, ds);
        for (const d of ds) {
          const r = record.find((x) =>
            x.reported_by.some((y) => y.iis_id === d.iis_id && y.vax_event_id === d.vax_event_id),
          )!;
          const tooEarly = /^given (\d+ days after|the same day as) dose/.test(r.evaluation.reason ?? '');
          const has = checks.some(
            (c) => c.code === 'PER003' && c.iis_id === d.iis_id && c.vax_event_id === d.vax_event_id,
          );
          expect(has).toBe(tooEarly);
        }
      }),
    );
  });
});
