/**
 * How CDC's validator reads a file, reproduced: the FMT_ checks on the first 1,024 characters, the header
 * matched by name in any case, the comma fallback, rows whose cell count is off skipped without a word, line
 * ends as Java's BufferedReader sees them, and CVRS v1 files.
 */
import { describe, expect, it } from 'vitest';
import {
  CdcHl7Input,
  CdcValidatorStopped,
  formatTextReport,
  headersFor,
  validateCvrsText,
} from '#cdc/validator/index.ts';
import { cvrsFile, fixtureBytes, goodRecord, TODAY } from './helpers.ts';

const check = (text: string | Buffer, version: '1' | '2' = '2') =>
  validateCvrsText(text, { today: TODAY, version });
const codes = (text: string | Buffer) => check(text).findings.map((f) => `${f.line} ${f.code}`);
const good = goodRecord();

describe('FMT_ codes', () => {
  it('FMT_005: a byte order mark is reported, skipped, and the file read as usual', () => {
    const r = check(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(cvrsFile([good]))]));
    expect(r.findings).toEqual([
      {
        line: -1,
        vax_event_id: 'good1_sample1',
        field: 'Header',
        code: 'FMT_005',
        level: 'ERROR',
        message: 'File starts with a Unicode Byte Order Mark (FEFF)',
      },
    ]);
    expect(r).toMatchObject({ totalRecords: 1, failedRecords: 1, totalErrors: 1, cdcErrorCount: 1 });
  });

  it('FMT_001: no TAB in the first line; the header is split on commas and the rows read as CSV', () => {
    const header = headersFor('2').join(',');
    const row = headersFor('2')
      .map((h) => (h === 'admin_name' ? '"Luna, the clinic"' : (good[h] ?? '')))
      .join(',');
    const r = check(`${header}\r\n${row}\r\n`);
    expect(r.findings.map((f) => f.code)).toEqual(['FMT_001']);
    expect(r.findings[0]!.message).toBe(`File is not tab delimited. First Row: ${header}`);
    expect(r.totalRecords).toBe(1);
    // A quote CSV would not close stops CDC's run: it writes no report.
    expect(() => check(`${header}\n"${row}\n`)).toThrow(CdcValidatorStopped);
  });

  it('FMT_002: unknown columns are named (lower-cased) and their cells ignored', () => {
    const columns = [...headersFor('2'), 'IIS_ID', 'vax_prov_suffix'];
    const r = check(cvrsFile([{ ...good, IIS_ID: 'CAIRDEMO01', vax_prov_suffix: 'XX' }], { columns }));
    expect(r.findings.map((f) => f.message)).toEqual([
      'Input contains invalid headers: [iis_id, vax_prov_suffix]',
    ]);
  });

  it('FMT_003: an empty file, or a header with no CVRS name at all', () => {
    expect(codes('')).toEqual(['-1 FMT_003']);
    expect(check('')).toMatchObject({ totalRecords: 0, failedRecords: 1, totalErrors: 1, cdcErrorCount: 0 });
    // The rows are still read, by their own header: nothing binds, so every field is null (CDC prints "null").
    const r = check('a\tb\nc\td\n');
    expect(r.findings.slice(0, 2).map((f) => f.message)).toEqual([
      'Input contains invalid headers: [a, b]',
      'File is not a CVRS',
    ]);
    expect(r).toMatchObject({ totalRecords: 1, totalErrors: 20 });
    expect(r.findings.at(-1)!.message).toBe('recip_dob (null) is after admin_date (null)');
  });

  it('FMT_004: the missing columns in CDC’s order; the record is still checked, its missing fields null', () => {
    const columns = headersFor('2').filter((h) => h !== 'serology' && h !== 'recip_race_3');
    const r = check(cvrsFile([good], { columns }));
    expect(r.findings.map((f) => `${f.code} ${f.message}`)).toEqual([
      'FMT_004 File is missing headers [recip_race_3, serology]',
      'REQD002 serology is required for Refusal events',
    ]);
  });

  it('header names match in any case and with spaces around them (OpenCSV trims)', () => {
    const file = cvrsFile([good]);
    const eol = file.indexOf('\r\n');
    const header = headersFor('2').map((h, i) => (i === 0 ? ` ${h.toUpperCase()} ` : h.toUpperCase()));
    const r = check(header.join('\t') + file.slice(eol));
    // CDC's own header check does not trim, so the padded name is also "invalid"; OpenCSV still binds it.
    expect(r.findings.map((f) => f.code)).toEqual(['FMT_002', 'FMT_004']);
    expect(r.findings[0]!.vax_event_id).toBe('good1_sample1');
  });

  it('the FMT_ findings come first in the detail, with the first record’s id, and count as one failed record', () => {
    const columns = headersFor('2').filter((h) => h !== 'serology');
    const r = check(cvrsFile([good, { ...good, vax_event_id: 'second' }], { columns }));
    expect(r.findings.map((f) => `${f.line} ${f.vax_event_id} ${f.code}`)).toEqual([
      '-1 good1_sample1 FMT_004',
      '1 good1_sample1 REQD002',
      '2 second REQD002',
    ]);
    expect(r).toMatchObject({ failedRecords: 2, totalErrors: 3, cdcErrorCount: 3 });
  });

  it('HL7 is not a CVRS text file: its own reader (hl7.ts) has to take it', () => {
    expect(() => check(fixtureBytes('testgood.hl7'))).toThrow(CdcHl7Input);
  });
});

