import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CdcHl7Rejection,
  cvrsFields,
  isHl7File,
  splitHl7Messages,
  validateHl7Text,
  vxuToCvrs,
} from '#cdc/validator/hl7.ts';
import { type CdcFinding, validateCvrsText } from '#cdc/validator/index.ts';
import { escapeHl7 } from '#codecs/hl7/escape.ts';
import { TODAY } from './helpers.ts';

const fixture = (name: string) =>
  readFileSync(new URL(`../../fixtures/cdc-validator/${name}`, import.meta.url), 'utf8');

/** A CVRS text file as rows of header → value (CRLF and LF both end a row; no quoting, as CDC reads it). */
function cvrsRows(text: string): Record<string, string>[] {
  const [header, ...rows] = text.split(/\r?\n/).filter((l) => l !== '');
  const names = header!.split('\t');
  return rows.map((row) => {
    const values = row.split('\t');
    return Object.fromEntries(names.map((n, i) => [n, values[i] ?? '']));
  });
}

// One redacted vaccination in CDC's own test style; each test changes the segment it is about.
const MSH = 'MSH|^~\\&|||||20201103190809.124-0500|D|VXU^V04^VXU_V04|890801|P|2.5.1||||||||||COVID-A';
const PID =
  'PID|||7||Redacted^Redacted^Redacted||20150826|F||2106-3^^CDCREC|Redacted^Redacted^Redacted^MI^48877^^^^26001|||||||||||2186-5^^CDCREC';
const ORC = 'ORC|||ev-1';
const RXA =
  'RXA|||20201004||208^^CVX^59267-1000-01^^NDC||||||^^^Cap&788899^^17^^^98 Monroe Center St NW^^Grand Rapids^MI^49504^^^26001||||EL3246|20210331|PFR^^MVX';
const RXR = 'RXR|C28161^^NCIT|LD^^HL70163';
const OBX = [
  'OBX||CE|VXC8^Member of Special Risk Group^PHIN VS||UNK',
  'OBX||CE|59783-1^Status in immunization series^LN||NO',
  'OBX||CE|30973-2^Dose number in series^LN||1^^DCHDOSE',
  'OBX||CE|75505-8^Serological Evidence of Immunity^LN||UNK^Unknown^NullFlavor',
];
const vxu = (...segments: string[]) => `${segments.join('\r')}\r`;
const BASE = [MSH, PID, ORC, RXA, RXR, ...OBX];
const replacing = (prefix: string, replacement: string, segments = BASE) =>
  vxu(...segments.map((s) => (s.startsWith(prefix) ? replacement : s)));

describe('splitHl7Messages: how CDC cuts an .hl7 file', () => {
  it("numbers testgood.hl7's 33 messages 1..33, as CDC's report does, whatever lines they span", () => {
    const messages = splitHl7Messages(fixture('testgood.hl7'));
    expect(messages).toHaveLength(33);
    expect(messages.map((m) => m.line)).toEqual(Array.from({ length: 33 }, (_, i) => i + 1));
    // The file mixes CR, CRLF and blank lines: the 4th message starts on line 22 of the file.
    expect(messages.slice(0, 4).map((m) => m.firstLine)).toEqual([1, 8, 15, 22]);
    for (const m of messages) expect(m.message.startsWith('MSH|')).toBe(true);
  });

  it('drops batch envelopes and stray lines, and starts a message at any line beginning MSH', () => {
    const text = [
      'FHS|^~\\&',
      'BHS|^~\\&',
      'junk before',
      MSH,
      'PID|||1',
      'BTS|1',
      'MSHX|not a pipe',
      'FTS|1',
    ].join('\n');
    const messages = splitHl7Messages(text);
    expect(messages.map((m) => [m.line, m.firstLine])).toEqual([
      [1, 4],
      [2, 7],
    ]);
    expect(messages[0]!.message).toBe(`${MSH}\rPID|||1\r`);
    expect(messages[1]!.message).toBe('MSHX|not a pipe\r');
  });

  it('keeps blank lines inside a message, which HAPI then skips', () => {
    const [only] = splitHl7Messages(`${MSH}\r\n\r\nPID|||1\r\n`);
    expect(only!.message).toBe(`${MSH}\r\rPID|||1\r`);
  });

  it('tells an HL7 file from a CVRS text file by its first line, after a byte order mark', () => {
    expect(isHl7File(`\uFEFF${MSH}\r`)).toBe(true);
    expect(isHl7File('BHS|^~\\&\r')).toBe(true);
    expect(isHl7File('vax_event_id\text_type\n')).toBe(false);
  });
});

