/**
 * Each code CDC's validator emits, triggered on its own from a record CDC accepts, with CDC's message text; and
 * the quirks of CDC's rules kept on purpose (where a rule fires or stays silent against its apparent intent).
 */
import { describe, expect, it } from 'vitest';
import {
  CDC_RULES,
  type CdcFinding,
  type CvrsVersion,
  validateCvrsRecord,
  validateCvrsText,
} from '#cdc/validator/index.ts';
import { cvrsFile, goodRecord, TODAY } from './helpers.ts';

/** testgood.txt's first row made a vaccination: CDC finds nothing wrong with it. */
const vaccination = (): Record<string, string> => ({
  ...goodRecord(),
  vax_refusal: 'No',
  cvx: '208',
  ndc: '59267-1000-01',
  mvx: 'PFR',
  lot_number: 'EL3246',
  vax_expiration: '2021-03',
  vax_admin_site: 'LD',
  vax_route: 'C28161',
  dose_num: '1',
  vax_series_complete: 'NO',
});

function check(changes: Record<string, string | undefined>, version: CvrsVersion = '2'): CdcFinding[] {
  const record: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...vaccination(), ...changes })) if (v !== undefined) record[k] = v;
  return validateCvrsRecord(record, { version, today: TODAY });
}

const brief = (fs: CdcFinding[]) => fs.map((f) => `${f.code} ${f.field}: ${f.message}`);

describe('the base record', () => {
  it('is clean for CDC, as a vaccination and as the refusal testgood.txt has', () => {
    expect(check({})).toEqual([]);
    expect(validateCvrsRecord(goodRecord(), { version: '2', today: TODAY })).toEqual([]);
  });
});

