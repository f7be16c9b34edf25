import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hl7Error } from '#codecs/hl7/errors.ts';
import { get, type Message, parseMessage, value } from '#codecs/hl7/message.ts';
import { type ParsedQbp, parseQbp } from '#codecs/hl7/qbp.ts';
import { buildRsp, type RspInput, type RspPerson, type RspQuery } from '#codecs/hl7/rsp.ts';
import type { RecordDose } from '#persons/types.ts';

const msg = (...segments: string[]) => `${segments.join('\r')}\r`;
const query = (profile: 'Z34' | 'Z44') => {
  const name =
    profile === 'Z44'
      ? 'Z44^Request Evaluated History and Forecast^CDCPHINVS'
      : 'Z34^Request Immunization History^CDCPHINVS';
  const r = parseQbp(
    msg(
      `MSH|^~\\&|wcApp|wcEHR|CAPIPELINE|CDPH|20210415093000-0700||QBP^Q11^QBP_Q11|Q-1001|T|2.5.1|||ER|AL|||||${profile}^CDCPHINVS`,
      `QPD|${name}|tag-42|7120^^^wcEHR^MR|Barrett^Helen^^^^^L||19500317|F`,
      'RCP|I|5^RD&Records&HL70126',
    ),
    { iisId: 'DE-011990' },
  );
  if (!r.ok) throw new Error('fixture query must parse');
  return r.query;
};

const dose = (n: number, over: Partial<RecordDose> = {}): RecordDose => ({
  iis_id: 'DE-011990',
  vax_event_id: `EV-${n}`,
  admin_date: n === 1 ? '2021-03-10' : '2021-03-31',
  cvx: '208',
  mvx: 'PFR',
  lot_number: `EW01${n}`,
  stored_at: '2021-04-01T00:00:00Z',
  reported_by: [{ iis_id: 'DE-011990', vax_event_id: `EV-${n}` }],
  evaluation: { valid: true, series_dose: n, series: 'pfizer-2' },
  ...over,
});

const person = (over: Partial<RspPerson> = {}): RspPerson => ({
  person_id: 'P-123',
  demographics: {
    first: 'HELEN',
    last: 'BARRETT',
    dob: '1950-03-17',
    sex: 'F',
    street: '763 MAIN ST',
    city: 'BOZEMAN',
    state: 'MT',
    zip: '59715',
  },
  doses: [
    dose(1),
    dose(2, { evaluation: { valid: false, reason: 'given 21 days early', series: 'pfizer-2' } }),
  ],
  forecast: {
    series: 'pfizer-2',
    status: 'due',
    next_dose: 2,
    earliest: '2021-03-27',
    due: '2021-03-31',
    overdue_after: '2021-04-30',
    cvx: '208',
  },
  ...over,
});

const SENT = new Date('2021-04-15T16:30:00Z');
const build = (q: RspQuery, answer: RspInput['answer']) =>
  buildRsp({ query: q, answer, controlId: 'R-1', sentAt: SENT });
const ids = (m: Message) => m.segments.map((s) => s.id);
const obxQuestions = (m: Message) => m.segments.filter((s) => s.id === 'OBX').map((s) => value(s, 3));

