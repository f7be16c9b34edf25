import { describe, expect, it } from 'vitest';
import { splitHl7Messages, validateHl7Text } from '#cdc/validator/hl7.ts';
import { type CdcFinding, validateCvrsText } from '#cdc/validator/index.ts';
import { TODAY } from './helpers.ts';
import { BASE, fixture, MSH, OBX, PID, RXA, replacing, vxu } from './hl7-messages.ts';

describe('validateHl7Text: an .hl7 file through the CVRS record rules', () => {
  const today = '2021-03-01';

  it("finds nothing in testgood.hl7, as CDC's testgood.hl7.rpt says: 0 errors in 0 of 33 records", () => {
    const result = validateHl7Text(fixture('testgood.hl7'), { today });
    expect(result).toMatchObject({ totalRecords: 33, failedRecords: 0, totalErrors: 0, cdcErrorCount: 0 });
  });

  it("reports on the record each message maps to, at the message's ordinal", () => {
    const second = replacing('PID', PID.replace('|2186-5^^CDCREC', ''), [
      MSH,
      PID,
      'ORC|||ev-2',
      RXA,
      ...OBX,
    ]);
    const result = validateHl7Text(`${vxu(...BASE)}${second}`, { today });
    expect(result.totalRecords).toBe(2);
    expect(result.findings.map((f) => [f.line, f.code, f.field])).toEqual([
      [2, 'REQD001', 'recip_ethnicity'],
    ]);
    expect(result.failedRecords).toBe(1);
  });

  it('reports a vax_event_id used again by a different record, and a byte order mark', () => {
    const again = replacing('RXA', RXA.replace('EL3246', 'OTHER'));
    const result = validateHl7Text(`\uFEFF${vxu(...BASE)}${again}`, { today });
    expect(result.findings.map((f) => [f.line, f.code, f.vax_event_id])).toEqual([
      [-1, 'FMT_005', 'ev-1'],
      [2, 'BUSR013', 'ev-1'],
    ]);
    expect(result.failedRecords).toBe(2);
  });

  it('finds the 2 errors CDC counts in testdefault.hl7 with -d', () => {
    const result = validateHl7Text(fixture('testdefault.hl7'), { today, defaults: true });
    expect(result.findings.map((f) => [f.line, f.code, f.field])).toEqual([
      [13, 'REQD001', 'admin_name'],
      [14, 'REQD001', 'responsible_org'],
    ]);
    expect(result).toMatchObject({ totalRecords: 51, failedRecords: 2, cdcErrorCount: 2 });
  });

  it('says on which message CDC would stop', () => {
    const bad = replacing('RXA', RXA.replace('20201004', '10/04/2020'));
    expect(() => validateHl7Text(`${vxu(...BASE)}${bad}`, { today })).toThrow(
      expect.objectContaining({ name: 'CdcHl7Rejection', line: 2 }),
    );
  });
});

describe("testerror.hl7: CDC's 176 errors, the findings of testerror.txt but for what HL7 cannot carry", () => {
  // testerror.hl7 is CDC's conversion of testerror.txt (TestCommandLine's testConversion turns the one into the
  // other; its testerror.cnv.rpt lists what does not round trip, HL7_001): record 1's recip_dob 2015-26-08 and
  // record 2's admin_date 10/24/2020 are not HL7 dates, so the messages leave PID-7 and RXA-3 empty; record 50's
  // empty vax_refusal becomes NO, as a message without RXA-20 is a vaccination, not a refusal.
  const key = (f: CdcFinding) => `${f.line} ${f.vax_event_id} ${f.field} ${f.code} ${f.level}`;
  const ONLY_TXT = [
    '1 DATA001_recip_dob recip_dob DATA001 ERROR', // the invalid date in the record...
    '2 DATA009_admin_date_1 admin_date DATA009 ERROR',
    '50 REQD001_vax_refusal_missing vax_refusal REQD001 ERROR', // ...and the missing vax_refusal
  ];
  const ONLY_HL7 = [
    '1 DATA001_recip_dob recip_dob REQD001 ERROR', // ...is a missing date in the message
    '1 DATA001_recip_dob recip_dob BUSR005 ERROR', // and an empty recip_dob is "after" admin_date, as in CDC
    '2 DATA009_admin_date_1 admin_date REQD001 ERROR',
  ];
  // Same finding, the value in its message rendered from the message, not the record.
  const MESSAGES: Record<string, [txt: string, hl7: string]> = {
    '2 DATA009_admin_date_1 recip_dob BUSR005 ERROR': [
      'recip_dob (2015-08-26) is after admin_date (10/24/2020)',
      'recip_dob (2015-08-26) is after admin_date ()',
    ],
  };
  const hl7 = validateHl7Text(fixture('testerror.hl7'), { today: TODAY });
  const txt = validateCvrsText(fixture('testerror.txt'), { today: TODAY });

  it("gives TestCommandLine's count for testerror.hl7, 176, as for testerror.txt, over the same 52 records", () => {
    expect(splitHl7Messages(fixture('testerror.hl7'))).toHaveLength(52);
    expect(hl7).toMatchObject({ totalRecords: 52, totalErrors: 176, cdcErrorCount: 176 });
    expect(txt).toMatchObject({ totalRecords: 52, totalErrors: 176, cdcErrorCount: 176 });
    // Record 50 has nothing left to find once its vax_refusal is NO.
    expect([txt.failedRecords, hl7.failedRecords]).toEqual([52, 51]);
  });

  it('finds what testerror.txt gives (line, vax_event_id, field, code, level and message) but the listed differences', () => {
    const sorted = (fs: CdcFinding[]) => fs.map(key).sort();
    const drop = (keys: string[], gone: string[]) => keys.filter((k) => !gone.includes(k));
    expect(drop(sorted(hl7.findings), ONLY_HL7)).toEqual(drop(sorted(txt.findings), ONLY_TXT));
    expect(sorted(hl7.findings.filter((f) => ONLY_HL7.includes(key(f))))).toEqual([...ONLY_HL7].sort());
    expect(sorted(txt.findings.filter((f) => ONLY_TXT.includes(key(f))))).toEqual([...ONLY_TXT].sort());

    const txtMessage = new Map(txt.findings.map((f) => [key(f), f.message]));
    const differing = hl7.findings
      .filter((f) => txtMessage.has(key(f)) && txtMessage.get(key(f)) !== f.message)
      .map((f) => [key(f), [txtMessage.get(key(f)), f.message]]);
    expect(Object.fromEntries(differing)).toEqual(MESSAGES);
  });
});
