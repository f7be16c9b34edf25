import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkProfile } from '#codecs/hl7/profile/check.ts';
import { DEFAULT_QUANTITY_LIMIT, type ParsedQbp, parseQbp, type QbpResult } from '#codecs/hl7/qbp.ts';

// Queries built from the CDC IG R1.5 tables as NIST's Z44 profile has them: MSH-9 QBP^Q11^QBP_Q11, MSH-21 the
// profile, QPD-1 the query name, QPD-2 tag, QPD-3 CX list, QPD-4 XPN, QPD-5 mother's maiden XPN, QPD-6 DOB,
// QPD-7 sex, QPD-8 XAD, QPD-9 XTN, RCP-2 CQ (quantity^RD).
const msg = (...segments: string[]) => `${segments.join('\r')}\r`;
const msh = (profile = 'Z44', type = 'QBP^Q11^QBP_Q11', extra: { version?: string; pid?: string } = {}) =>
  `MSH|^~\\&|wcApp|wcEHR|CAPIPELINE|CDPH|20210415093000-0700||${type}|Q-1001|${extra.pid ?? 'P'}|${extra.version ?? '2.5.1'}|||ER|AL|||||${profile ? `${profile}^CDCPHINVS` : ''}`;
const Z44_NAME = 'Z44^Request Evaluated History and Forecast^CDCPHINVS';
const Z34_NAME = 'Z34^Request Immunization History^CDCPHINVS';
const qpd = (name: string, fields: Partial<Record<3 | 4 | 5 | 6 | 7 | 8 | 9, string>> = {}) => {
  const f = {
    3: '7120^^^wcEHR^MR',
    4: 'Barrett^Helen^Ann^^^^L',
    5: 'Smith^^^^^^M',
    6: '19500317',
    7: 'F',
    8: '763 Main St^^Bozeman^MT^59715^USA^P',
    9: '^PRN^PH^^^406^5551234',
    ...fields,
  };
  return `QPD|${name}|tag-42|${f[3]}|${f[4]}|${f[5]}|${f[6]}|${f[7]}|${f[8]}|${f[9]}`;
};
const RCP = 'RCP|I|5^RD&Records&HL70126';
const z44 = (fields?: Parameters<typeof qpd>[1]) => msg(msh('Z44'), qpd(Z44_NAME, fields), RCP);
const z34 = (fields?: Parameters<typeof qpd>[1]) => msg(msh('Z34'), qpd(Z34_NAME, fields), RCP);

function ok(r: QbpResult): ParsedQbp {
  if (!r.ok) throw new Error(`expected a query, got ${JSON.stringify(r.errors)}`);
  return r.query;
}
function failed(r: QbpResult) {
  if (r.ok) throw new Error('expected errors');
  return r;
}
const codes = (r: QbpResult) => failed(r).errors.map((e) => `${e.location} ${e.code} ${e.severity}`);

