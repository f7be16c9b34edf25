import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkCvrsRecord } from '#cdc/cvrs-check.ts';
import { cvrsFileText, cvrsRecord } from '#codecs/cvrs/file.ts';
import { CVRS_FIELDS, type CvrsField } from '#doses/fields.ts';
import { normalizeDose } from '#doses/normalize.ts';
import { judgeAsCdc } from '../../local/standins/clearinghouse-judge.ts';
import { demoSite, modernaDose } from '../fixtures/doses.ts';

/**
 * Our pre-send check (shared/cdc/cvrs-check.ts, built from the pipeline's rules) against CDC's rules as the
 * Clearinghouse stand-in applies them (CDC's validator re-implemented): whatever the check lets through, CDC
 * takes without an error. Records are a good one with fields swapped for values CDC or we may refuse.
 */
const SECRET = 'presend-secret';
const TODAY = '2026-11-24';
const col = (f: CvrsField) => CVRS_FIELDS.indexOf(f);
const base = cvrsRecord(normalizeDose({ ...modernaDose(), ...demoSite }).dose, SECRET);
const refusal = cvrsRecord(
  normalizeDose({ ...modernaDose({ vax_refusal: 'YES' }), ...demoSite }).dose,
  SECRET,
);

/** Per field, values a stored dose or a bug could put there: good ones, and ones CDC refuses. */
const VALUES: Partial<Record<CvrsField, string[]>> = {
  ext_type: ['D', 'P', 'I', 'X', ''],
  pprl_id: ['', 'abc'],
  recip_id: ['abc', '', 'a b'],
  recip_first_name: ['Redacted', 'REDACTED', 'Maria', ''],
  recip_address_city: ['Redacted', '', 'Fresno'],
  recip_dob: ['1958-07-22', '1958-07', '07/22/1958', '1958-02-30', '2030-01-01', '2021-03-11', ''],
  recip_sex: ['F', 'M', 'U', 'O', 'f', ''],
  recip_address_county: ['06037', '36061', '6037', 'XX', ''],
  recip_address_state: ['CA', 'NY', 'ca', 'ZZ', ''],
  recip_address_zip: ['94612', '94612-1234', '10001', '946121234', '1529', ''],
  recip_race_1: ['2106-3', 'UNK', 'POL', 'W', ''],
  recip_race_2: ['', '2054-5', 'UNK', 'W'],
  recip_ethnicity: ['2135-2', 'UNK', 'H', ''],
  admin_date: ['2021-03-10', '2021-03', '20210310', '2027-01-01', ''],
  cvx: ['207', '208', '213', '900', '03', 'XXX', ''],
  ndc: ['', '80777-0273-10', '80777-273-10', '12345'],
  mvx: ['', 'MOD', 'PFR', 'AAAA'],
  vax_expiration: ['', '2021-06-30', '2021-06', '06/30/2021'],
  vax_admin_site: ['', 'LD', 'MO', 'ld'],
  vax_route: ['', 'C28161', 'IM', 'ID', 'XX', 'C28161C28161'],
  dose_num: ['1', '2', '6', '7', 'UNK', 'INV', ''],
  vax_series_complete: ['NO', 'YES', 'UNK', 'MAYBE', ''],
  responsible_org: ['CAIRDEMO01', ''],
  vtrcks_prov_pin: ['', 'A1B2C3', 'ABC-12', '1234567'],
  admin_type: ['1', '28', 'UNK', '29', 'CL', ''],
  admin_address_county: ['06037', '36061', ''],
  admin_address_state: ['CA', 'NY', ''],
  admin_address_zip: ['95814', '10001', '1529', ''],
  vax_refusal: ['NO', 'YES', 'no', 'MAYBE', ''],
  cmorbid_status: ['UNK', 'YES', 'X', ''],
  serology: ['UNK', 'NO', 'X', ''],
};
const FIELDS = Object.keys(VALUES) as CvrsField[];

const mutated = fc
  .tuple(
    fc.boolean(),
    fc.array(
      fc.constantFrom(...FIELDS).chain((f) => fc.tuple(fc.constant(f), fc.constantFrom(...VALUES[f]!))),
      { maxLength: 4 },
    ),
  )
  .map(([isRefusal, changes]) => {
    const values = [...(isRefusal ? refusal : base)];
    for (const [f, v] of changes) values[col(f)] = v;
    return values;
  });

describe('what our pre-send check lets through', () => {
  it("is taken by CDC's rules without an error (property)", () => {
    let sent = 0;
    let held = 0;
    fc.assert(
      fc.property(fc.array(mutated, { minLength: 1, maxLength: 12 }), (records) => {
        const ok = records
          .filter((r) => checkCvrsRecord(r, TODAY).length === 0)
          .map((r, i) => {
            const copy = [...r];
            copy[col('vax_event_id')] = `EV${i}`;
            return copy;
          });
        sent += ok.length;
        held += records.length - ok.length;
        if (ok.length === 0) return;
        const judged = judgeAsCdc(cvrsFileText(ok), TODAY);
        expect(judged.validationErrors).toEqual([]);
        expect(judged.processingErrors).toEqual([]);
      }),
      { numRuns: 400 },
    );
    // Both sides were exercised.
    expect(sent).toBeGreaterThan(100);
    expect(held).toBeGreaterThan(100);
  });

  it('is judged independently: a record the check would hold back, sent anyway, is refused there', () => {
    for (const [field, value] of [
      ['recip_sex', 'O'],
      ['recip_first_name', 'Maria'],
      ['recip_address_zip', '10001'],
      ['admin_date', '2027-01-01'],
      ['dose_num', '7'],
    ] as const) {
      const record = [...base];
      record[col(field)] = value;
      expect(checkCvrsRecord(record, TODAY), field).not.toEqual([]);
      const judged = judgeAsCdc(cvrsFileText([record]), TODAY);
      expect(judged.refused.has(1), field).toBe(true);
      expect(judged.validationErrors[0], field).toMatch(new RegExp(`^line#1 field=${field} `));
    }
  });
});