describe('DATA codes', () => {
  it('DATA001: a date that does not round-trip through Java, in the field’s format', () => {
    expect(brief(check({ recip_dob: '2015-26-08' }))).toEqual([
      'DATA001 recip_dob: recip_dob (2015-26-08) contains an invalid date, should match yyyy-MM-dd|yyyy-MM',
    ]);
    expect(check({ recip_dob: '2015-08' })).toEqual([]);
    expect(brief(check({ admin_date: '2020-10' }))[0]).toBe(
      'DATA001 admin_date: admin_date (2020-10) contains an invalid date, should match yyyy-MM-dd',
    );
    expect(brief(check({ vax_expiration: '2021-02-30' }))).toEqual([
      'DATA001 vax_expiration: vax_expiration (2021-02-30) contains an invalid date, should match yyyy-MM-dd|yyyy-MM',
    ]);
  });

  it('DATA009: what a lenient "MM/dd/yyyy" cut to the value’s length parses, even a bare number', () => {
    // A lenient month 2021 is still a month to Java, so 2021/01/01 counts as a US date.
    for (const v of ['10/24/2020', '1/2/2020', '7', '13/45/99', '2021/01/01'])
      expect(check({ vax_expiration: v }).map((f) => f.code)).toEqual(['DATA009']);
    expect(brief(check({ vax_expiration: '10/24/2020' }))).toEqual([
      'DATA009 vax_expiration: vax_expiration (10/24/2020) contains an incorrectly formatted date, should match yyyy-MM-dd|yyyy-MM',
    ]);
    for (const v of ['2021', 'abc', '10-24-2020', '2021-1-5'])
      expect(check({ vax_expiration: v }).map((f) => f.code)).toEqual(['DATA001']);
  });

  it('DATA004: pprl_id only and always with a PPRL extract', () => {
    expect(brief(check({ pprl_id: 'Present' }))).toEqual([
      'DATA004 pprl_id: pprl_id (Present) should not be present',
    ]);
    expect(brief(check({ ext_type: 'P' }))).toEqual(['DATA004 pprl_id: pprl_id () should not be present']);
    expect(check({ ext_type: 'P', pprl_id: 'abc' })).toEqual([]);
  });

  it('DATA005: the format patterns, full match, empty values left to REQD', () => {
    expect(brief(check({ recip_address_zip: '48504-' }))).toEqual([
      'DATA005 recip_address_zip: recip_address_zip (48504-) does not match the regular expression \\d{5}(-\\d{4})?',
    ]);
    expect(check({ recip_address_zip: '48877-1234' })).toEqual([]);
    expect(check({ admin_address_zip: '1529' }).map((f) => f.code)).toEqual(['DATA005', 'BUSR004']);
    expect(check({ vax_event_id: 'a b' }).map((f) => f.code)).toEqual(['DATA005']);
    expect(check({ vtrcks_prov_pin: '1234567' }).map((f) => f.code)).toEqual(['DATA005']);
    expect(check({ vtrcks_prov_pin: '' })).toEqual([]);
    expect(check({ responsible_org: ' COVID' }).map((f) => f.code)).toEqual(['DATA005']);
    expect(check({ admin_name: 'Grand Rapids clinic' })).toEqual([]);
    expect(brief(check({ ext_type: 'Q' }))).toEqual([
      'DATA005 ext_type: ext_type (Q) does not match the regular expression ^(D|P|I)$',
    ]);
    // An empty or missing ext_type fails even though CDC guesses the type from the redaction.
    expect(brief(check({ ext_type: '' }))).toEqual([
      'DATA005 ext_type: ext_type () does not match the regular expression ^(D|P|I)$',
    ]);
    expect(brief(check({ ext_type: undefined }))).toEqual([
      'DATA005 ext_type: ext_type (null) does not match the regular expression ^(D|P|I)$',
    ]);
    expect(check({ ext_type: 'd' })).toEqual([]);
  });

  it('DATA006: the name and street fields say Redacted in a D or P extract, in any case', () => {
    expect(brief(check({ recip_first_name: 'UnRedacted' }))).toEqual([
      'DATA006 recip_first_name: recip_first_name (UnRedacted) should contain value Redacted',
    ]);
    expect(brief(check({ recip_middle_name: '' }))).toEqual([
      'DATA006 recip_middle_name: recip_middle_name () should contain value Redacted',
    ]);
    expect(check({ recip_address_city: 'REDACTED' })).toEqual([]);
    expect(check({ ext_type: 'I', recip_first_name: 'Maria', recip_address_street: '1 Main St' })).toEqual(
      [],
    );
  });

  it('DATA007: trimmed, upper-cased, against the version’s value set, with CDC’s examples', () => {
    expect(brief(check({ recip_sex: 'UNK' }))).toEqual([
      'DATA007 recip_sex: recip_sex (UNK) is not in value set SEX[M, F, U]',
    ]);
    expect(check({ recip_sex: ' f ' })).toEqual([]);
    expect(brief(check({ admin_type: 'CL' }))).toEqual([
      'DATA007 admin_type: admin_type (CL) is not in value set DCHTYPE2[1, 2 ... 28, UNK]',
    ]);
    expect(brief(check({ admin_type: '1', vax_prov_suffix: 'RN', recip_missed_appt: 'NO' }, '1'))).toEqual([
      'DATA007 admin_type: admin_type (1) is not in value set DCHTYPE1[CL, HD ... POD, UNK]',
    ]);
    expect(check({ recip_race_2: 'UNK' }).map((f) => f.code)).toEqual(['DATA007']);
  });

  it('DATA008: over the field’s maximum length, reported before its value-set finding', () => {
    expect(brief(check({ mvx: 'AAAA' }))).toEqual([
      'DATA008 mvx: mvx (AAAA) exceeds maximum length 3',
      'DATA007 mvx: mvx (AAAA) is not in value set MVX[AAA, BBB ... WAL, ZLB]',
    ]);
    expect(check({ ext_type: 'P', pprl_id: 'x'.repeat(101) }).map((f) => f.code)).toEqual(['DATA008']);
    // Fields without a validator have no maximum.
    expect(check({ lot_number: 'L'.repeat(300) })).toEqual([]);
  });
});

