import { describe, expect, it } from 'vitest';
import { checkCvrsRecord, recordToDose } from '#cdc/cvrs-check.ts';
import { cvrsRecord } from '#codecs/cvrs/file.ts';
import { CVRS_FIELDS } from '#doses/fields.ts';
import { normalizeDose } from '#doses/normalize.ts';
import { demoSite, modernaDose } from '../fixtures/doses.ts';

const SECRET = 'test-secret-for-recip-ids';
const TODAY = '2026-11-24';
const col = (field: (typeof CVRS_FIELDS)[number]) => CVRS_FIELDS.indexOf(field);

function record(overrides: Record<string, unknown> = {}): string[] {
  const dose = normalizeDose({ ...modernaDose(overrides), ...demoSite }).dose;
  return cvrsRecord(dose, SECRET);
}

function withValue(values: string[], field: (typeof CVRS_FIELDS)[number], value: string): string[] {
  const copy = [...values];
  copy[col(field)] = value;
  return copy;
}

describe('CVRS record checks before a file leaves', () => {
  it('pass a file of administered doses and refusals built by cvrsRecord', () => {
    const records = [
      record(),
      record({ vax_event_id: 'EVT-0002', recip_id: 'PAT-1002', admin_date: '2021-04-07', dose_num: '2' }),
      record({ vax_event_id: 'EVT-0003', vax_refusal: 'YES' }),
    ];
    for (const r of records) expect(checkCvrsRecord(r, TODAY)).toEqual([]);
  });

  it('map values to a dose by field order, leaving empty values out', () => {
    const dose = recordToDose(record({ vax_refusal: 'YES' }));
    expect(dose).toMatchObject({ ext_type: 'D', cvx: '207', vax_refusal: 'YES' });
    expect('pprl_id' in dose).toBe(false);
    expect('lot_number' in dose).toBe(false);
  });

  it('refuse a record of another length: we build every record, so that is our bug', () => {
    expect(() => checkCvrsRecord(record().slice(0, 44), TODAY)).toThrow(/45 values, not 44/);
  });

  it('report a name that is not redacted, without repeating it', () => {
    const rec = withValue(record(), 'recip_first_name', 'Maria');
    const issues = checkCvrsRecord(rec, TODAY);
    expect(issues).toEqual([expect.objectContaining({ field: 'recip_first_name', code: 'DATA006' })]);
    expect(issues[0]!.message).not.toContain('Maria');
    // Any case of the word passes; an empty name does not.
    expect(checkCvrsRecord(withValue(record(), 'recip_last_name', 'REDACTED'), TODAY)).toEqual([]);
    expect(checkCvrsRecord(withValue(record(), 'recip_middle_name', ''), TODAY)).toEqual([
      expect.objectContaining({ field: 'recip_middle_name', code: 'DATA006' }),
    ]);
  });

  it('report the extract rules at the level CDC gives them: ext_type D, P or I, pprl_id only with P, a recip_id', () => {
    expect(checkCvrsRecord(withValue(record(), 'ext_type', 'X'), TODAY)).toEqual([
      expect.objectContaining({ field: 'ext_type', code: 'DATA005' }),
    ]);
    // Intake only warns about pprl_id (we never send it); in a file for CDC it is CDC's error.
    expect(checkCvrsRecord(withValue(record(), 'pprl_id', 'abc'), TODAY)).toEqual([
      expect.objectContaining({ field: 'pprl_id', code: 'DATA004', severity: 'error' }),
    ]);
    expect(checkCvrsRecord(withValue(record(), 'recip_id', ''), TODAY)).toEqual([
      expect.objectContaining({ field: 'recip_id', code: 'REQD001' }),
    ]);
  });

  it('report a code outside its value set, with CDC codes only', () => {
    const rec = withValue(record(), 'vax_route', 'XX');
    expect(checkCvrsRecord(rec, TODAY)).toEqual([
      expect.objectContaining({ field: 'vax_route', code: 'DATA007' }),
    ]);
    // Codes are compared case-insensitively.
    expect(checkCvrsRecord(withValue(record(), 'vax_admin_site', 'ld'), TODAY)).toEqual([]);
    // A registry data-quality rule (here DQ010, product not yet available) is not CDC's to report.
    expect(checkCvrsRecord(withValue(record(), 'admin_date', '2020-06-10'), TODAY)).toEqual([]);
  });

  it('report dates CDC cannot read, and dates after today', () => {
    expect(checkCvrsRecord(withValue(record(), 'recip_dob', '07/22/1958'), TODAY)).toEqual([
      expect.objectContaining({ field: 'recip_dob', code: 'DATA009' }),
    ]);
    expect(checkCvrsRecord(withValue(record(), 'admin_date', '2021-02-30'), TODAY)).toEqual([
      expect.objectContaining({ field: 'admin_date', code: 'DATA001' }),
    ]);
    expect(checkCvrsRecord(record(), '2021-03-09')).toEqual([
      expect.objectContaining({ field: 'admin_date', code: 'BUSR012' }),
    ]);
  });
});