describe('buildRsp: a record', () => {
  it('answers Z44 with Z42: header, acknowledgement, query echo, PID, doses with evaluation, forecast', () => {
    const text = build(query('Z44'), { kind: 'record', person: person() });
    const m = parseMessage(text);
    // biome-ignore format: one line per group
    expect(ids(m)).toEqual([
      'MSH', 'MSA', 'QAK', 'QPD', 'PID',
      'ORC', 'RXA', 'OBX', 'OBX', 'OBX', 'OBX',
      'ORC', 'RXA', 'OBX', 'OBX', 'OBX', 'OBX',
      'ORC', 'RXA', 'OBX', 'OBX', 'OBX', 'OBX', 'OBX', 'OBX', 'OBX', 'OBX',
    ]);
    expect(get(m, 'MSH-3')).toBe('CAPIPELINE');
    expect(get(m, 'MSH-4')).toBe('CDPH');
    expect(get(m, 'MSH-5')).toBe('wcApp');
    expect(get(m, 'MSH-6')).toBe('wcEHR');
    expect(get(m, 'MSH-7')).toBe('20210415093000-0700');
    expect([get(m, 'MSH-9.1'), get(m, 'MSH-9.2'), get(m, 'MSH-9.3')]).toEqual(['RSP', 'K11', 'RSP_K11']);
    expect(get(m, 'MSH-10')).toBe('R-1');
    expect(get(m, 'MSH-11')).toBe('T');
    expect(get(m, 'MSH-12')).toBe('2.5.1');
    expect([get(m, 'MSH-21.1'), get(m, 'MSH-21.2')]).toEqual(['Z42', 'CDCPHINVS']);
    expect([get(m, 'MSA-1'), get(m, 'MSA-2')]).toEqual(['AA', 'Q-1001']);
    expect([get(m, 'QAK-1'), get(m, 'QAK-2'), get(m, 'QAK-3.1'), get(m, 'QAK-3.2')]).toEqual([
      'tag-42',
      'OK',
      'Z44',
      'Request Evaluated History and Forecast',
    ]);
    expect(text.split('\r')[3]).toBe(
      'QPD|Z44^Request Evaluated History and Forecast^CDCPHINVS|tag-42|7120^^^wcEHR^MR|Barrett^Helen^^^^^L||19500317|F',
    );
    expect(text.split('\r')[4]).toBe(
      'PID|1||P-123^^^CAPIPELINE^SR||BARRETT^HELEN^^^^^L||19500317|F|||763 MAIN ST^^BOZEMAN^MT^59715^USA^P',
    );
    expect(text.split('\r')[5]).toBe('ORC|RE||EV-1^DE-011990');
    expect(get(m, 'RXA-3')).toBe('20210310');
    expect([get(m, 'RXA-5.1'), get(m, 'RXA-5.3')]).toEqual(['208', 'CVX']);
    expect(get(m, 'RXA-9.1')).toBe('00');
    expect(get(m, 'RXA-11.4')).toBe('DE-011990');
    expect(get(m, 'RXA-15')).toBe('EW011');
    expect(get(m, 'RXA-17.1')).toBe('PFR');
    expect(get(m, 'RXA-20')).toBe('CP');
  });

  it('evaluates each dose: vaccine group, validity, series dose or reason, ACIP schedule', () => {
    const m = parseMessage(build(query('Z44'), { kind: 'record', person: person() }));
    const lines = m.segments
      .filter((s) => s.id === 'OBX')
      .map((s) => `${value(s, 1)} ${value(s, 2)} ${value(s, 3)} ${value(s, 4)} ${value(s, 5)}`);
    expect(lines.slice(0, 8)).toEqual([
      '1 CE 30956-7 1 213',
      '2 ID 59781-5 1 Y',
      '3 NM 30973-2 1 1',
      '4 CE 59779-9 1 VXC16',
      '1 CE 30956-7 1 213',
      '2 ID 59781-5 1 N',
      '3 ST 30982-3 1 given 21 days early',
      '4 CE 59779-9 1 VXC16',
    ]);
  });

  it('forecasts under a 998 "no vaccine administered" RXA: due next, dates, status, schedule', () => {
    const m = parseMessage(build(query('Z44'), { kind: 'record', person: person() }));
    const forecastRxa = m.segments.filter((s) => s.id === 'RXA')[2]!;
    expect([value(forecastRxa, 3), value(forecastRxa, 5), value(forecastRxa, 20)]).toEqual([
      '20210415',
      '998',
      'NA',
    ]);
    expect(get(m, 'ORC-3', 3)).toBe('9999');
    const obx = m.segments.filter((s) => s.id === 'OBX').slice(8);
    expect(obx.map((s) => `${value(s, 3)} ${value(s, 5)}`)).toEqual([
      '30956-7 213',
      '59783-1 LA13422-3',
      '30979-9 208',
      '30973-2 2',
      '30981-5 20210327',
      '30980-7 20210331',
      '59778-1 20210501',
      '59779-9 VXC16',
    ]);
  });

  it('says a complete series is complete, with nothing due', () => {
    const forecast = { series: 'pfizer-2', status: 'complete' as const, next_dose: 3 };
    const m = parseMessage(build(query('Z44'), { kind: 'record', person: person({ forecast }) }));
    const obx = m.segments.filter((s) => s.id === 'OBX').slice(8);
    expect(obx.map((s) => `${value(s, 3)} ${value(s, 5)}`)).toEqual([
      '30956-7 213',
      '59783-1 LA13421-5',
      '59779-9 VXC16',
    ]);
  });

  it('answers Z34 with Z32: the doses, no evaluation and no forecast', () => {
    const m = parseMessage(build(query('Z34'), { kind: 'record', person: person() }));
    expect(ids(m)).toEqual(['MSH', 'MSA', 'QAK', 'QPD', 'PID', 'ORC', 'RXA', 'ORC', 'RXA']);
    expect(get(m, 'MSH-21.1')).toBe('Z32');
    expect(get(m, 'QAK-3.1')).toBe('Z34');
    expect(obxQuestions(m)).toEqual([]);
  });

  it('lists a historical dose as such, and a refusal without product or evaluation', () => {
    const doses = [dose(1, { historical: true }), dose(2, { refusal: true })];
    const m = parseMessage(
      build(query('Z44'), { kind: 'record', person: person({ doses, forecast: undefined }) }),
    );
    expect(get(m, 'RXA-9.1', 1)).toBe('01');
    expect(get(m, 'RXA-20', 2)).toBe('RE');
    expect(get(m, 'RXA-15', 2)).toBe('');
    expect(get(m, 'ORC-3', 2)).toBe('9999');
    expect(get(m, 'ORC-2', 2)).toBe('EV-2');
    expect(m.segments.filter((s) => s.id === 'RXA')).toHaveLength(2);
    expect(m.segments.filter((s) => s.id === 'OBX')).toHaveLength(4);
  });

  it('takes the assigning authority of the person ID as a parameter', () => {
    const text = buildRsp({
      query: query('Z34'),
      answer: { kind: 'record', person: person() },
      controlId: 'R-1',
      sentAt: SENT,
      assigningAuthority: 'CAIR2',
    });
    expect(get(parseMessage(text), 'PID-3.4')).toBe('CAIR2');
  });
});

