import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ackCodeFor, buildAck, classifyAck, parseAck } from '#codecs/hl7/ack.ts';
import type { Hl7Error } from '#codecs/hl7/errors.ts';
import { Hl7ParseError } from '#codecs/hl7/message.ts';
import { parseVxu } from '#codecs/hl7/vxu.ts';

const original = {
  messageControlId: 'CAPIPE-42',
  sendingApplication: 'CAPIPE',
  sendingFacility: 'CAIRDEMO01',
  receivingApplication: 'CAIR IIS',
  receivingFacility: 'CAIRBA',
  processingId: 'P',
};
const sentAt = new Date('2021-03-10T20:00:05Z');
const err = (severity: Hl7Error['severity'], code = '101', location = 'RXA^1^15'): Hl7Error => ({
  location,
  code,
  severity,
  text: `${severity} at ${location}`,
});

/** As CAIR2 answers a dose it accepted with a warning: AE, and only W errors. */
const CAIR2_AE_WARNING = [
  'MSH|^~\\&|CAIR IIS|CAIRBA|CAPIPE|CAIRDEMO01|20210310120005-0800||ACK^V04^ACK|20210310120005CAIR|P|2.5.1|||NE|NE|||||Z23^CDCPHINVS',
  'MSA|AE|CAPIPE-42',
  'ERR||PID^1^11^1^9|102^Data type error^HL70357|W||||County code is not valid; the value was ignored',
  'ERR||RXA^1^10|101^Required field missing^HL70357|I||||Administering provider is empty',
].join('\r');

describe('buildAck', () => {
  it('answers the sender with MSH, MSA and one ERR per error', () => {
    const text = buildAck({
      original,
      ackCode: 'AE',
      errors: [{ location: 'RXA^1^5', code: '101', severity: 'E', text: 'RXA-5 (vaccine given) is empty.' }],
      controlId: 'ACK-1',
      sentAt,
    });
    expect(text.split('\r')).toEqual([
      'MSH|^~\\&|CAIR IIS|CAIRBA|CAPIPE|CAIRDEMO01|20210310120005-0800||ACK^V04^ACK|ACK-1|P|2.5.1|||NE|NE|||||Z23^CDCPHINVS',
      'MSA|AE|CAPIPE-42',
      'ERR||RXA^1^5|101^Required field missing^HL70357|E||||RXA-5 (vaccine given) is empty.',
      '',
    ]);
  });

  it('answers a test message as a test, and an unusable processing ID as production', () => {
    const msh = (processingId: string) =>
      buildAck({
        original: { ...original, processingId },
        ackCode: 'AA',
        errors: [],
        controlId: 'A',
        sentAt,
      }).split('|')[10];
    expect(msh('T')).toBe('T');
    expect(msh('D')).toBe('P');
  });

  it('round-trips code, control IDs and every error, delimiters in the text included', () => {
    const errorArb = fc.record({
      location: fc.constantFrom('RXA^1^5', 'PID^1^5^1^2', 'MSH^1^11', 'OBX^3^5'),
      code: fc.constantFrom('101', '102', '103', '200', '202', '207', 'CAIR-17'),
      severity: fc.constantFrom<Hl7Error['severity']>('E', 'W', 'I'),
      text: fc
        .string({ unit: fc.constantFrom(...'ab |^~\\&-'), minLength: 1, maxLength: 30 })
        .map((s) => s.trim()),
    });
    fc.assert(
      fc.property(
        fc.constantFrom('AA' as const, 'AE' as const, 'AR' as const),
        fc.array(
          errorArb.filter((e) => e.text !== ''),
          { maxLength: 5 },
        ),
        (ackCode, errors) => {
          const parsed = parseAck(buildAck({ original, ackCode, errors, controlId: 'ACK-9', sentAt }));
          expect(parsed).toEqual({ ackCode, messageControlId: 'CAPIPE-42', controlId: 'ACK-9', errors });
        },
      ),
    );
  });
});

describe('parseAck', () => {
  it("reads CAIR2's AE with only warnings", () => {
    const ack = parseAck(CAIR2_AE_WARNING);
    expect(ack).toEqual({
      ackCode: 'AE',
      messageControlId: 'CAPIPE-42',
      controlId: '20210310120005CAIR',
      errors: [
        {
          location: 'PID^1^11^1^9',
          code: '102',
          severity: 'W',
          text: 'County code is not valid; the value was ignored',
        },
        { location: 'RXA^1^10', code: '101', severity: 'I', text: 'Administering provider is empty' },
      ],
    });
    expect(classifyAck(ack)).toBe('accepted-with-warnings');
  });

  it('reads v2.3.1-style ERR-1 and enhanced-mode codes, and takes a missing severity as an error', () => {
    const ack = parseAck(
      [
        'MSH|^~\\&|RIDE|RIDE|||20210310||ACK|R1|P|2.3.1',
        'MSA|CE|CAPIPE-42',
        'ERR|RXA^1^15^101&Required field missing&HL70357',
      ].join('\n'),
    );
    expect(ack.ackCode).toBe('AE');
    expect(ack.errors).toEqual([
      { location: 'RXA^1^15', code: '101', severity: 'E', text: 'Required field missing' },
    ]);
    expect(classifyAck(ack)).toBe('rejected');
  });

  it('falls back to ERR-3 text, then the table, for the words', () => {
    const ack = parseAck(
      ['MSH|^~\\&|X', 'MSA|AE|M', 'ERR||RXA^1^5|101^RXA-5 missing^HL70357|W', 'ERR||RXA^1^6|102|W'].join(
        '\r',
      ),
    );
    expect(ack.errors.map((e) => e.text)).toEqual(['RXA-5 missing', 'Data type error']);
  });

  it.each([
    ['no MSH', 'MSA|AA|1'],
    ['no MSA', 'MSH|^~\\&|X'],
    ['an unknown MSA-1', 'MSH|^~\\&|X\rMSA|OK|1'],
  ])('refuses an ACK with %s', (_name, text) => {
    expect(() => parseAck(text)).toThrow(Hl7ParseError);
  });
});