describe('parseQbp: valid queries', () => {
  it('our Z44 example conforms to NIST’s Z44 profile', () => {
    expect(checkProfile(z44(), 'QBP_Z44').filter((v) => v.severity === 'error')).toEqual([]);
  });

  it('reads a Z44 query with a patient ID into a PersonQuery', () => {
    const q = ok(parseQbp(z44(), { iisId: 'DE-011990' }));
    expect(q.profile).toBe('Z44');
    expect(q.queryTag).toBe('tag-42');
    expect(q.quantityLimit).toBe(5);
    expect(q.query).toEqual({
      first: 'Helen',
      middle: 'Ann',
      last: 'Barrett',
      dob: '1950-03-17',
      sex: 'F',
      street: '763 Main St',
      city: 'Bozeman',
      state: 'MT',
      zip: '59715',
      phone: '4065551234',
      mother_maiden_last: 'Smith',
      site_patient: { iis_id: 'DE-011990', recip_id: '7120' },
    });
    expect(q.patientId).toEqual({ recip_id: '7120', assigningAuthority: 'wcEHR' });
    expect(q.header).toMatchObject({
      messageControlId: 'Q-1001',
      sendingApplication: 'wcApp',
      sendingFacility: 'wcEHR',
      receivingApplication: 'CAPIPELINE',
      receivingFacility: 'CDPH',
      processingId: 'P',
      version: '2.5.1',
      profiles: ['Z44'],
    });
    expect(q.qpdText).toBe(qpd(Z44_NAME));
    expect(q.warnings).toEqual([]);
  });

  it('gives the patient ID to the search only with the authenticated site (its own ID space)', () => {
    const q = ok(parseQbp(z44()));
    expect(q.query.site_patient).toBeUndefined();
    expect(q.patientId?.recip_id).toBe('7120');
  });

  it('reads a Z34 query without a patient ID, address or phone', () => {
    const q = ok(parseQbp(z34({ 3: '', 5: '', 8: '', 9: '', 7: '' }), { iisId: 'DE-011990' }));
    expect(q.profile).toBe('Z34');
    expect(q.query).toEqual({ first: 'Helen', middle: 'Ann', last: 'Barrett', dob: '1950-03-17' });
    expect(q.patientId).toBeUndefined();
  });

  it('takes only an MR identifier as the site’s patient ID', () => {
    const q = ok(parseQbp(z34({ 3: '555^^^CAIR^SR~9876^^^wcEHR^MR' }), { iisId: 'S1' }));
    expect(q.query.site_patient).toEqual({ iis_id: 'S1', recip_id: '9876' });
    expect(ok(parseQbp(z34({ 3: '555^^^CAIR^SR' }), { iisId: 'S1' })).query.site_patient).toBeUndefined();
  });

  it('reads a DOB written as a timestamp, ZIP+4, an XTN.1 phone, and U as no sex', () => {
    const q = ok(
      parseQbp(
        z44({ 6: '19500317000000-0800', 7: 'U', 8: '1 A St^^Davis^ca^95616-1234', 9: '(530) 555-0100' }),
      ),
    );
    expect(q.query).toMatchObject({ dob: '1950-03-17', zip: '95616', state: 'CA', phone: '5305550100' });
    expect(q.query.sex).toBeUndefined();
  });

  it('uses the default quantity limit, with a warning, when RCP-2 is missing', () => {
    const q = ok(parseQbp(msg(msh('Z44'), qpd(Z44_NAME))));
    expect(q.quantityLimit).toBe(DEFAULT_QUANTITY_LIMIT);
    expect(q.warnings.map((w) => `${w.location} ${w.code} ${w.severity}`)).toEqual(['RCP^1 101 W']);
  });

  it('drops a sex code or ZIP it cannot read, with a warning, and answers the query', () => {
    const q = ok(parseQbp(z44({ 7: 'Q', 8: '^^^^ABCDE' })));
    expect(q.query.sex).toBeUndefined();
    expect(q.query.zip).toBeUndefined();
    expect(q.warnings.map((w) => `${w.location} ${w.code} ${w.severity}`)).toEqual([
      'QPD^1^7 103 W',
      'QPD^1^8^1^5 102 W',
    ]);
  });

  it('accepts MLLP framing and LF line ends', () => {
    expect(ok(parseQbp(`\u000b${z44().replaceAll('\r', '\n')}\u001c\r`)).profile).toBe('Z44');
  });
});