describe('rows and lines', () => {
  it('a row with more or fewer cells than the header is skipped: not counted, not checked (OpenCSV drops it)', () => {
    const second = cvrsFile([{ ...good, vax_event_id: 'two' }]).split('\r\n')[1];
    const file = `${cvrsFile([good])}short\trow\r\n${second}`;
    const r = check(file);
    expect(r.totalRecords).toBe(2);
    expect(r.findings).toEqual([]);
  });

  it('a blank line is a one-cell row, skipped too', () => {
    expect(check(cvrsFile([good]).replace('\r\n', '\r\n\r\n')).totalRecords).toBe(1);
  });

  it('LF, CRLF and a mix read the same; a lone CR ends a line as well', () => {
    const rows = [
      good,
      { ...good, vax_event_id: 'b', recip_sex: 'X' },
      { ...good, vax_event_id: 'c', admin_type: '99' },
    ];
    const crlf = check(cvrsFile(rows, { eol: '\r\n' }));
    expect(crlf.findings.length).toBe(2);
    expect(check(cvrsFile(rows, { eol: '\n' }))).toEqual(crlf);
    const lines = cvrsFile(rows, { eol: '\n' }).split('\n');
    expect(check(`${lines[0]}\r\n${lines[1]}\n${lines[2]}\r\n${lines[3]}`)).toEqual(crlf);
    // A CR-only file: the rows read the same, but CDC's header check looks for an LF in the first 1,024
    // characters, finds none, and takes them all (CRs dropped) as the header.
    const cr = check(cvrsFile(rows, { eol: '\r' }));
    expect(cr.findings.filter((f) => f.line > 0)).toEqual(crlf.findings);
    expect(cr.findings.filter((f) => f.line < 0).map((f) => f.code)).toEqual(['FMT_002', 'FMT_004']);
  });

  it('a value keeps its spaces and a record its empty trailing cells (no trimming, no quoting)', () => {
    const r = check(cvrsFile([{ ...good, recip_sex: ' F', admin_name: '"Luna"' }]));
    expect(r.findings).toEqual([]);
  });
});

describe('CVRS v1', () => {
  it('testerrorv1.txt with version 1: the v1-only codes appear (BUSR006, REQD002, DNTS003)', () => {
    const r = check(fixtureBytes('testerrorv1.txt'), '1');
    const seen = new Set(r.findings.map((f) => f.code));
    for (const c of ['BUSR006', 'REQD002', 'DNTS002', 'DNTS003', 'DATA009']) expect(seen).toContain(c);
    expect(r).toMatchObject({ totalRecords: 60, failedRecords: 60, totalErrors: 282 });
    expect(r.findings.find((f) => f.code === 'BUSR006')).toMatchObject({
      line: 16,
      vax_event_id: 'BUSR006_vax_refusal',
      message: 'vax_refusal (Yes) and recip_missed_appt (Yes) should not both be YES',
    });
  });

  it('testgoodv1.txt is not clean under CDC’s current rules, and one of its rows is skipped', () => {
    // Its admin_type codes are DCHTYPE2's (v1 uses DCHTYPE1), some "good_*_missing" rows lack fields v1 now
    // requires, and good_serology_missing has 46 cells for 47 columns (an editor dropped the trailing TAB).
    const r = check(fixtureBytes('testgoodv1.txt'), '1');
    expect(r).toMatchObject({ totalRecords: 34, failedRecords: 34, totalErrors: 42 });
    expect(r.findings.filter((f) => f.code === 'DATA007').length).toBe(34);
    expect(formatTextReport('testgoodv1.txt', r)).toContain(
      'admin_type (1) is not in value set DCHTYPE1[CL, HD ... POD, UNK]',
    );
    // As v2 (CDC's default without -v1) its two v1 columns are unknown.
    expect(check(fixtureBytes('testgoodv1.txt')).findings[0]!.message).toBe(
      'Input contains invalid headers: [vax_prov_suffix, recip_missed_appt]',
    );
  });
});