describe('classifyAck', () => {
  it.each([
    ['AA', [], 'accepted'],
    ['AA', [err('I')], 'accepted'],
    ['AA', [err('W')], 'accepted-with-warnings'],
    ['AE', [err('W')], 'accepted-with-warnings'],
    ['AE', [err('W'), err('I')], 'accepted-with-warnings'],
    ['AE', [err('I')], 'accepted-with-warnings'],
    ['AE', [err('W'), err('E')], 'rejected'],
    ['AE', [], 'rejected'],
    ['AA', [err('E')], 'rejected'],
    ['AR', [], 'rejected'],
    ['AR', [err('W')], 'rejected'],
  ] as const)('%s with %j is %s', (ackCode, errors, expected) => {
    expect(classifyAck({ ackCode, errors: [...errors] })).toBe(expected);
  });
});

describe('ackCodeFor', () => {
  it.each([
    [[], 'AA'],
    [[err('I')], 'AA'],
    [[err('W')], 'AE'],
    [[err('E'), err('W')], 'AE'],
    [[err('E', '202', 'MSH^1^11')], 'AR'],
    [[err('E', '200', 'MSH^1^21')], 'AR'],
    [[err('E', '207', 'MSH^1')], 'AR'],
    [[err('W', '101', 'MSH^1^21')], 'AE'],
    [[err('E', '100', 'MSH^1')], 'AR'],
    [[err('E', '100', 'PID^1')], 'AE'],
  ] as const)('%j answers %s', (errors, expected) => {
    expect(ackCodeFor([...errors])).toBe(expected);
  });

  it('answers what a receiver reads in a VXU the way the sender will classify it', () => {
    const vxu = (rxa5: string) =>
      [
        'MSH|^~\\&|EHR|DE-000001||CAIRBA|20210310||VXU^V04^VXU_V04|M-1|P|2.5.1|||ER|AL|||||Z22^CDCPHINVS|DE-000001',
        'PID|1||PA1^^^DE-000001^MR||Doe^Jane||19800101|F',
        'ORC|RE||EVT-1^DE-000001',
        `RXA|0|1|20210310||${rxa5}|999|||00^New^NIP001||^^^DE-000001||||LOT123|20210630||||CP|A`,
      ].join('\r');
    for (const [rxa5, outcome] of [
      ['207^Moderna^CVX', 'accepted'],
      ['', 'rejected'],
    ] as const) {
      const { errors, messageControlId } = parseVxu(vxu(rxa5));
      const ackCode = ackCodeFor(errors);
      const ack = parseAck(
        buildAck({ original: { ...original, messageControlId }, ackCode, errors, controlId: 'A', sentAt }),
      );
      expect(classifyAck(ack)).toBe(outcome);
      expect(ack.messageControlId).toBe('M-1');
    }
  });
});

describe('ERR-5 (application error code)', () => {
  it('is written with our rule code as its alternate and read back, so an ACK carries what was found', () => {
    const errors: Hl7Error[] = [
      { location: 'RXA^1^15', code: '101', severity: 'E', text: 'No lot.', application: '7', rule: 'DQ006' },
      { location: 'PID^1^11', code: '101', severity: 'W', text: 'No address.' },
    ];
    const text = buildAck({ original, ackCode: 'AE', errors, controlId: 'A-1', sentAt: new Date(0) });
    expect(text).toContain('|7^Required data missing^HL70533^DQ006^DQ006^99CADOSE|');
    expect(parseAck(text).errors).toEqual(errors);
  });

  it('reads a registry’s 0533 code without a rule code of ours (CAIR2’s example ACK)', () => {
    const ack = parseAck(
      'MSH|^~\\&|CAIR IIS4.0.0|CAIR IIS||UATPARENT|20160630||ACK^V04^ACK|TEST001|P|2.5.1\rMSA|AE|1791129\rERR||RXA^1^10^1^13|0^Message accepted^HL70357|W|5^Table value not found^HL70533|||Informational error',
    );
    expect(ack.errors[0]).toMatchObject({ application: '5', severity: 'W' });
    expect(ack.errors[0]).not.toHaveProperty('rule');
  });
});