describe('parseQbp: errors, each at its field, none repeating personal data', () => {
  it.each([
    ['last name', { 4: '^Helen' }, 'QPD^1^4^1^1 101 E'],
    ['first name', { 4: 'Barrett' }, 'QPD^1^4^1^2 101 E'],
    ['DOB', { 6: '' }, 'QPD^1^6 101 E'],
  ] as const)('missing %s', (_name, fields, expected) => {
    expect(codes(parseQbp(z44(fields)))).toEqual([expected]);
  });

  it('a name missing entirely is two errors', () => {
    expect(codes(parseQbp(z44({ 4: '' })))).toEqual(['QPD^1^4^1^1 101 E', 'QPD^1^4^1^2 101 E']);
  });

  it.each(['19501317', '1950-03-17', '03/17/1950', '19500230', 'abc'])('bad DOB %s', (dob) => {
    const r = failed(parseQbp(z44({ 6: dob })));
    expect(codes(r)).toEqual(['QPD^1^6 102 E']);
    expect(r.errors[0]!.text).not.toContain(dob);
  });

  it('never repeats a name in an error', () => {
    const r = failed(parseQbp(z44({ 4: `${'Verylongname'.repeat(10)}^Helen`, 6: '' })));
    expect(r.errors.map((e) => e.code)).toEqual(['102', '101']);
    for (const e of r.errors) expect(e.text).not.toMatch(/Verylong|Helen/);
  });

  it.each([
    ['VXU^V04^VXU_V04', '200'],
    ['QBP^Q22^QBP_Q21', '201'],
    ['QBP^Q11^QBP_Q21', '200'],
  ])('MSH-9 %s is refused (%s)', (type, code) => {
    const r = failed(parseQbp(msg(msh('Z44', type), qpd(Z44_NAME), RCP)));
    expect(codes(r)).toEqual([`MSH^1^9 ${code} E`]);
    // The header is still there, so the refusal reaches the sender with its control ID.
    expect(r.header?.messageControlId).toBe('Q-1001');
  });

  it('refuses a profile it does not answer, and a QPD-1 that contradicts MSH-21', () => {
    expect(codes(parseQbp(msg(msh('Z22'), qpd(Z44_NAME), RCP)))).toEqual(['MSH^1^21 200 E']);
    expect(codes(parseQbp(msg(msh('Z34'), qpd(Z44_NAME), RCP)))).toEqual(['QPD^1^1^1^1 103 E']);
    expect(codes(parseQbp(msg(msh('Z44'), qpd('Z99^Other^CDCPHINVS'), RCP)))).toEqual(['QPD^1^1^1^1 103 E']);
    expect(codes(parseQbp(msg(msh(''), qpd(Z44_NAME), RCP)))).toEqual(['MSH^1^21 101 E']);
  });

  it('refuses an unsupported version or processing ID', () => {
    expect(codes(parseQbp(msg(msh('Z44', undefined, { version: '2.3.1' }), qpd(Z44_NAME), RCP)))).toEqual([
      'MSH^1^12 203 E',
    ]);
    expect(codes(parseQbp(msg(msh('Z44', undefined, { pid: 'D' }), qpd(Z44_NAME), RCP)))).toEqual([
      'MSH^1^11 202 E',
    ]);
  });

  it('needs a QPD, and its query tag', () => {
    expect(codes(parseQbp(msg(msh('Z44'), RCP)))).toEqual(['QPD^1 100 E']);
    const noTag = qpd(Z44_NAME).replace('|tag-42|', '||');
    expect(codes(parseQbp(msg(msh('Z44'), noTag, RCP)))).toEqual(['QPD^1^2 101 E']);
  });

  it('answers a text that is no message with an error, not an exception', () => {
    const r = failed(parseQbp('hello'));
    expect(codes(r)).toEqual(['MSH^1 100 E']);
    expect(r.header).toBeUndefined();
  });

  it('never throws, whatever it is given', () => {
    const delimiters = fc.constantFrom(
      '|',
      '^',
      '~',
      '\\',
      '&',
      '\r',
      '\n',
      'MSH',
      'QPD',
      'RCP',
      'Z44',
      'QBP^Q11',
    );
    const text = fc.oneof(
      fc.string(),
      fc.array(fc.oneof(delimiters, fc.string({ maxLength: 8 })), { maxLength: 40 }).map((p) => p.join('')),
      fc
        .array(fc.oneof(delimiters, fc.string({ maxLength: 6 })), { maxLength: 30 })
        .map((p) => `${z44()}${p.join('')}`),
      fc.nat({ max: 400 }).map((cut) => z44().slice(0, cut)),
    );
    fc.assert(
      fc.property(text, (t) => {
        const r = parseQbp(t, { iisId: 'S1' });
        expect(typeof r.ok).toBe('boolean');
      }),
      { numRuns: 500 },
    );
  });
});
