import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  formatMessage,
  formatSegment,
  get,
  Hl7ParseError,
  parseMessage,
  parsePath,
  parseSegment,
  put,
  repeat,
  repetitions,
  segment,
  splitLines,
  splitMessages,
  value,
} from '#codecs/hl7/message.ts';

const MSH = 'MSH|^~\\&|EHR|DE-000001||CAIRBA|20210310093015-0800||VXU^V04^VXU_V04|MSG-1|P|2.5.1';
const PID = 'PID|1||PAT-1^^^DE-000001^MR~SSN-9^^^SSA^SS||Doe^Jane^Q^^^^L||19800101|F';

describe('reading', () => {
  it.each([
    ['CR', '\r'],
    ['CRLF', '\r\n'],
    ['LF', '\n'],
  ])('splits segments on %s', (_name, sep) => {
    const msg = parseMessage([MSH, PID, ''].join(sep));
    expect(msg.segments.map((s) => s.id)).toEqual(['MSH', 'PID']);
  });

  it('ignores MLLP framing, a BOM and blank lines', () => {
    const msg = parseMessage(`\u000b\uFEFF${MSH}\r\r${PID}\r\u001c\r`);
    expect(msg.segments.map((s) => s.id)).toEqual(['MSH', 'PID']);
  });

  it('numbers MSH fields as the standard does: MSH-1 is the separator itself', () => {
    const msg = parseMessage(MSH);
    expect(get(msg, 'MSH-1')).toBe('|');
    expect(get(msg, 'MSH-2')).toBe('^~\\&');
    expect(get(msg, 'MSH-4')).toBe('DE-000001');
    expect(get(msg, 'MSH-9.2')).toBe('V04');
    expect(get(msg, 'MSH-12')).toBe('2.5.1');
  });

  it('reads components, repetitions and subcomponents with 1-based indexes', () => {
    const msg = parseMessage(`${MSH}\r${PID}\rRXA|0|1|20210310||||||||^^^DE-000001&A1B2C3&L`);
    expect(get(msg, 'PID-3.1')).toBe('PAT-1');
    expect(get(msg, 'PID-3[2].5')).toBe('SS');
    expect(get(msg, 'PID-5.2')).toBe('Jane');
    expect(get(msg, 'RXA-11.4.2')).toBe('A1B2C3');
    expect(get(msg, 'PID-99.1')).toBe('');
    const pid = msg.segments[1]!;
    expect(value(pid, 5, 7)).toBe('L');
    expect(repetitions(pid, 3)).toHaveLength(2);
  });

  it('uses the encoding characters MSH-1/MSH-2 declare', () => {
    const msg = parseMessage('MSH#$*!%#EHR#FAC\rPID#1##ID$$$AUTH$MR*X!F!Y#');
    expect(msg.encoding).toEqual({
      field: '#',
      component: '$',
      repetition: '*',
      escape: '!',
      subcomponent: '%',
    });
    expect(get(msg, 'PID-3.4')).toBe('AUTH');
    expect(get(msg, 'PID-3[2].1')).toBe('X#Y');
  });

  it.each([
    ['an empty text', ''],
    ['no MSH', 'PID|1'],
    ['too few encoding characters', 'MSH|^~|X'],
    ['repeated encoding characters', 'MSH|^^\\&|X'],
  ])('refuses %s', (_name, text) => {
    expect(() => parseMessage(text)).toThrow(Hl7ParseError);
  });

  it('splits a batch into messages, dropping batch and file headers', () => {
    const text = [
      'FHS|^~\\&',
      'BHS|^~\\&',
      MSH,
      PID,
      MSH.replace('MSG-1', 'MSG-2'),
      PID,
      'BTS|2',
      'FTS|1',
    ].join('\n');
    const messages = splitMessages(text);
    expect(messages).toHaveLength(2);
    expect(get(parseMessage(messages[1]!), 'MSH-10')).toBe('MSG-2');
    expect(messages[0]!.endsWith(`${PID}\r`)).toBe(true);
    expect(splitLines('a\r\n\r\nb\n')).toEqual(['a', 'b']);
  });
});

describe('writing', () => {
  it('builds segments from arrays, escaping values and leaving trailing empties off', () => {
    const pid = segment('PID', [
      '1',
      undefined,
      repeat(['PAT|1', null, null, 'DE-000001', 'MR'], ['X', '', '']),
      undefined,
      ['O^Brien', 'Ann & Lee', undefined, undefined],
      null,
    ]);
    expect(formatSegment(pid)).toBe('PID|1||PAT\\F\\1^^^DE-000001^MR~X||O\\S\\Brien^Ann \\T\\ Lee');
  });

  it('writes subcomponents and MSH with its encoding characters', () => {
    const msh = segment('MSH', ['APP', ['FAC', 'X&Y', 'L']]);
    expect(formatSegment(msh)).toBe('MSH|^~\\&|APP|FAC^X\\T\\Y^L');
    const rxa = segment('RXA', ['0', '1', undefined, undefined, undefined, undefined, undefined, undefined]);
    put(rxa, '11.4.1', 'DE-000001');
    put(rxa, 'RXA-11.4.2', 'A1B2C3');
    put(rxa, '11.16', '06067');
    put(rxa, '15', '');
    expect(formatSegment(rxa)).toBe('RXA|0|1|||||||||^^^DE-000001&A1B2C3^^^^^^^^^^^^06067');
  });

  it('refuses to put a value into the wrong segment or at index 0', () => {
    expect(() => put(segment('PID', []), 'RXA-3', 'x')).toThrow(RangeError);
    expect(() => parsePath('PID-0')).toThrow(RangeError);
    expect(() => parsePath('PID.5')).toThrow(RangeError);
  });

  it('ends every segment with CR', () => {
    expect(formatMessage([segment('MSH', ['A']), segment('PID', ['1'])])).toBe('MSH|^~\\&|A\rPID|1\r');
  });

  it('reads back every value it writes, whatever the value holds', () => {
    const leaf = fc.string({ unit: fc.constantFrom(...'|^~\\&\r\nab Z9é'), maxLength: 8 });
    const field = fc.array(
      fc.array(fc.array(leaf, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 3 }),
      {
        minLength: 1,
        maxLength: 3,
      },
    );
    fc.assert(
      fc.property(fc.array(field, { minLength: 1, maxLength: 6 }), (fields) => {
        const seg = segment('ZZZ', []);
        seg.fields.push(...fields);
        const back = parseSegment(formatSegment(seg));
        fields.forEach((reps, f) => {
          reps.forEach((comps, r) => {
            comps.forEach((subs, c) => {
              subs.forEach((s, i) => {
                expect(value(back, f + 1, c + 1, i + 1, r + 1)).toBe(s);
              });
            });
          });
        });
      }),
    );
  });

  it('writes back a parsed message unchanged', () => {
    const text = `${MSH}\r${PID}\rOBX|1|CE|64994-7^Eligibility^LN|1|V01^Not VFC eligible^HL70064||||||F\r`;
    const msg = parseMessage(text);
    expect(formatMessage(msg.segments, msg.encoding)).toBe(text);
  });
});