describe('REQD and DNTS codes', () => {
  it('REQD001: a vaccination’s required field is empty', () => {
    expect(brief(check({ serology: '' }))).toEqual([
      'REQD001 serology: serology is required for Vaccination events',
    ]);
    expect(check({ dose_num: undefined }).map((f) => `${f.code} ${f.field}`)).toEqual(['REQD001 dose_num']);
  });

  it('REQD002 and DNTS002: a refusal needs cvx and must not carry the product', () => {
    const refusal = { vax_refusal: 'YES', ndc: '', mvx: '', lot_number: '', vax_expiration: '' };
    expect(
      brief(
        check({
          ...refusal,
          cvx: '',
          vax_admin_site: '',
          vax_route: '',
          dose_num: '',
          vax_series_complete: '',
        }),
      ),
    ).toEqual(['REQD002 cvx: cvx is required for Refusal events']);
    expect(
      brief(check({ vax_refusal: 'Yes', ndc: '', mvx: '', lot_number: '', vax_expiration: '' })),
    ).toEqual([
      'DNTS002 vax_admin_site: vax_admin_site (LD) should not be present for Refusal events',
      'DNTS002 vax_route: vax_route (C28161) should not be present for Refusal events',
      'DNTS002 dose_num: dose_num (1) should not be present for Refusal events',
      'DNTS002 vax_series_complete: vax_series_complete (NO) should not be present for Refusal events',
    ]);
  });

  it('REQD003, DNTS003 and BUSR006 are CVRS v1 only (missed appointments)', () => {
    const v1 = { vax_prov_suffix: '', recip_missed_appt: 'YES' };
    expect(check({ ...v1, recip_dob: '' }, '1').map((f) => `${f.code} ${f.field}`)).toEqual([
      'REQD003 recip_dob',
      'DNTS003 cvx',
      'DNTS003 ndc',
      'DNTS003 mvx',
      'DNTS003 lot_number',
      'DNTS003 vax_expiration',
      'DNTS003 vax_admin_site',
      'DNTS003 vax_route',
      'DNTS003 dose_num',
      'DNTS003 vax_series_complete',
      'DATA007 admin_type',
      'BUSR005 recip_dob',
    ]);
    expect(brief(check({ ...v1, vax_refusal: 'YES' }, '1')).at(-1)).toBe(
      'BUSR006 vax_refusal: vax_refusal (YES) and recip_missed_appt (YES) should not both be YES',
    );
    // v2 has no recip_missed_appt: CDC never reads it, so it makes no missed appointment.
    expect(check({ recip_missed_appt: 'YES' })).toEqual([]);
  });
});