describe('buildRsp: no person records (Z33)', () => {
  it.each([
    ['none', 'NF'],
    ['too-many', 'TM'],
  ] as const)('%s → QAK-2 %s, MSA AA, no PID', (kind, status) => {
    const m = parseMessage(build(query('Z44'), { kind }));
    expect(ids(m)).toEqual(['MSH', 'MSA', 'QAK', 'QPD']);
    expect(get(m, 'MSH-21.1')).toBe('Z33');
    expect(get(m, 'MSA-1')).toBe('AA');
    expect(get(m, 'QAK-2')).toBe(status);
    expect(get(m, 'QAK-3.1')).toBe('Z44');
  });

  it('an error in the content → MSA AE, QAK AE, one ERR per problem', () => {
    const r = parseQbp(
      msg(
        'MSH|^~\\&|wcApp|wcEHR|||20210415||QBP^Q11^QBP_Q11|Q-7|P|2.5.1|||ER|AL|||||Z34^CDCPHINVS',
        'QPD|Z34^Request Immunization History^CDCPHINVS|t1||^Helen||1950',
        'RCP|I|1^RD',
      ),
    );
    if (r.ok) throw new Error('must fail');
    const m = parseMessage(build({ ...r, header: r.header! }, { kind: 'error', errors: r.errors }));
    expect(ids(m)).toEqual(['MSH', 'MSA', 'ERR', 'ERR', 'QAK', 'QPD']);
    expect([get(m, 'QAK-1'), get(m, 'QAK-3.1')]).toEqual(['t1', 'Z34']);
    expect(get(m, 'MSH-21.1')).toBe('Z33');
    expect([get(m, 'MSA-1'), get(m, 'MSA-2')]).toEqual(['AE', 'Q-7']);
    expect(get(m, 'QAK-2')).toBe('AE');
    expect(
      m.segments.filter((s) => s.id === 'ERR').map((s) => `${value(s, 2)}.${value(s, 2, 3)} ${value(s, 3)}`),
    ).toEqual(['QPD.4 101', 'QPD.6 102']);
  });

  it('an unusable envelope → MSA AR, QAK AR; the query is echoed when there is one', () => {
    const q: RspQuery = { ...query('Z44'), profile: undefined };
    const m = parseMessage(
      build(q, { kind: 'error', errors: [hl7Error('MSH^1^12', '203', 'E', 'Send 2.5.1.')] }),
    );
    expect(ids(m)).toEqual(['MSH', 'MSA', 'ERR', 'QAK', 'QPD']);
    expect([get(m, 'MSA-1'), get(m, 'QAK-2'), get(m, 'QAK-3.1')]).toEqual(['AR', 'AR', 'Z44']);
  });

  it('carries a query’s warnings as ERR with MSA AE and the status as found', () => {
    const q: ParsedQbp = {
      ...query('Z44'),
      warnings: [hl7Error('QPD^1^7', '103', 'W', 'QPD-7 sex is not F, M or U.')],
    };
    const m = parseMessage(build(q, { kind: 'none' }));
    expect(ids(m)).toEqual(['MSH', 'MSA', 'ERR', 'QAK', 'QPD']);
    expect([get(m, 'MSA-1'), get(m, 'QAK-2'), get(m, 'ERR-4')]).toEqual(['AE', 'NF', 'W']);
  });

  it('refuses to write a record for a query without a profile', () => {
    expect(() => build({ header: { messageControlId: 'x' } }, { kind: 'record', person: person() })).toThrow(
      RangeError,
    );
  });
});

