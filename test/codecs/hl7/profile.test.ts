import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  checkProfile,
  formatProblem,
  type ProfileViolation,
  profileData,
  uncheckedBindings,
} from '#codecs/hl7/profile/check.ts';
import { CONDITIONS, conditionRules, parseConditions } from '#codecs/hl7/profile/conditions.ts';

const fixture = (name: string) =>
  readFileSync(new URL(`../../fixtures/hl7-profile/${name}`, import.meta.url), 'utf8');
const msg = (...segments: string[]) => `${segments.join('\r')}\r`;
const errors = (v: ProfileViolation[]) => v.filter((x) => x.severity === 'error');
const brief = (v: ProfileViolation[]) => v.map((x) => `${x.severity} ${x.location} ${x.rule}`);

// A small Z22 message that conforms, varied one element at a time below.
const MSH =
  'MSH|^~\\&|wcApp|wcEHR|issApp|IIS|20150625121047.839-0500||VXU^V04^VXU_V04|35560|P|2.5.1|||ER|AL|||||Z22^CDCPHINVS|wcEHR|IIS';
const PID =
  'PID|1||7120^^^wcEHR^MR||Barrett^Helen^^^^^L||19500317|F||2106-3^White^CDCREC|763 Main St^^Bozeman^MT^59715^USA^P|||||||||||2186-5^Not Hispanic or Latino^CDCREC';
const ORC = 'ORC|RE|7646^wcEHR|53100^wcEHR';
const RXA =
  'RXA|0|1|20150624||208^COVID-19, mRNA, LNP-S, PF, 30 mcg/0.3 mL dose^CVX|0.3|mL^mL^UCUM||00^New Record^NIP001||||||EW0150|20210630|PFR^Pfizer, Inc^MVX|||CP|A';
const RXR = 'RXR|C28161^Intramuscular^NCIT|LD^Left Deltoid^HL70163';
const OBX =
  'OBX|1|CE|64994-7^Vaccine Funding Program Eligibility^LN|1|V01^Not VFC eligible^HL70064||||||F|||20150624|||VXC40^per immunization^CDCPHINVS';
const OBX_DT = 'OBX|2|DT|29769-7^Date Vis Presented^LN|2|20150624||||||F';
const GOOD = [MSH, PID, ORC, RXA, RXR, OBX, OBX_DT];

/** GOOD with one segment replaced (by index) or several inserted. */
function vary(changes: Record<number, string | string[]>): string {
  return msg(...GOOD.flatMap((s, i) => changes[i] ?? s));
}

describe('NIST test cases and CAIR2 ACKs against the profiles', () => {
  it.each(['nist-iz_AdminGroup_TC-1_VXU.hl7', 'nist-iz_AdminGroup_TC-8_VXU.hl7'])(
    '%s conforms to Z22',
    (f) => {
      expect(checkProfile(fixture(f), 'VXU_Z22')).toEqual([]);
    },
  );

  it('the crafted base message conforms to Z22', () => {
    expect(checkProfile(msg(...GOOD), 'VXU_Z22')).toEqual([]);
  });

  it("NIST's TC-1 ACK conforms to Z23", () => {
    expect(checkProfile(fixture('nist-iz_AdminGroup_TC-1_ACK.hl7'), 'ACK_Z23')).toEqual([]);
  });

  it("NIST's TC-8 ACK does not: its second ERR puts the user message one field late, in ERR-9", () => {
    // `ERR||RXA^1^5|101^…|E|7^…^HL70533||||RXA-5 is required…` has four bars after ERR-5 where the other two
    // ERRs have three, so the text lands in ERR-9 (Inform Person Indicator, IS, at most 20) instead of ERR-8.
    expect(checkProfile(fixture('nist-iz_AdminGroup_TC-8_ACK.hl7'), 'ACK_Z23')).toEqual([
      {
        severity: 'error',
        location: 'ERR[2]-9',
        rule: 'length',
        message: 'ERR[2]-9 (Inform Person Indicator) is 34 characters; at most 20',
      },
    ]);
  });

  // From the PHP comment in cair2/example-acks.txt, segment breaks (lost there) put back before MSA and ERR.
  const CAIR2_MSH =
    'MSH|^~\\&|CAIR IIS4.0.0|CAIR IIS||UATPARENT|20160630||ACK^V04^ACK|TEST001|P|2.5.1||||||||||CAIR IIS|UATPARENT';
  const CAIR2_ACKS: Record<string, string> = {
    warning: msg(
      CAIR2_MSH,
      'MSA|AE|1791129',
      'ERR||RXA^1^10^1^13|0^Message accepted^HL70357|W|5^Table value not found^HL70533|||Informational error - No value was entered for RXA-10.13',
    ),
    error: msg(
      'MSH|^~\\&|CAIR IIS4.0.0|CAIR IIS||UATPARENT|20160630||ACK^V04^ACK|TEST001|P|2.5.1||||||||||CAIR IIS',
      'MSA|AE|1791129',
      'ERR||PID^1^3^0|101^Required field missing^HL70357|E|6^Required observation missing^HL70533|||MESSAGE REJECTED - REQUIRED FIELD PID-3-5 MISSING',
    ),
    rejection: msg(
      CAIR2_MSH,
      'MSA|AR|1791129',
      'ERR||MSH^1^11|202^Unsupported processing ID^HL70357|E|4^Invalid value^HL70533|||MESSAGE REJECTED. INVALID PROCESSING ID. MUST BE ‘P’',
    ),
    valid: msg(CAIR2_MSH, 'MSA|AA|1791129'),
  };

  it.each(Object.keys(CAIR2_ACKS))(
    "CAIR2's %s ACK fails Z23 only in its MSH: no MSH-15/MSH-16 acknowledgment types, no MSH-21 profile",
    (kind) => {
      // CAIR2's MSH jumps from MSH-12 to MSH-22; Z23 requires MSH-15, MSH-16 and MSH-21 (Z23^CDCPHINVS). The
      // MSA and ERR segments, CAIR2's use of ERR-3 0 with severity W included, conform.
      expect(brief(checkProfile(CAIR2_ACKS[kind]!, 'ACK_Z23'))).toEqual([
        'error MSH-15 usage-R',
        'error MSH-16 usage-R',
        'error MSH-21 usage-R',
      ]);
    },
  );

  it('an ACK is not a VXU', () => {
    const v = checkProfile(fixture('nist-iz_AdminGroup_TC-1_ACK.hl7'), 'VXU_Z22');
    expect(v).toContainEqual(expect.objectContaining({ location: 'MSH-9', rule: 'message-type' }));
    expect(v).toContainEqual(expect.objectContaining({ location: 'MSA', rule: 'segment-order' }));
    expect(v).toContainEqual(expect.objectContaining({ location: 'PID', rule: 'usage-R' }));
  });
});

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