describe('BUSR codes', () => {
  it('BUSR001/002: county FIPS prefix of the state; BUSR003/004: ZIP range of the state', () => {
    expect(brief(check({ recip_address_county: '49053' }))).toEqual([
      'BUSR001 recip_address_county: recip_address_county (49053) does not match recip_address_state (MI) for Recipient',
    ]);
    expect(check({ admin_address_county: '49053' }).map((f) => f.code)).toEqual(['BUSR002']);
    expect(brief(check({ recip_address_zip: '15290' }))).toEqual([
      'BUSR003 recip_address_zip: recip_address_zip (15290) does not match recip_address_state (MI) for Recipient',
    ]);
    expect(check({ admin_address_zip: '15290' }).map((f) => f.code)).toEqual(['BUSR004']);
  });

  it('BUSR003 as CDC has it: any ZIP for a state with a dashless range, none for a state without ranges', () => {
    const ct = { recip_address_state: 'CT', recip_address_county: '09001', admin_address_state: 'CT' };
    expect(check({ ...ct, admin_address_county: '09001', recip_address_zip: '99999' })).toEqual([]);
    expect(
      check({ recip_address_state: 'FM', recip_address_county: '64002' }).map((f) => `${f.code} ${f.field}`),
    ).toEqual(['BUSR003 recip_address_zip']);
  });

  it('BUSR005: dob after admin date, and also when either is missing', () => {
    expect(brief(check({ recip_dob: '2020-11-01' }))).toEqual([
      'BUSR005 recip_dob: recip_dob (2020-11-01) is after admin_date (2020-10-04)',
    ]);
    expect(check({ recip_dob: '2020-10-04' })).toEqual([]);
    expect(brief(check({ admin_date: '' }))).toEqual([
      'REQD001 admin_date: admin_date is required for Vaccination events',
      'BUSR005 recip_dob: recip_dob (2015-08-26) is after admin_date ()',
    ]);
  });

  it('BUSR007–010: a ZIP without its state or county, as warnings', () => {
    const w = (c: Record<string, string>) => check(c).map((f) => `${f.code} ${f.level}`);
    expect(w({ recip_address_state: '' })).toEqual(['BUSR007 WARN']);
    expect(w({ admin_address_state: '' })).toEqual(['BUSR008 WARN']);
    expect(w({ recip_address_county: '' })).toEqual(['BUSR009 WARN']);
    expect(w({ admin_address_county: '' })).toEqual(['BUSR010 WARN']);
    expect(brief(check({ recip_address_state: '' }))).toEqual([
      'BUSR007 recip_address_zip: If recip_address_zip (48877) is present, recip_address_state () should be present for Recipient',
    ]);
  });

  it('BUSR011/012: dates from tomorrow on, "tomorrow" being the day after `today` (CDC’s wording kept)', () => {
    expect(brief(check({ recip_dob: '2021-03-11', admin_date: '2021-03-10' }))).toEqual([
      'BUSR005 recip_dob: recip_dob (2021-03-11) is after admin_date (2021-03-10)',
      'BUSR011 recip_dob: If recip_dob (2021-03-11) is present it should be less than tomorrow (2021-03-11)',
    ]);
    expect(brief(check({ admin_date: '2021-03-11' }))).toEqual([
      'BUSR012 admin_date: If admin_date (2021-03-11) is present it should less than tomorrow (2021-03-11)',
    ]);
    expect(check({ admin_date: '2021-03-10' })).toEqual([]);
  });

  it('BUSR013: an id seen before, in any case, even on an exact repeat; names the latest earlier line', () => {
    const r = vaccination();
    const file = cvrsFile([
      r,
      { ...r, vax_event_id: r.vax_event_id!.toUpperCase(), recip_id: '2' },
      { ...r, vax_event_id: 'other' },
      r,
    ]);
    const found = validateCvrsText(file, { today: TODAY }).findings;
    expect(found.map((f) => `${f.line} ${f.code} ${f.message}`)).toEqual([
      '2 BUSR013 Value of vax_event_id (GOOD1_SAMPLE1) duplicates vax_event_id at line 1',
      '4 BUSR013 Value of vax_event_id (good1_sample1) duplicates vax_event_id at line 2',
    ]);
  });

  it('BUSR013: records without an id repeat each other too', () => {
    const found = validateCvrsText(
      cvrsFile([{ ...vaccination(), vax_event_id: '' }, vaccination(), { vax_event_id: '' }]),
      {
        today: TODAY,
      },
    ).findings;
    expect(found.filter((f) => f.code === 'BUSR013').map((f) => f.message)).toEqual([
      'Value of vax_event_id () duplicates vax_event_id at line 1',
    ]);
  });
});

describe('the rules list', () => {
  it('has every code this validator can make, with CDC’s levels', () => {
    expect(Object.keys(CDC_RULES).sort()).toEqual(
      [
        ...['001', '004', '005', '006', '007', '008', '009'].map((n) => `DATA${n}`),
        'REQD001',
        'REQD002',
        'REQD003',
        'DNTS002',
        'DNTS003',
        ...Array.from({ length: 13 }, (_, i) => `BUSR${String(i + 1).padStart(3, '0')}`),
        ...[1, 2, 3, 4, 5].map((n) => `FMT_00${n}`),
      ].sort(),
    );
    expect(
      Object.entries(CDC_RULES)
        .filter(([, r]) => r.level === 'WARN')
        .map(([c]) => c),
    ).toEqual(['BUSR007', 'BUSR008', 'BUSR009', 'BUSR010']);
  });
});
