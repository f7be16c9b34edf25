import { describe, expect, it } from 'vitest';
import { ackCodeFor } from '#codecs/hl7/ack.ts';
import { buildVxu, cairFacilities, parseVxu } from '#codecs/hl7/vxu.ts';
import type { Dose } from '#doses/fields.ts';
import { demoSite, modernaDose } from '../../fixtures/doses.ts';

const msg = (...segments: string[]) => `${segments.join('\r')}\r`;

/**
 * Written as the CDC guide's examples are (NIST test-message style: PD1, NK1, ordering and entering providers,
 * VIS observations, which the reader must pass over), for a Moderna dose given in San Francisco, plus a second
 * order group with a historical Pfizer dose from another provider (no lot, RXA-9 01).
 */
const MODERNA = msg(
  'MSH|^~\\&|MYEHR2.5|DE-000001|CAIR IIS|CAIRBA|20210310093015-0800||VXU^V04^VXU_V04|NIST-IZ-AD-1.1|P|2.5.1|||ER|AL|||||Z22^CDCPHINVS|DE-000001',
  'PID|1||PA123456^^^DE-000001^MR~993322^^^SSA^SS||Nuñez^Ana^Luisa^^^^L~Reyes^Ana^^^^^M|Reyes^Carmen^^^^^M|19620214|F||2106-3^White^CDCREC~2028-9^Asian^CDCREC|2451 Mission St^Apt 4^San Francisco^CA^94110^USA^P^^06075||^PRN^PH^^^415^5550143|||||||||2135-2^Hispanic or Latino^CDCREC||N|1|||||N',
  'PD1|||||||||||02^Reminder/Recall - any method^HL70215|N|20210310|||A|20210310|20210310',
  'NK1|1|Nuñez^Pedro^^^^^L|SPO^Spouse^HL70063|2451 Mission St^Apt 4^San Francisco^CA^94110^USA^P|^PRN^PH^^^415^5550143',
  'ORC|RE|4422^MYEHR2.5|EVT-20210310-0001^DE-000001|||||||7824^Jackson^Lily^Suzanne^^^^^NIST-PI-1^L^^^PRN||654^Thomas^Wilma^Elizabeth^^^^^NIST-PI-1^L^^^MD',
  'RXA|0|1|20210310093000-0800||207^COVID-19, mRNA, LNP-S, PF, 100 mcg/0.5 mL dose^CVX^80777-0273-10^Moderna COVID-19 Vaccine^NDC|0.5|mL^milliliters^UCUM||00^New immunization record^NIP001|7824^Jackson^Lily^Suzanne^^^^^NIST-PI-1^L^^^PRN|^^^DE-000001&123456&L^^3^^^1001 Potrero Ave^^San Francisco^CA^94110^^^06075||||039k20a|20210630|MOD^Moderna US, Inc.^MVX|||CP|A',
  'RXR|C28161^Intramuscular^NCIT|LD^Left Deltoid^HL70163',
  'OBX|1|CE|64994-7^Vaccine funding program eligibility category^LN|1|V01^Not VFC eligible^HL70064||||||F|||20210310|||VXC40^Eligibility captured at the immunization level^CDCPHINVS',
  'OBX|2|CE|30963-3^Vaccine funding source^LN|2|VXC50^Public^CDCPHINVS||||||F|||20210310',
  'OBX|3|CE|69764-9^Document Type^LN|3|253088698300028811210111^COVID-19 Vaccine EUA^cdcgs1vis||||||F|||20210310',
  'OBX|4|DT|29769-7^Date Vis Presented^LN|3|20210310||||||F|||20210310',
  'OBX|5|NM|30973-2^Dose number in series^LN|4|1||||||F|||20210310',
  'ORC|RE||EVT-20210310-0002^DE-000001',
  'RXA|0|1|20210115||208^COVID-19, mRNA, LNP-S, PF, 30 mcg/0.3 mL dose^CVX|999|||02^Historical information - from other provider^NIP001||||||||PFR^Pfizer, Inc^MVX|||CP|A',
);