describe('vxuToCvrs: the record CDC derives from a VXU', () => {
  it("maps each message of testgood.hl7 to testgood.txt's record, field by field", () => {
    const messages = splitHl7Messages(fixture('testgood.hl7'));
    const rows = cvrsRows(fixture('testgood.txt'));
    expect(rows).toHaveLength(messages.length);
    messages.forEach((m, i) => {
      const record = vxuToCvrs(m.message);
      const expected = rows[i]!;
      expect(Object.keys(record)).toEqual(Object.keys(expected));
      // testgood.txt says Yes/No where CDC's RXA-20 map gives YES/NO; CDC compares and validates ignoring case.
      expect(record.vax_refusal).toBe(expected.vax_refusal!.toUpperCase());
      expect({ ...record, vax_refusal: '' }).toEqual({ ...expected, vax_refusal: '' });
    });
  });

  it('has every v2 field, in CVRS order, empty where the message says nothing', () => {
    const record = vxuToCvrs(vxu(MSH));
    expect(Object.keys(record)).toEqual([...cvrsFields('2')]);
    expect(Object.keys(record)).toHaveLength(45);
    expect(record.vax_refusal).toBe('NO');
    expect(Object.entries(record).filter(([, v]) => v !== '')).toEqual([
      ['ext_type', 'D'],
      ['responsible_org', 'COVID-A'],
      ['vax_refusal', 'NO'],
    ]);
  });

  it('maps a complete vaccination', () => {
    expect(vxuToCvrs(vxu(...BASE))).toMatchObject({
      vax_event_id: 'ev-1',
      recip_id: '7',
      recip_dob: '2015-08-26',
      recip_race_1: '2106-3',
      recip_ethnicity: '2186-5',
      admin_date: '2020-10-04',
      cvx: '208',
      ndc: '59267-1000-01',
      mvx: 'PFR',
      lot_number: 'EL3246',
      vax_expiration: '2021-03-31',
      vax_admin_site: 'LD',
      vax_route: 'C28161',
      dose_num: '1',
      vax_series_complete: 'NO',
      responsible_org: 'COVID-A',
      admin_name: 'Cap',
      vtrcks_prov_pin: '788899',
      admin_type: '17',
      admin_address_street: '98 Monroe Center St NW',
      admin_address_city: 'Grand Rapids',
      admin_address_state: 'MI',
      admin_address_zip: '49504',
      admin_address_county: '26001',
      vax_refusal: 'NO',
      cmorbid_status: 'UNK',
      serology: 'UNK',
    });
  });

  it('reads first and last name from PID-5.1 and PID-5.2, as CDC annotates them (family name as first)', () => {
    const record = vxuToCvrs(
      fixture('Adult z22 New Covid vaccine.hl7').split(/\r?\n/).filter(Boolean).join('\r'),
    );
    expect(record).toMatchObject({
      recip_first_name: 'Winchester',
      recip_last_name: 'Dorothy',
      recip_middle_name: 'Amelia',
      recip_id: '123456',
      pprl_id: '987633',
      ext_type: 'I',
      responsible_org: 'IIPEHRFAC',
      dose_num: '1',
      vax_series_complete: 'N',
    });
  });

  describe('refusals and missed appointments (RXA-20)', () => {
    const withRxa20 = (code: string) => replacing('RXA', `${RXA}|||${code}`);

    it('maps RE to vax_refusal YES, any case', () => {
      expect(vxuToCvrs(withRxa20('RE')).vax_refusal).toBe('YES');
      expect(vxuToCvrs(withRxa20('re')).vax_refusal).toBe('YES');
    });

    it('maps every other completion status, empty included, to NO', () => {
      for (const code of ['CP', 'PA', 'NA', 'MA', ''])
        expect(vxuToCvrs(withRxa20(code)).vax_refusal).toBe('NO');
    });

    it('reads the missed-appointment example as a refusal: its RXA-20 is RE, and v2 has no missed-appointment field', () => {
      const [message] = splitHl7Messages(fixture('Adult z22 missed appointment.hl7'));
      const record = vxuToCvrs(message!.message);
      expect(record.vax_refusal).toBe('YES');
      expect(record).not.toHaveProperty('recip_missed_appt');
    });

    it('gives v1 its two extra fields: recip_missed_appt from RXA-20 MA, vax_prov_suffix from RXA-10.21', () => {
      const rxa = `${RXA.replace('||||||^^^Cap', '|||||^^^^^^^^^^^^^^^^^^^^RN|^^^Cap')}|||MA`;
      const record = vxuToCvrs(replacing('RXA', rxa), '1');
      expect(Object.keys(record)).toEqual([...cvrsFields('1')]);
      expect(Object.keys(record)).toHaveLength(47);
      expect(record).toMatchObject({ recip_missed_appt: 'YES', vax_refusal: 'NO', vax_prov_suffix: 'RN' });
    });
  });

  describe('observations (OBX)', () => {
    const serologyOf = (obx5: string, system = 'LN') =>
      vxuToCvrs(
        vxu(MSH, PID, ORC, RXA, `OBX||CE|75505-8^Serological Evidence of Immunity^${system}||${obx5}`),
      ).serology;

    it("maps serology through CDC's YES/NO/UNK^Unknown^NullFlavor map, ignoring case", () => {
      expect(serologyOf('UNK^Unknown^NullFlavor')).toBe('UNK');
      expect(serologyOf('yes')).toBe('YES');
      expect(serologyOf('No^No^HL70136')).toBe('NO');
      expect(serologyOf('Positive')).toBe('');
    });

    it('needs the code and the coding system of OBX-3 to match', () => {
      expect(serologyOf('YES', 'SCT')).toBe('');
      const phinvs = replacing('OBX||CE|VXC8', 'OBX||CE|VXC8^Member of Special Risk Group^PHINVS||Y');
      expect(vxuToCvrs(phinvs).cmorbid_status).toBe('');
    });

    it('takes the first matching OBX, from any ORDER group', () => {
      const message = vxu(
        MSH,
        PID,
        ORC,
        RXA,
        'ORC|||ev-2',
        'RXA|||20210101||207^^CVX',
        'OBX||CE|30973-2^Dose number in series^LN||2^^DCHDOSE',
        'OBX||CE|30973-2^Dose number in series^LN||3^^DCHDOSE',
      );
      expect(vxuToCvrs(message).dose_num).toBe('2');
    });

    it('reads an NM dose number and keeps vax_series_complete as sent', () => {
      const message = vxu(
        MSH,
        PID,
        ORC,
        RXA,
        'OBX|1|NM|30973-2^Dose number in series^LN|1|1|NA^^HL70353',
        'OBX|2|CE|59783-1^Status in immunization series^LN|1|N^No^CDCPHINVS',
      );
      expect(vxuToCvrs(message)).toMatchObject({ dose_num: '1', vax_series_complete: 'N' });
    });
  });

  describe('repetitions and groups', () => {
    it('fills race 1..6 from the first six repetitions of PID-10, keeping empty ones in place', () => {
      const races = '2106-3^^CDCREC~~2054-5^^CDCREC~2028-9~2076-8~1002-5~2131-1';
      const record = vxuToCvrs(replacing('PID', PID.replace('2106-3^^CDCREC', races)));
      expect([1, 2, 3, 4, 5, 6].map((n) => record[`recip_race_${n}`])).toEqual([
        '2106-3',
        '',
        '2054-5',
        '2028-9',
        '2076-8',
        '1002-5',
      ]);
    });

    it('reads ORC, RXA and RXR from the first ORDER group only', () => {
      const message = vxu(MSH, PID, 'ORC|||first', 'RXA|||20200101||207^^CVX', ORC, RXA, RXR);
      expect(vxuToCvrs(message)).toMatchObject({
        vax_event_id: 'first',
        cvx: '207',
        admin_date: '2020-01-01',
        vax_route: '',
      });
    });

    it('does not find an RXA that has no ORC before it (HAPI files it as a nonstandard segment)', () => {
      const record = vxuToCvrs(vxu(MSH, PID, RXA, RXR, ...OBX));
      expect(record).toMatchObject({
        vax_event_id: '',
        cvx: '',
        admin_date: '',
        vax_route: '',
        dose_num: '',
      });
    });

    it('does not find an RXA that comes after its RXR', () => {
      expect(vxuToCvrs(vxu(MSH, PID, ORC, RXR, RXA)).cvx).toBe('');
    });
  });

  describe('values', () => {
    it('cuts timestamps to the date CDC keeps, of whatever precision HAPI let through', () => {
      const dob = (ts: string) => vxuToCvrs(replacing('PID', PID.replace('20150826', ts))).recip_dob;
      expect(dob('20150826123000-0500')).toBe('2015-08-26');
      expect(dob('201508')).toBe('2015-08');
      expect(dob('2015')).toBe('2015');
      expect(dob('2015082612')).toBe('2015-08-26');
      expect(dob('2015+0500')).toBe('2015-+0-50');
    });

    it('takes MSH-22 for responsible_org, MSH-4 when MSH-22 is empty', () => {
      expect(vxuToCvrs(vxu(MSH.replace('|||||2020', '|||ORG-4^x||2020'))).responsible_org).toBe('COVID-A');
      const noMsh22 = 'MSH|^~\\&||Sending Facility|||20201103190809||VXU^V04^VXU_V04|1|P|2.5.1';
      expect(vxuToCvrs(vxu(noMsh22)).responsible_org).toBe('Sending Facility');
    });

    it('strips leading white space from ST values, as HAPI does, but not from IS ones', () => {
      const rxa = RXA.replace('|EL3246|', '|  EL3246 |').replace('^Cap&', '^ Cap&');
      const record = vxuToCvrs(replacing('RXA', rxa));
      expect(record.lot_number).toBe('EL3246 ');
      expect(record.admin_name).toBe(' Cap');
    });

    it('unescapes the way HAPI does: delimiters, kept formatting and hex sequences, dropped unknown ones', () => {
      const lot = (raw: string) => vxuToCvrs(replacing('RXA', RXA.replace('EL3246', raw))).lot_number;
      expect(lot('A\\F\\B\\S\\C\\T\\D\\R\\E\\E\\')).toBe('A|B^C&D~E\\');
      expect(lot('A\\X41\\B')).toBe('A\\X41\\B');
      expect(lot('A\\.br\\B')).toBe('A\\.br\\B');
      expect(lot('A\\H\\B')).toBe('A\\H\\B');
      expect(lot('A\\Q\\B')).toBe('AQB');
    });

    it("round-trips any value escaped by the project's HL7 writer", () => {
      const alphabet = fc.constantFrom(...'ab Z09|^~\\&#.-'.split(''));
      const value = fc
        .array(alphabet, { minLength: 1, maxLength: 24 })
        .map((cs) => cs.join(''))
        .filter((v) => !v.startsWith(' '));
      fc.assert(
        fc.property(value, value, (lot, street) => {
          const rxa = RXA.replace('EL3246', escapeHl7(lot)).replace(
            '98 Monroe Center St NW',
            escapeHl7(street),
          );
          const record = vxuToCvrs(replacing('RXA', rxa));
          expect(record.lot_number).toBe(lot);
          expect(record.admin_address_street).toBe(street);
        }),
      );
    });
  });

  describe('messages CDC cannot read (its whole run stops)', () => {
    const rejects = (message: string, reason: RegExp) =>
      expect(() => vxuToCvrs(message)).toThrow(
        expect.objectContaining({ name: CdcHl7Rejection.name, message: expect.stringMatching(reason) }),
      );

    it('rejects versions other than 2.5.1 and messages that are not VXU_V04', () => {
      rejects(vxu(MSH.replace('|2.5.1|', '|2.5|')), /MSH-12/);
      rejects(vxu(MSH.replace('VXU^V04^VXU_V04', 'ADT^A08^ADT_A01')), /MSH-9/);
      expect(vxuToCvrs(vxu(MSH.replace('VXU^V04^VXU_V04', 'VXU^V04'))).responsible_org).toBe('COVID-A');
    });

    it('rejects a date HAPI cannot parse, even in a field CDC does not map', () => {
      rejects(replacing('RXA', RXA.replace('20201004', '2020-10-04')), /RXA-3/);
      rejects(vxu(MSH.replace('20201103190809.124-0500', '11/03/2020')), /MSH-7/);
    });

    it('rejects an OBX-5 whose type OBX-2 leaves out or gets wrong', () => {
      rejects(vxu(MSH, PID, ORC, RXA, 'OBX|||30973-2^Dose number in series^LN||1'), /OBX-2 is not/);
      rejects(vxu(MSH, PID, ORC, RXA, 'OBX||XX|30973-2^Dose number in series^LN||1'), /OBX-2 \(XX\)/);
      rejects(vxu(MSH, PID, ORC, RXA, 'OBX||NM|30973-2^Dose number in series^LN||one'), /OBX-5/);
    });
  });

  describe("defaults (CDC's -d)", () => {
    it("maps each message of testdefault.hl7 to testdefault.txt's record, as CDC's -d conversion test does", () => {
      const messages = splitHl7Messages(fixture('testdefault.hl7'));
      const rows = cvrsRows(fixture('testdefault.txt'));
      expect(messages).toHaveLength(51);
      expect(rows).toHaveLength(51);
      messages.forEach((m, i) => {
        expect(vxuToCvrs(m.message, '2', { defaults: true })).toEqual(rows[i]);
      });
      // Without -d the same messages keep MSH-8's empty extract type and their gaps.
      expect(vxuToCvrs(messages[4]!.message)).toMatchObject({ ext_type: '', dose_num: '' });
    });

    it('fills required UNK-able fields and derives ext_type from redaction', () => {
      const bare = vxu(MSH.replace('|D|VXU', '||VXU'), PID.replace('2106-3^^CDCREC', ''), ORC, RXA);
      const plain = vxuToCvrs(bare);
      expect(plain).toMatchObject({ ext_type: '', recip_race_1: '', dose_num: '', serology: '' });
      expect(vxuToCvrs(bare, '2', { defaults: true })).toMatchObject({
        ext_type: 'D',
        recip_race_1: 'UNK',
        dose_num: 'UNK',
        vax_series_complete: 'UNK',
        cmorbid_status: 'UNK',
        serology: 'UNK',
        recip_sex: 'F',
      });
    });

    it('clears what a refusal must not send', () => {
      const refusal = replacing('RXA', `${RXA}|||RE`);
      expect(vxuToCvrs(refusal, '2', { defaults: true })).toMatchObject({
        vax_refusal: 'YES',
        cvx: '208',
        ndc: '',
        mvx: '',
        lot_number: '',
        vax_expiration: '',
        vax_admin_site: '',
        vax_route: '',
        dose_num: '',
        vax_series_complete: '',
      });
    });

    it('gives identified records a space for an empty middle name or street line, and dashes long zips', () => {
      const pid = PID.replace('Redacted^Redacted^Redacted||', 'Doe^Jane||').replace(
        'Redacted^Redacted^Redacted^MI^48877',
        '1 Main St^^Lansing^MI^488771234',
      );
      const record = vxuToCvrs(replacing('PID', pid), '2', { defaults: true });
      expect(record).toMatchObject({
        ext_type: 'I',
        recip_middle_name: ' ',
        recip_address_street_2: ' ',
        recip_address_zip: '48877-1234',
      });
    });
  });
});

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
