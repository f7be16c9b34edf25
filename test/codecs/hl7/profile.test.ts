import { describe, expect, it } from 'vitest';
import { checkProfile, formatProblem, profileData, uncheckedBindings } from '#codecs/hl7/profile/check.ts';
import { brief, fixture, GOOD, msg } from './profile-fixtures.ts';

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
