import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CdcHl7Rejection, splitHl7Messages, vxuToCvrs } from '#cdc/validator/hl7.ts';
import { escapeHl7 } from '#codecs/hl7/escape.ts';
import { cvrsRows, fixture, MSH, ORC, PID, RXA, replacing, vxu } from './hl7-messages.ts';

describe('vxuToCvrs: the record CDC derives from a VXU', () => {
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