/** The guide's refusal pattern (RXA-6 999, RXA-18 NIP002, RXA-20 RE), for a COVID-19 vaccine refused by an adult. */
const REFUSAL = msg(
  'MSH|^~\\&|MYEHR2.5|DE-000001||CAIRBA|20210415101500-0700||VXU^V04^VXU_V04|NIST-IZ-REF-1|P|2.5.1|||ER|AL|||||Z22^CDCPHINVS|DE-000001',
  'PID|1||PA998877^^^DE-000001^MR||Okafor^James^^^^^L||19791103|M||2054-5^Black or African-American^CDCREC|88 Elm Ave^^Sacramento^CA^95814^USA^P^^06067|||||||||||2186-5^Not Hispanic or Latino^CDCREC',
  'ORC|RE||EVT-REF-0001^DE-000001',
  'RXA|0|1|20210415||208^COVID-19, mRNA, LNP-S, PF, 30 mcg/0.3 mL dose^CVX|999||||||||||||03^Patient decision^NIP002||RE|A',
);

/** NIST IZ test case 5.1 as the guide's test plan writes it: a toddler's MMR refused by a parent, LF-separated. */
const NIST_REFUSAL = [
  'MSH|^~\\&|Test EHR Application|X68||NIST Test Iz Reg|201207010822||VXU^V04^VXU_V04|NIST-IZ-013.00|P|2.5.1|||AL|ER',
  'PID|1||MR-67323^^^NIST MPI^MR||Fleming^Chad^^^^^L||20100830|M',
  'ORC|RE||9999^CDC',
  'RXA|0|1|20120815||03^MMR^CVX|999||||||||||||00^Parental Refusal^NIP002||RE',
].join('\n');

describe('parseVxu on guide-style messages', () => {
  it('reads a Moderna dose and a historical dose sharing one patient', () => {
    const out = parseVxu(MODERNA);
    expect(out.errors).toEqual([]);
    expect(out).toMatchObject({
      messageControlId: 'NIST-IZ-AD-1.1',
      sendingFacility: 'DE-000001',
      receivingFacility: 'CAIRBA',
      responsibleOrg: 'DE-000001',
      processingId: 'P',
    });
    expect(out.sentAt?.toISOString()).toBe('2021-03-10T17:30:15.000Z');
    const patient = {
      recip_id: 'PA123456',
      recip_last_name: 'Nuñez',
      recip_first_name: 'Ana',
      recip_middle_name: 'Luisa',
      recip_dob: '1962-02-14',
      recip_sex: 'F',
      recip_race_1: '2106-3',
      recip_race_2: '2028-9',
      recip_address_street: '2451 Mission St',
      recip_address_street_2: 'Apt 4',
      recip_address_city: 'San Francisco',
      recip_address_state: 'CA',
      recip_address_zip: '94110',
      recip_address_county: '06075',
      recip_ethnicity: '2135-2',
    };
    expect(out.doses).toEqual([
      {
        rxaIndex: 1,
        errors: [],
        action: 'A',
        informationSource: '00',
        administeredAmount: '0.5',
        vfcEligibility: 'V01',
        fundingSource: 'VXC50',
        dose: {
          ...patient,
          vax_event_id: 'EVT-20210310-0001',
          iis_id: 'DE-000001',
          vtrcks_prov_pin: '123456',
          admin_type: '3',
          admin_address_street: '1001 Potrero Ave',
          admin_address_city: 'San Francisco',
          admin_address_state: 'CA',
          admin_address_zip: '94110',
          admin_address_county: '06075',
          admin_date: '2021-03-10',
          cvx: '207',
          ndc: '80777-0273-10',
          mvx: 'MOD',
          lot_number: '039K20A',
          vax_expiration: '2021-06-30',
          vax_route: 'C28161',
          vax_admin_site: 'LD',
          vax_refusal: 'NO',
          dose_num: '1',
        },
      },
      {
        rxaIndex: 2,
        errors: [],
        action: 'A',
        informationSource: '02',
        dose: {
          ...patient,
          vax_event_id: 'EVT-20210310-0002',
          // No RXA-11 on the historical dose: the responsible organization (MSH-22) is the site.
          iis_id: 'DE-000001',
          admin_date: '2021-01-15',
          cvx: '208',
          mvx: 'PFR',
          vax_refusal: 'NO',
        },
      },
    ]);
  });

  it('reads a COVID-19 refusal', () => {
    const out = parseVxu(REFUSAL);
    expect(out.errors).toEqual([]);
    expect(out.doses).toEqual([
      {
        rxaIndex: 1,
        errors: [],
        action: 'A',
        refusalReason: '03',
        dose: {
          recip_id: 'PA998877',
          recip_last_name: 'Okafor',
          recip_first_name: 'James',
          recip_dob: '1979-11-03',
          recip_sex: 'M',
          recip_race_1: '2054-5',
          recip_address_street: '88 Elm Ave',
          recip_address_city: 'Sacramento',
          recip_address_state: 'CA',
          recip_address_zip: '95814',
          recip_address_county: '06067',
          recip_ethnicity: '2186-5',
          vax_event_id: 'EVT-REF-0001',
          iis_id: 'DE-000001',
          admin_date: '2021-04-15',
          cvx: '208',
          vax_refusal: 'YES',
        },
      },
    ]);
  });

  it('reads the NIST refusal test message, missing MSH-21 and MSH-22 included', () => {
    const out = parseVxu(NIST_REFUSAL);
    expect(out.errors).toEqual([
      { location: 'MSH^1^21', code: '101', severity: 'W', text: expect.stringContaining('Z22^CDCPHINVS') },
    ]);
    expect(ackCodeFor(out.errors)).toBe('AE');
    expect(out.doses[0]).toMatchObject({
      refusalReason: '00',
      dose: {
        recip_id: 'MR-67323',
        vax_event_id: '9999',
        cvx: '03',
        admin_date: '2012-08-15',
        vax_refusal: 'YES',
      },
    });
    expect(out.doses[0]!.dose).not.toHaveProperty('iis_id');
  });
});

