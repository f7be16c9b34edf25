import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { REFUSAL_EMPTY_FIELDS } from '#doses/fields.ts';
import { normalizeDose } from '#doses/normalize.ts';
import { REQUIRED_FOR_VACCINATION } from '#doses/requirements.ts';
import { fillFromSite, prepareBatch } from '#doses/submit.ts';
import { type EarlierDose, validateDose } from '#doses/validate.ts';
import { RULES } from '#platform/findings.ts';
import type { Site } from '#sites/site.ts';
import { demoSite, modernaDose } from '../fixtures/doses.ts';

const TODAY = '2026-11-25';
const site = { ...demoSite, enrolled_at: '2026-01-01T00:00:00Z' } as Site;

function check(overrides: Record<string, unknown> = {}, earlierDoses?: EarlierDose[]) {
  const { dose, findings } = normalizeDose(modernaDose(overrides));
  dose.iis_id ??= site.iis_id;
  fillFromSite(dose, site);
  return [...findings, ...validateDose(dose, { today: TODAY, earlierDoses })];
}
/** A refusal: the product, lot, site, route and dose fields of the fixture emptied. */
const REFUSAL = Object.fromEntries([
  ['vax_refusal', 'YES'],
  ...REFUSAL_EMPTY_FIELDS.map((f) => [f, undefined]),
]);
const codesOf = (fs: { code: string; field: string }[]) => fs.map((f) => `${f.code}:${f.field}`);