describe('buildRsp: escaping', () => {
  const tricky = fc.string({
    unit: fc.oneof(
      fc.constantFrom('|', '^', '~', '\\', '&', '\r', '\n', 'a', ' '),
      fc.string({ minLength: 1, maxLength: 1 }),
    ),
    minLength: 1,
    maxLength: 12,
  });

  it('no value moves a field: every segment keeps its field count, and values read back', () => {
    fc.assert(
      fc.property(tricky, tricky, tricky, tricky, (first, street, lot, reason) => {
        const p = person({
          demographics: { first, last: 'X', dob: '1950-03-17', street },
          doses: [dose(1, { lot_number: lot, evaluation: { valid: false, reason } })],
        });
        const text = build(query('Z44'), { kind: 'record', person: p });
        const lines = text.split('\r').filter((l) => l !== '');
        // No value brought a line break of its own, and every line is a segment.
        expect(lines.every((l) => /^[A-Z][A-Z0-9]{2}\|/.test(l))).toBe(true);
        const m = parseMessage(text);
        expect(get(m, 'PID-5.2')).toBe(first);
        expect(get(m, 'PID-11.1')).toBe(street);
        expect(get(m, 'RXA-15')).toBe(lot);
        const reasonObx = m.segments.find((s) => s.id === 'OBX' && value(s, 3) === '30982-3');
        expect(value(reasonObx, 5)).toBe(reason);
        // The fields after the escaped ones are where they belong.
        expect(get(m, 'PID-7')).toBe('19500317');
        expect(get(m, 'RXA-17.1')).toBe('PFR');
        expect(value(reasonObx, 11)).toBe('F');
      }),
      { numRuns: 300 },
    );
  });
});