describe('buildVxu', () => {
  const dose = { ...modernaDose(), ...demoSite } as Dose;
  const base = {
    messageControlId: 'CAPIPE-1',
    sentAt: new Date('2021-03-10T20:00:00Z'),
    sendingApplication: 'CAPIPE',
    receivingApplication: 'CAIR IIS',
    receivingFacility: 'CAIRBA',
    processingId: 'P' as const,
    action: 'A' as const,
    dose,
  };
  const segmentsOf = (text: string) => text.split('\r').filter(Boolean);

  it('writes the Z22 header and the segments of an administered dose in order', () => {
    const text = buildVxu({
      ...base,
      ...cairFacilities('CAIRDEMO01'),
      vfcEligibility: 'V01',
      fundingSource: 'VXC50',
    });
    expect(text.endsWith('\r')).toBe(true);
    expect(text).not.toContain('\n');
    const segs = segmentsOf(text);
    expect(segs.map((s) => s.slice(0, 3))).toEqual([
      'MSH',
      'PID',
      'ORC',
      'RXA',
      'RXR',
      'OBX',
      'OBX',
      'OBX',
      'OBX',
      'OBX',
      'OBX',
    ]);
    expect(segs[0]).toBe(
      'MSH|^~\\&|CAPIPE|CAIRDEMO01|CAIR IIS|CAIRBA|20210310120000-0800||VXU^V04^VXU_V04|CAPIPE-1|P|2.5.1|||ER|AL|||||Z22^CDCPHINVS|CAIRDEMO01',
    );
    expect(segs[1]).toBe(
      'PID|1||PAT-1001^^^CAIRDEMO01^MR||Gonzalez^Maria^Elena^^^^L||19580722|F||2106-3^White^CDCREC|1200 Broadway^^Oakland^CA^94612^USA^P^^06001|||||||||||2135-2^Hispanic or Latino^CDCREC',
    );
    expect(segs[2]).toBe('ORC|RE||EVT-0001^CAIRDEMO01');
    expect(segs[3]).toBe(
      'RXA|0|1|20210310||207^COVID-19, mRNA, LNP-S, PF, 100 mcg/0.5 mL dose^CVX^80777-0273-10^COVID-19, mRNA, LNP-S, PF, 100 mcg/0.5 mL dose^NDC|999|||00^New immunization record^NIP001||^^^CAIRDEMO01^^^^^150 Frank H Ogawa Plaza^^Oakland^CA^94612^^^06001||||039K20A|20210630|MOD^Moderna US, Inc.^MVX|||CP|A',
    );
    expect(segs[4]).toBe('RXR|C28161^Intramuscular^NCIT|LD^Left Deltoid^HL70163');
    expect(segs.slice(5)).toEqual([
      'OBX|1|CE|64994-7^Vaccine funding program eligibility category^LN|1|V01^Not VFC eligible^HL70064||||||F|||20210310|||VXC40^Eligibility captured at the immunization level^CDCPHINVS',
      'OBX|2|CE|30963-3^Vaccine funding source^LN|2|VXC50^Public^CDCPHINVS||||||F|||20210310',
      'OBX|3|NM|30973-2^Dose number in series^LN|3|1|NA^Not applicable^HL70353|||||F|||20210310',
      'OBX|4|CE|59783-1^Status in immunization series^LN|4|N^No^HL70136||||||F|||20210310',
      'OBX|5|CE|VXC8^Member of Special Risk Group^CDCPHINVS|5|UNK^Unknown^NULLFL||||||F|||20210310',
      'OBX|6|CE|75505-8^Serological Evidence of Immunity^LN|6|UNK^Unknown^NULLFL||||||F|||20210310',
    ]);
  });

  it('puts the sending facility in MSH-4 and the site in MSH-22 and RXA-11.4 when an HIE sends', () => {
    const segs = segmentsOf(buildVxu({ ...base, ...cairFacilities('CAIRDEMO01', 'HIE-0042') }));
    expect(segs[0]).toMatch(/^MSH\|\^~\\&\|CAPIPE\|HIE-0042\|/);
    expect(segs[0]!.endsWith('|Z22^CDCPHINVS|CAIRDEMO01')).toBe(true);
    expect(segs[3]).toContain('|^^^CAIRDEMO01^');
  });

  it('writes a refusal with RE, a reason, amount 999 and no product, lot, RXR or dose observations', () => {
    const refusal = { ...dose, vax_refusal: 'YES' };
    const segs = segmentsOf(
      buildVxu({ ...base, ...cairFacilities('CAIRDEMO01'), dose: refusal, vfcEligibility: 'V01' }),
    );
    expect(segs.map((s) => s.slice(0, 3))).toEqual(['MSH', 'PID', 'ORC', 'RXA', 'OBX', 'OBX']);
    expect(segs[2]).toBe('ORC|RE|EVT-0001^CAIRDEMO01|9999^CAIRDEMO01');
    expect(segs[3]).toBe(
      'RXA|0|1|20210310||207^COVID-19, mRNA, LNP-S, PF, 100 mcg/0.5 mL dose^CVX|999|||||^^^CAIRDEMO01^^^^^150 Frank H Ogawa Plaza^^Oakland^CA^94612^^^06001|||||||03^Patient decision^NIP002||RE|A',
    );
    expect(segs.slice(4).map((s) => s.split('|')[3])).toEqual([
      'VXC8^Member of Special Risk Group^CDCPHINVS',
      '75505-8^Serological Evidence of Immunity^LN',
    ]);
  });

  it('writes RXA-21 U and D, the test processing ID, and a known amount with its unit', () => {
    const text = buildVxu({
      ...base,
      ...cairFacilities('X'),
      action: 'D',
      processingId: 'T',
      administeredAmount: '0.5',
    });
    const rxa = segmentsOf(text)[3]!.split('|');
    expect(rxa[6]).toBe('0.5');
    expect(rxa[7]).toBe('mL^milliliters^UCUM');
    expect(rxa[21]).toBe('D');
    expect(segmentsOf(text)[0]!.split('|')[10]).toBe('T');
  });

  it('writes an HL7 0162 route with its table and an NDC alone as the first triplet', () => {
    const text = buildVxu({
      ...base,
      ...cairFacilities('X'),
      dose: { ...dose, vax_route: 'IM', cvx: undefined },
    });
    expect(text).toContain('\rRXR|IM^Intramuscular^HL70162|');
    expect(text).toContain('|80777-0273-10^COVID-19, mRNA, LNP-S, PF, 100 mcg/0.5 mL dose^NDC|');
  });

  it('sends no dose-number OBX for INV or UNK: no HL7 0396 system codes them', () => {
    for (const dose_num of ['INV', 'UNK']) {
      const text = buildVxu({ ...base, ...cairFacilities('X'), dose: { ...dose, dose_num } });
      expect(text).not.toContain('30973-2');
      expect(text).not.toContain('DCHDOSE');
    }
  });
});
