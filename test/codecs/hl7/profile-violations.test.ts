import { describe, expect, it } from 'vitest';
import { checkProfile } from '#codecs/hl7/profile/check.ts';
import { brief, errors, MSH, msg, OBX, OBX_DT, ORC, PID, RXA, RXR, vary } from './profile-fixtures.ts';

describe('crafted Z22 violations', () => {
  it('a required field missing: MSH-9', () => {
    const v = checkProfile(vary({ 0: MSH.replace('VXU^V04^VXU_V04', '') }), 'VXU_Z22');
    expect(v).toEqual([
      { severity: 'error', location: 'MSH-9', rule: 'usage-R', message: 'MSH-9 (Message Type) is required' },
    ]);
  });

  it('a required component missing: RXA-5.3 (the coding system of the vaccine code)', () => {
    const v = checkProfile(vary({ 3: RXA.replace('dose^CVX|', 'dose|') }), 'VXU_Z22');
    expect(brief(v)).toEqual(['error RXA-5.3 usage-R']);
  });

  it('RE elements left empty are not violations (no PD1, RXR-2, race, ethnicity)', () => {
    const pid = 'PID|1||7120^^^wcEHR^MR||Barrett^Helen^^^^^L||19500317|F';
    expect(checkProfile(vary({ 1: pid, 4: 'RXR|C28161^Intramuscular^NCIT' }), 'VXU_Z22')).toEqual([]);
    expect(checkProfile(vary({ 4: [] }), 'VXU_Z22')).toEqual([]);
  });

  it('a not-supported (X) field and component present: PID-2, MSH-7.2', () => {
    const v = checkProfile(
      vary({ 0: MSH.replace('-0500|', '-0500^S|'), 1: PID.replace('PID|1||', 'PID|1|4455|') }),
      'VXU_Z22',
    );
    expect(brief(v)).toEqual(['error MSH-7.2 usage-X', 'error PID-2 usage-X']);
  });

  it('over-length: a 21-character lot number in RXA-15 (ST, at most 20)', () => {
    const v = checkProfile(vary({ 3: RXA.replace('EW0150', 'LOT-0123456789-ABCDEF') }), 'VXU_Z22');
    expect(v).toEqual([
      {
        severity: 'error',
        location: 'RXA-15',
        rule: 'length',
        message: 'RXA-15 (Substance Lot Number) is 21 characters; at most 20',
      },
    ]);
  });

  it('bad dates: February 31st of birth, a DT observation written as ISO', () => {
    const v = checkProfile(
      vary({ 1: PID.replace('19500317', '19500231'), 6: OBX_DT.replace('|20150624|', '|2015-06-24|') }),
      'VXU_Z22',
    );
    expect(v).toEqual([
      expect.objectContaining({
        location: 'PID-7.1',
        rule: 'datatype',
        message: expect.stringContaining('no day 31'),
      }),
      expect.objectContaining({
        location: 'OBX[2]-5',
        rule: 'datatype',
        message: expect.stringContaining('not a date'),
      }),
    ]);
  });

  it('not a number: RXA-6 "half", OBX-1 "A"', () => {
    const v = checkProfile(
      vary({ 3: RXA.replace('|0.3|', '|half|'), 5: OBX.replace('OBX|1|', 'OBX|A|') }),
      'VXU_Z22',
    );
    expect(brief(v)).toEqual(['error RXA-6 datatype', 'error OBX[1]-1 datatype']);
  });

  it('cardinality: two RXR in one order, PID-7 repeated', () => {
    expect(checkProfile(vary({ 4: [RXR, RXR] }), 'VXU_Z22')).toEqual([
      {
        severity: 'error',
        location: 'RXR[2]',
        rule: 'cardinality',
        message: 'More than 1 RXR in one ORDER[1]',
      },
    ]);
    const v = checkProfile(vary({ 1: PID.replace('|19500317|', '|19500317~19500318|') }), 'VXU_Z22');
    expect(brief(v)).toEqual(['error PID-7 cardinality']);
  });

  it('segments out of order: RXA before ORC', () => {
    const v = checkProfile(msg(MSH, PID, RXA, ORC, RXR, OBX), 'VXU_Z22');
    expect(brief(v)).toEqual(['error RXA segment-order', 'error ORDER[1].RXA usage-R']);
    expect(v[0]!.message).toBe('RXA is out of order: VXU_V04 has no place for it after PID');
  });

  it('an observation before its order and a second PID are out of order; a Z-segment is not in the profile', () => {
    const v = checkProfile(msg(MSH, PID, OBX, ORC, RXA, OBX, 'ZXY|1|local', PID), 'VXU_Z22');
    expect(brief(v)).toEqual([
      'error OBX[1] segment-order',
      'error ZXY segment-order',
      'error PID[2] segment-order',
    ]);
  });

  it('two orders, each checked as a group: the second without RXA', () => {
    const v = checkProfile(msg(MSH, PID, ORC, RXA, OBX, ORC), 'VXU_Z22');
    expect(brief(v)).toEqual(['error ORDER[2].RXA usage-R']);
  });

  it('a required segment missing: PID', () => {
    expect(brief(checkProfile(msg(MSH, ORC, RXA, OBX), 'VXU_Z22'))).toEqual(['error PID usage-R']);
  });

  it('unknown codes in bound tables it checks: CVX, MVX, sex, race, route system; body site (CWE) only warns', () => {
    const v = checkProfile(
      vary({
        1: PID.replace('|F|', '|X|').replace('2106-3^White', '9999-9^Unknown race'),
        3: RXA.replace(
          '208^COVID-19, mRNA, LNP-S, PF, 30 mcg/0.3 mL dose^CVX',
          '900^COVID-19 Vaccine A^CVX',
        ).replace('PFR^', 'AAA^'),
        4: 'RXR|IM^Intramuscular^HL70162|ZZ^Nowhere^HL70163',
      }),
      'VXU_Z22',
    );
    expect(brief(v)).toEqual([
      'error PID-8 value-set',
      'error PID-10 value-set',
      'error RXA-5 value-set',
      'error RXA-17 value-set',
      'error RXR-1 value-set',
      'warning RXR-2 value-set',
    ]);
    expect(v.find((x) => x.location === 'RXR-1')!.message).toBe(
      'RXR-1 (Route) is coded in HL70162; the profile binds NCIT',
    );
  });

  it('an NDC in RXA-5 is not judged: the project holds no complete NDC value set', () => {
    const rxa = RXA.replace(
      '208^COVID-19, mRNA, LNP-S, PF, 30 mcg/0.3 mL dose^CVX',
      '00000-0000-00^Made up^NDC',
    );
    expect(errors(checkProfile(vary({ 3: rxa }), 'VXU_Z22'))).toEqual([]);
  });
});
