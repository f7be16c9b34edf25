import { describe, expect, it } from 'vitest';
import {
  checkCvrsFile,
  checkCvrsRecord,
  DUPLICATE_EVENT_CODE,
  recordToDose,
} from '../../shared/cdc/cvrs-check.ts';
import { cvrsFileText, cvrsRecord } from '../../shared/cdc/cvrs-file.ts';
import { CVRS_FIELDS } from '../../shared/domain/fields.ts';
import { normalizeDose } from '../../shared/domain/normalize.ts';
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

describe('CVRS file checks', () => {
  it('pass a file of administered doses and refusals built by cvrsRecord', () => {
    const records = [
      record(),
      record({ vax_event_id: 'EVT-0002', recip_id: 'PAT-1002', admin_date: '2021-04-07', dose_num: '2' }),
      record({ vax_event_id: 'EVT-0003', vax_refusal: 'YES' }),
    ];
    for (const r of records) expect(checkCvrsRecord(r, TODAY)).toEqual([]);
    const result = checkCvrsFile(cvrsFileText(records), TODAY);
    expect(result).toEqual({
      issues: [],
      records: 3,
      eventIds: records.map((r) => r[col('vax_event_id')]),
    });
  });

  it('map values to a dose by field order, leaving empty values out', () => {
    const dose = recordToDose(record({ vax_refusal: 'YES' }));
    expect(dose).toMatchObject({ ext_type: 'D', cvx: '207', vax_refusal: 'YES' });
    expect('pprl_id' in dose).toBe(false);
    expect('lot_number' in dose).toBe(false);
  });

  it('stop at a wrong header with one issue naming the first differing column', () => {
    const text = cvrsFileText([record()]).replace('recip_dob', 'recip_birth_date');
    const result = checkCvrsFile(text, TODAY);
    expect(result.issues).toEqual([
      {
        line: 1,
        field: 'header',
        code: 'DATA005',
        message: 'Header column 8 must be "recip_dob" but is not a CVRS variable name.',
      },
    ]);
    expect(result.records).toBe(0);
    const swapped = cvrsFileText([record()]).replace('recip_dob\trecip_sex', 'recip_sex\trecip_dob');
    expect(checkCvrsFile(swapped, TODAY).issues[0]!.message).toBe(
      'Header column 8 must be "recip_dob" but is "recip_sex".',
    );
    // Upper case is the same header.
    const upper = cvrsFileText([record()]).replace(/^[^\n]*/, (h) => h.toUpperCase());
    expect(checkCvrsFile(upper, TODAY).issues).toEqual([]);
  });

  it('do not repeat a record line given where the header should be', () => {
    const line = record().join('\t');
    const [issue] = checkCvrsFile(`${line}\n`, TODAY).issues;
    expect(issue).toMatchObject({ line: 1, field: 'header', code: 'DATA005' });
    expect(issue!.message).not.toContain(record()[0]!);
  });

  it('refuse a record of another length: we build every record, so that is our bug', () => {
    expect(() => checkCvrsRecord(record().slice(0, 44), TODAY)).toThrow(/45 values, not 44/);
  });

  it('report a name that is not redacted, without repeating it', () => {
    const rec = withValue(record(), 'recip_first_name', 'Maria');
    const issues = checkCvrsFile(cvrsFileText([rec]), TODAY).issues;
    expect(issues).toEqual([
      expect.objectContaining({ line: 2, field: 'recip_first_name', code: 'DATA006' }),
    ]);
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

  it('report a repeated vax_event_id on its second line', () => {
    const a = record();
    const b = withValue(record({ recip_id: 'PAT-2000' }), 'vax_event_id', a[col('vax_event_id')]!);
    const result = checkCvrsFile(cvrsFileText([a, record({ vax_event_id: 'EVT-9' }), b]), TODAY);
    expect(result.issues).toEqual([
      {
        line: 4,
        field: 'vax_event_id',
        code: DUPLICATE_EVENT_CODE,
        message: 'Duplicate vax_event_id in file (first on line 2)',
        vax_event_id: a[col('vax_event_id')],
      },
    ]);
  });

  it('report a code outside its value set, with CDC codes only', () => {
    const rec = withValue(record(), 'vax_route', 'XX');
    expect(checkCvrsFile(cvrsFileText([rec]), TODAY).issues).toEqual([
      expect.objectContaining({ line: 2, field: 'vax_route', code: 'DATA007' }),
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

  it('read CRLF files, and files without a final line end', () => {
    const records = [record(), record({ vax_event_id: 'EVT-0002' })];
    const lf = cvrsFileText(records);
    const crlf = lf.replaceAll('\n', '\r\n');
    expect(checkCvrsFile(crlf, TODAY)).toEqual(checkCvrsFile(lf, TODAY));
    expect(checkCvrsFile(crlf, TODAY)).toMatchObject({ issues: [], records: 2 });
    expect(checkCvrsFile(lf.slice(0, -1), TODAY)).toMatchObject({ issues: [], records: 2 });
    const bad = withValue(record({ vax_event_id: 'EVT-0002' }), 'vax_route', 'XX');
    expect(checkCvrsFile(cvrsFileText([record(), bad]).replaceAll('\n', '\r\n'), TODAY).issues).toEqual([
      expect.objectContaining({ line: 3, field: 'vax_route' }),
    ]);
  });
});
