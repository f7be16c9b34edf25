import { describe, expect, it } from 'vitest';
import { cvrsFields, splitHl7Messages, vxuToCvrs } from '#cdc/validator/hl7.ts';
import { BASE, cvrsRows, fixture, MSH, OBX, ORC, PID, RXA, RXR, replacing, vxu } from './hl7-messages.ts';

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
});