describe('validateDose', () => {
  it('accepts a complete Moderna dose without findings', () => {
    expect(check()).toEqual([]);
  });

  it('rejects an admin date before birth (BUSR005, on recip_dob as CDC reports it) and an unknown CVX', () => {
    const findings = check({ admin_date: '1950-06-03', cvx: '1234', ndc: undefined, mvx: undefined });
    expect(codesOf(findings)).toEqual(['BUSR005:recip_dob', 'DATA007:cvx']);
    expect(findings.every((f) => f.severity === 'error')).toBe(true);
  });

  it.each([
    [{ recip_first_name: undefined }, 'DQ027:recip_first_name'],
    [{ recip_sex: undefined }, 'REQD001:recip_sex'],
    [{ ...REFUSAL, recip_sex: undefined }, 'REQD002:recip_sex'],
    [{ recip_sex: 'X' }, 'DATA007:recip_sex'],
    [{ admin_date: '2027-01-05' }, 'BUSR012:admin_date'],
    [{ recip_dob: '2030-01-05' }, 'BUSR011:recip_dob'],
    [{ recip_dob: '1899-03-02' }, 'DQ001:recip_dob'],
    [{ recip_address_county: '36061' }, 'BUSR001:recip_address_county'],
    [{ recip_address_zip: '10001' }, 'BUSR003:recip_address_zip'],
    [{ admin_address_county: '36061' }, 'BUSR002:admin_address_county'],
    [{ admin_address_zip: '10001' }, 'BUSR004:admin_address_zip'],
    [{ recip_address_state: undefined }, 'BUSR007:recip_address_zip'],
    [{ recip_address_county: undefined }, 'BUSR009:recip_address_zip'],
    [{ ext_type: 'X' }, 'DATA005:ext_type'],
    [{ vtrcks_prov_pin: 'ABC-12' }, 'DATA005:vtrcks_prov_pin'],
    [{ ext_type: 'P', pprl_id: 'abc' }, 'DATA006:recip_last_name'],
    [{ pprl_id: 'abc' }, 'DATA004:pprl_id'],
    [{ lot_number: 'AB 12#' }, 'DQ003:lot_number'],
    [{ lot_number: 'AB1' }, 'DQ004:lot_number'],
    [{ lot_number: 'LOT039K20A' }, 'DQ005:lot_number'],
    [{ lot_number: undefined }, 'DQ006:lot_number'],
    [{ vax_expiration: undefined }, 'DQ006:vax_expiration'],
    [{ vax_expiration: '2021-03-10' }, 'DQ007:vax_expiration'],
    [{ cvx: '208' }, 'DQ008:ndc'],
    [{ mvx: 'PFR' }, 'DQ009:mvx'],
    [{ admin_date: '2020-11-01', vax_expiration: '2021-01-31' }, 'DQ010:cvx'],
    [{ admin_date: '2020-12-02', vax_expiration: '2021-01-31' }, 'DQ019:ndc'],
    [{ cvx: '03', ndc: undefined, mvx: undefined }, 'DQ012:cvx'],
    [{ cvx: '900', ndc: undefined, mvx: undefined }, 'DQ013:cvx'],
    [{ mvx: 'AAA' }, 'DQ013:mvx'],
    [{ ndc: '80777-9999-00' }, 'DQ013:ndc'],
    [{ ndc: '80777-0273-99' }, 'DQ015:ndc'],
    [{ admin_date: '2021-03-15' }, 'DQ002:admin_date'],
    [{ admin_date: '2021-03-31' }, 'DQ002:admin_date'],
    [{ ext_type: 'D' }, 'DATA006:recip_first_name'],
    [{ vax_route: 'XX' }, 'DATA007:vax_route'],
    [{ admin_type: '29' }, 'DATA007:admin_type'],
    [{ cvx: '210', ndc: undefined, mvx: undefined }, 'DQ021:cvx'],
    [{ cvx: '510', ndc: undefined, mvx: undefined }, 'DQ021:cvx'],
    [{ cvx: '213', ndc: undefined, mvx: undefined }, 'DQ022:cvx'],
    [{ lot_number: 'LOT 039K20A' }, 'DQ005:lot_number'],
    [{ vax_event_id: 'A/B' }, 'DQ026:vax_event_id'],
    [{ vax_event_id: 'A B' }, 'DATA005:vax_event_id'],
    [{ vax_event_id: 'A%41' }, 'DQ026:vax_event_id'],
  ])('%o → %s', (overrides, expected) => {
    const findings = check(overrides);
    expect(codesOf(findings)).toContain(expected);
    const f = findings.find((x) => `${x.code}:${x.field}` === expected)!;
    expect(f.severity).toBe(RULES[f.code as keyof typeof RULES].severity);
    expect(f.message.length).toBeGreaterThan(20);
  });

  it('warns as CDC does when the site has a ZIP but no state or county (BUSR008, BUSR010)', () => {
    const { dose } = normalizeDose(modernaDose());
    const noSiteAddress = { ...dose, admin_address_zip: '95814', iis_id: site.iis_id };
    const findings = validateDose(noSiteAddress, { today: TODAY });
    expect(codesOf(findings)).toEqual(
      expect.arrayContaining(['BUSR008:admin_address_zip', 'BUSR010:admin_address_zip']),
    );
    expect(findings.find((f) => f.code === 'BUSR008')!.severity).toBe('warning');
  });

  it.each([
    [{ recip_race_2: 'UNK' }, 'recip_race_2'],
    [{ recip_race_1: 'W' }, 'recip_race_1'],
    [{ recip_sex: 'O' }, 'recip_sex'],
    [{ recip_ethnicity: 'H' }, 'recip_ethnicity'],
    [{ vax_route: 'ID' }, 'vax_route'],
    [{ vax_admin_site: 'MO' }, 'vax_admin_site'],
  ])('%o: a code we take that CDC’s value set lacks warns DATA007 on %s', (overrides, field) => {
    const findings = check(overrides);
    expect(findings.filter((f) => f.code === 'DATA007')).toEqual([
      expect.objectContaining({
        field,
        severity: 'warning',
        message: expect.stringContaining("CDC's value set"),
      }),
    ]);
  });

  it('warns (never rejects) on a product after its use window', () => {
    const findings = check({ admin_date: '2024-03-06', vax_expiration: '2024-06-30' });
    expect(codesOf(findings)).toContain('DQ011:cvx');
    expect(findings.filter((f) => f.severity === 'error')).toEqual([]);
  });

  it('accepts a refusal without product fields and rejects one that carries them', () => {
    const refusal = REFUSAL;
    expect(check(refusal)).toEqual([]);
    expect(codesOf(check({ ...refusal, lot_number: '039K20A', mvx: 'MOD' }))).toEqual([
      'DNTS002:mvx',
      'DNTS002:lot_number',
    ]);
  });

  it('warns when a second Moderna dose comes before 28 days minus the 4-day grace period', () => {
    const first: EarlierDose = { vax_event_id: 'EVT-0000', admin_date: '2021-02-16', cvx: '207', mvx: 'MOD' };
    // 22 days later: under 24
    expect(codesOf(check({ dose_num: '2' }, [first]))).toContain('DQ014:admin_date');
    // 24 days later: inside the grace period
    expect(check({ dose_num: '2', admin_date: '2021-03-12' }, [first])).toEqual([]);
    // A later dose does not count as "earlier"
    expect(check({}, [{ ...first, admin_date: '2021-03-20' }])).toEqual([]);
  });

  it('measures the 120-year limit from today, not from the admin date', () => {
    expect(codesOf(check({ recip_dob: '1905-01-02', admin_date: '2021-03-10' }))).toContain(
      'DQ001:recip_dob',
    );
    expect(codesOf(check({ recip_dob: '1907-01-02', admin_date: '2021-03-10' }))).not.toContain(
      'DQ001:recip_dob',
    );
  });

  it('asks a historical record (HL7 RXA-9 other than 00) for no lot or expiration, but still checks those sent', () => {
    const { dose } = normalizeDose(modernaDose({ lot_number: undefined, vax_expiration: undefined }));
    fillFromSite(dose, site);
    const codes = (historical: boolean, d = dose) =>
      validateDose(d, { today: TODAY, historical }).map((f) => f.code);
    expect(codes(false)).toEqual(['DQ006', 'DQ006']);
    expect(codes(true)).toEqual([]);
    expect(codes(true, { ...dose, lot_number: 'AB 12#' })).toEqual(['DQ003']);
  });

  it('lets a historical record name CVX 213 (unspecified formulation), as the code is meant for', () => {
    const { dose } = normalizeDose(modernaDose({ cvx: '213', ndc: undefined, mvx: undefined }));
    dose.iis_id = site.iis_id;
    fillFromSite(dose, site);
    expect(codesOf(validateDose(dose, { today: TODAY }))).toContain('DQ022:cvx');
    expect(codesOf(validateDose(dose, { today: TODAY, historical: true }))).not.toContain('DQ022:cvx');
  });

  it('lets a refusal name CVX 213 (refused COVID-19 vaccination, no product)', () => {
    const refusal = { ...REFUSAL, cvx: '213' };
    expect(check(refusal)).toEqual([]);
  });

  it('reports REQD001 (the names: DQ027) for every required field that is missing, and never accepts such a dose (property)', () => {
    fc.assert(
      fc.property(fc.subarray([...REQUIRED_FOR_VACCINATION], { minLength: 1 }), (missing) => {
        const { dose } = normalizeDose(modernaDose());
        dose.iis_id = site.iis_id;
        fillFromSite(dose, site);
        for (const f of missing) delete dose[f];
        const findings = validateDose(dose, { today: TODAY });
        for (const f of missing)
          expect(codesOf(findings)).toContain(
            f === 'recip_first_name' || f === 'recip_last_name' ? `DQ027:${f}` : `REQD001:${f}`,
          );
        expect(findings.some((f) => f.severity === 'error')).toBe(true);
      }),
    );
  });

  it('never throws and never accepts a dose missing a required field, whatever the input (property)', () => {
    fc.assert(
      fc.property(
        fc.dictionary(
          fc.constantFrom(...Object.keys(modernaDose()), 'other'),
          fc.oneof(fc.string({ maxLength: 12 }), fc.integer(), fc.constant(null)),
        ),
        (input) => {
          const { dose, findings } = normalizeDose(input);
          dose.iis_id = site.iis_id;
          const all = [...findings, ...validateDose(dose, { today: TODAY })];
          for (const f of all) expect(Object.keys(RULES)).toContain(f.code);
          if (!dose.vax_event_id)
            expect(all.some((f) => f.code === 'REQD001' && f.field === 'vax_event_id')).toBe(true);
        },
      ),
    );
  });
});

describe('prepareBatch', () => {
  it('warns BUSR013 on an exact repeat (counted once) and rejects the same vax_event_id with other content', () => {
    const id = modernaDose().vax_event_id as string;
    const batch = prepareBatch(
      [
        modernaDose(),
        modernaDose(),
        modernaDose({ vax_event_id: 'EVT-2' }),
        modernaDose({ lot_number: 'OTHER1' }),
        modernaDose({ vax_event_id: id.toLowerCase() }),
      ],
      'S1',
    );
    expect(batch.map((p) => codesOf(p.findings))).toEqual([
      [],
      ['BUSR013:vax_event_id'],
      [],
      ['BUSR013:vax_event_id'],
      ['BUSR013:vax_event_id'],
    ]);
    expect(batch.map((p) => p.findings[0]?.severity)).toEqual([
      undefined,
      'warning',
      undefined,
      'error',
      'error',
    ]);
  });

  it('defaults iis_id to the caller and fills site fields the dose left out', () => {
    const [p] = prepareBatch([modernaDose()], site.iis_id);
    fillFromSite(p!.dose, site);
    expect(p!.dose).toMatchObject({ iis_id: 'CAIRDEMO01', admin_name: site.admin_name, admin_type: '3' });
  });
});
