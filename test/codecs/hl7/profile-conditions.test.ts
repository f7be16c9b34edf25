import { describe, expect, it } from 'vitest';
import { checkProfile } from '#codecs/hl7/profile/check.ts';
import { CONDITIONS, conditionRules, parseConditions } from '#codecs/hl7/profile/conditions.ts';
import { brief, errors, MSH, msg, OBX, OBX_DT, ORC, PID, RXA, vary } from './profile-fixtures.ts';

describe('conditional rules (shared/codecs/hl7/profile/data/conditions.json)', () => {
  const REFUSAL_ORC = 'ORC|RE||9999^wcEHR';
  const REFUSAL_RXA =
    'RXA|0|1|20150624||208^COVID-19, mRNA, LNP-S, PF, 30 mcg/0.3 mL dose^CVX|999||||||||||||03^Patient decision^NIP002||RE|A';
  const refusal = (orc = REFUSAL_ORC, rxa = REFUSAL_RXA) => msg(MSH, PID, orc, rxa);

  it('IZ-23: an administered dose without an OBX 64994-7 in its order', () => {
    const v = checkProfile(vary({ 5: [] }), 'VXU_Z22');
    expect(brief(v)).toEqual(['error ORDER[1].OBX IZ-23']);
    expect(v[0]!.message).toMatch(/^no OBX with OBX-3.1 64994-7: /);
    // In the second order only: the first's eligibility does not count for it.
    const two = msg(MSH, PID, ORC, RXA, OBX, ORC, RXA);
    expect(brief(checkProfile(two, 'VXU_Z22'))).toEqual(['error ORDER[2].OBX IZ-23']);
  });

  it('IZ-23 does not apply to a historical dose, a refusal, or a dose not administered', () => {
    const historical = RXA.replace('00^New Record^NIP001', '01^Historical^NIP001');
    expect(checkProfile(vary({ 3: historical, 5: [] }), 'VXU_Z22')).toEqual([]);
    expect(checkProfile(refusal(), 'VXU_Z22')).toEqual([]);
    const notGiven = REFUSAL_RXA.replace('03^Patient decision^NIP002||RE', '||NA');
    expect(checkProfile(msg(MSH, PID, REFUSAL_ORC, notGiven), 'VXU_Z22')).toEqual([]);
  });

  it('a refusal with its own ID in ORC-3 instead of 9999', () => {
    const v = checkProfile(refusal('ORC|RE||EVT-0001^wcEHR'), 'VXU_Z22');
    expect(v).toEqual([
      expect.objectContaining({
        location: 'ORC-3.1',
        rule: 'ORC:refusal-filler-order-9999',
        message: expect.stringMatching(/^ORC-3.1 is "EVT-0001", not 9999: /),
      }),
    ]);
  });

  it('a refusal without its reason (RXA-18)', () => {
    const v = checkProfile(
      refusal(REFUSAL_ORC, REFUSAL_RXA.replace('03^Patient decision^NIP002', '')),
      'VXU_Z22',
    );
    expect(brief(v)).toEqual(['error RXA-18 RXA:refusal-reason']);
  });

  it('a new dose without lot and manufacturer; a historical one may leave them out; RXA-16 is RE', () => {
    const bare = RXA.replace('EW0150|20210630|PFR^Pfizer, Inc^MVX', '||');
    expect(brief(checkProfile(vary({ 3: bare }), 'VXU_Z22'))).toEqual([
      'error RXA-15 RXA:lot-and-manufacturer-for-new-dose',
      'error RXA-17 RXA:lot-and-manufacturer-for-new-dose',
    ]);
    const historical = bare.replace('00^New Record^NIP001', '01^Historical^NIP001');
    expect(checkProfile(vary({ 3: historical }), 'VXU_Z22')).toEqual([]);
    expect(checkProfile(vary({ 3: RXA.replace('|20210630|', '||') }), 'VXU_Z22')).toEqual([]);
  });

  it('IZ-31 and IZ-47: RXA-9.1 valued exactly when RXA-20 is CP or PA', () => {
    const noNote = RXA.replace('00^New Record^NIP001', '');
    expect(brief(checkProfile(vary({ 3: noNote }), 'VXU_Z22'))).toEqual(['error RXA-9.1 IZ-31']);
    const refusedWithNote = REFUSAL_RXA.replace('|999|||', '|999|||00^New Record^NIP001');
    expect(brief(checkProfile(refusal(REFUSAL_ORC, refusedWithNote), 'VXU_Z22'))).toEqual([
      'error RXA-9.1 IZ-47',
    ]);
  });

  it('an amount other than 999 without units (RXA-7)', () => {
    const v = checkProfile(vary({ 3: RXA.replace('mL^mL^UCUM', '') }), 'VXU_Z22');
    expect(brief(v)).toEqual(['error RXA-7 RXA:units-for-amount']);
  });

  it('OBX-2 NM without units in OBX-6; with NA^^HL70353 it conforms', () => {
    const dose = 'OBX|3|NM|30973-2^Dose number in series^LN|3|1||||||F';
    expect(brief(checkProfile(vary({ 6: [OBX_DT, dose] }), 'VXU_Z22'))).toEqual([
      'error OBX[3]-6 OBX:units-for-numeric',
    ]);
    const withUnits = dose.replace('|1||', '|1|NA^Not applicable^HL70353|');
    expect(checkProfile(vary({ 6: [OBX_DT, withUnits] }), 'VXU_Z22')).toEqual([]);
  });

  it('a coded dose number in a system outside HL7 0396; in one of it (or a local 99zzz) it conforms', () => {
    const coded = (system: string) =>
      `OBX|3|CE|30973-2^Dose number in series^LN|3|UNK^Unknown^${system}||||||F`;
    const v = checkProfile(vary({ 6: [OBX_DT, coded('DOSES')] }), 'VXU_Z22');
    expect(brief(v)).toEqual(['error OBX[3]-5.3 OBX:dose-number-coding-system']);
    expect(v[0]!.message).toMatch(/^OBX-5.3 is "DOSES", not a coding system of HL70396_IZ: /);
    for (const ok of ['NULLFL', '99DOS', 'HL70353'])
      expect(checkProfile(vary({ 6: [OBX_DT, coded(ok)] }), 'VXU_Z22'), ok).toEqual([]);
  });

  it('HD_IZ: a local universal ID in MSH-4, a lone HD.3 in PID-3.4, an OID typed DNS in RXA-11.4', () => {
    const v = checkProfile(
      vary({
        0: MSH.replace('|wcEHR|issApp|', '|CAIRDEMO01^A1B2C3^L|issApp|'),
        1: PID.replace('7120^^^wcEHR^MR', '7120^^^wcEHR&&ISO^MR'),
        3: RXA.replace(
          '||00^New Record^NIP001||||',
          '||00^New Record^NIP001||^^^wcEHR&2.16.840.1.113883.3.72&DNS||',
        ),
      }),
      'VXU_Z22',
    );
    expect(brief(v)).toEqual([
      'error MSH-4.3 HD_IZ:universal-id-type-iso',
      'error MSH-4.2 HD_IZ:universal-id-oid',
      'error PID-3.4.2 HD_IZ:universal-id-pair',
      'error RXA-11.4.3 HD_IZ:universal-id-type-iso',
    ]);
  });

  it("HD_IZ and EI_IZ with an OID and ISO conform, as in CDC Open Tools' RXA-11.4", () => {
    const rxa = RXA.replace(
      '||00^New Record^NIP001||||',
      '||00^New Record^NIP001||^^^123456&2.16.840.1.113883.6.59&ISO||',
    );
    const orc = 'ORC|RE|7646^wcEHR|53100^wcEHR^2.16.840.1.113883.3.72^ISO';
    // ORC-3 over the field's base-standard 22 characters as a whole is the checker's warning, not a rule's.
    expect(errors(checkProfile(vary({ 2: orc, 3: rxa }), 'VXU_Z22'))).toEqual([]);
    const bad = 'ORC|RE|7646^wcEHR|53100^wcEHR^2.16.840.1.113883.3.72';
    expect(brief(errors(checkProfile(vary({ 2: bad }), 'VXU_Z22')))).toEqual([
      'error ORC-3.4 EI_IZ:universal-id-pair',
    ]);
  });

  it('every rule names its source and says whether its number was confirmed', () => {
    expect(conditionRules('VXU_Z22').length).toBe(CONDITIONS.rules.length);
    for (const r of CONDITIONS.rules) {
      expect(r.source.length, r.id).toBeGreaterThan(20);
      if (r.id.startsWith('IZ-')) expect(r.confirmed, r.id).toBe(true);
    }
  });

  it('malformed rules fail at load, not as a silent pass', () => {
    const rule = {
      id: 'RXA:x',
      profile: 'VXU_Z22',
      statement: 's',
      source: 's',
      confirmed: false,
      scope: { segment: 'RXA' },
      when: [],
      requires: [{ path: 'RXA-15', present: true }],
    };
    const data = (r: object) => ({ codeSystems: {}, rules: [r] });
    expect(parseConditions(data(rule)).rules).toHaveLength(1);
    expect(() => parseConditions(data({ ...rule, id: 'IZ-x' }))).toThrow(/id IZ-x/);
    expect(() => parseConditions(data({ ...rule, profile: 'VXU_Z99' }))).toThrow(/profile/);
    expect(() => parseConditions(data({ ...rule, requires: [{ path: 'RXA.15', present: true }] }))).toThrow(
      /bad requires test/,
    );
    expect(() =>
      parseConditions(data({ ...rule, requires: [{ path: 'RXA-15', inCodeSystems: 'X' }] })),
    ).toThrow(/bad requires test/);
    expect(() => parseConditions(data({ ...rule, scope: {} }))).toThrow(/scope/);
  });
});