describe('profile data', () => {
  it('keeps the ORDER group as the profile has it', () => {
    const order = profileData('VXU_Z22').structure.find((n) => 'group' in n && n.group === 'ORDER');
    expect(order).toMatchObject({ usage: 'RE', min: 0, max: '*' });
    const names = 'group' in order! ? order.children.map((c) => ('group' in c ? c.group : c.segment)) : [];
    expect(names).toEqual(['ORC', 'TIMING', 'RXA', 'RXR', 'OBSERVATION']);
  });

  it('lists the conditional elements it cannot judge, and the bindings it cannot check', () => {
    expect(profileData('VXU_Z22').conditional).toEqual(
      expect.arrayContaining(['RXA-15', 'RXA-16', 'RXA-18', 'OBX-6', 'OBX-17']),
    );
    expect(uncheckedBindings('VXU_Z22')).toEqual(expect.arrayContaining(['HL70396_IZ', 'NDC_Use', 'UCUM']));
    expect(uncheckedBindings('VXU_Z22')).not.toContain('CVX');
    expect(uncheckedBindings('ACK_Z23')).not.toContain('HL70357_IZ');
  });

  it('QBP Z44: DSC is not supported', () => {
    const qbp = msg(
      'MSH|^~\\&|||||20150624073733||QBP^Q11^QBP_Q11|1|P|2.5.1|||ER|AL|||||Z44^CDCPHINVS',
      'QPD|Z44^Request Evaluated History and Forecast^CDCPHINVS|q1|7120^^^wcEHR^MR|Barrett^Helen^^^^^L||19500317|F',
      'RCP|I|1^RD&Records&HL70126',
      'DSC|1',
    );
    const v = checkProfile(qbp, 'QBP_Z44');
    expect(v).toContainEqual(expect.objectContaining({ location: 'DSC', rule: 'usage-X' }));
  });
});

describe('formatProblem', () => {
  it.each([
    ['DT', '2024', undefined],
    ['DT', '20240229', undefined],
    ['DT', '20230229', 'has no day 29 in 2023-02'],
    ['DT', '202413', 'has month 13'],
    ['DTM', '20150624073733.994-0500', undefined],
    ['DTM', '201506242500', 'has hour 25'],
    ['DTM', '2015-06-24', 'is not a date/time (YYYY[MM[DD[HH[MM[SS[.S]]]]]][+/-ZZZZ])'],
    ['TM', '0930', undefined],
    ['NM', '-0.5', undefined],
    ['NM', '1e3', 'is not a number'],
    ['SI', '12', undefined],
    ['SI', '-1', 'is not a sequence number (a non-negative integer)'],
    ['ST', 'anything', undefined],
  ])('%s %s', (type, value, problem) => {
    expect(formatProblem(type, value)).toBe(problem);
  });
});
