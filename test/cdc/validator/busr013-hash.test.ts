/**
 * BUSR013's exact condition: CDC flags a repeated id unless the earlier record's hash XOR its line equals this
 * record's hash (commons-lang Pair.hashCode against CVRSExtract.hashCode). A record is built to meet that
 * condition exactly, so the hash is checked bit for bit through every path that takes it: from the line (file in
 * memory, hashed only when the id repeats), as the record arrives (streamed), and from the values when a column
 * is named twice.
 */
import { describe, expect, it } from 'vitest';
import { headersFor, validateCvrsStream, validateCvrsText } from '#cdc/validator/index.ts';
import { cvrsFile, goodRecord, TODAY } from './helpers.ts';

/** CVRSExtract.hashCode, written as CDC wrote it: over the 47 fields in declaration order (v1's header order). */
function javaRecordHash(record: Record<string, string>): number {
  let acc = 0;
  for (const f of headersFor('1')) {
    const v = f === 'vax_prov_suffix' || f === 'recip_missed_appt' ? null : (record[f] ?? null);
    let h = 0;
    if (v !== null) for (const c of v) h = (Math.imul(h, 31) + c.charCodeAt(0)) | 0;
    acc = Math.imul((acc + h) | 0, 31);
  }
  return acc === 0 ? 31 : acc;
}

const stringHash = (s: string) => [...s].reduce((h, c) => (Math.imul(h, 31) + c.charCodeAt(0)) | 0, 0);

/** A 7-character string with the given String.hashCode (digits of base 31 on 'A'…'_'). */
function withHash(target: number): string {
  let offset = 0;
  for (let i = 0; i < 7; i++) offset = (Math.imul(offset, 31) + 65) | 0;
  let rest = (target - offset) >>> 0;
  const chars: string[] = [];
  for (let i = 0; i < 7; i++) {
    chars.unshift(String.fromCharCode(65 + (rest % 31)));
    rest = Math.floor(rest / 31);
  }
  return chars.join('');
}

/** The inverse of an odd number modulo 2^32 (Newton's iteration). */
function inverse(w: number): number {
  let x = w;
  for (let i = 0; i < 5; i++) x = Math.imul(x, (2 - Math.imul(w, x)) | 0);
  return x;
}

const first = { ...goodRecord(), vax_event_id: 'dup', recip_id: 'X' };
// recip_id is the 4th field: weight 31^44 in the hash.
let weight = 1;
for (let i = 0; i < 44; i++) weight = Math.imul(weight, 31);
const wanted = javaRecordHash(first) ^ 1; // the first record is line 1
const shift = Math.imul((wanted - javaRecordHash(first)) | 0, inverse(weight));
const silent = { ...first, recip_id: withHash((stringHash('X') + shift) | 0) };
const flagged = { ...first, recip_id: 'Y' };

async function* bytes(text: string) {
  yield Buffer.from(text);
}

describe('BUSR013 against CDC’s hashes', () => {
  it('the record built to meet the condition does (a check on this test itself)', () => {
    expect(javaRecordHash(silent)).toBe(javaRecordHash(first) ^ 1);
  });

  it.each([
    ['CDC’s header', headersFor('2')],
    ['a column named twice (the later one counts)', [...headersFor('2'), 'recip_id']],
  ])(
    'with %s: silent on the built record, flagged on another, in memory and streamed',
    async (_, columns) => {
      for (const [second, expected] of [
        [silent, []],
        [flagged, ['Value of vax_event_id (dup) duplicates vax_event_id at line 1']],
      ] as const) {
        const text = cvrsFile([first, second], { columns });
        const messages = (r: { findings: { code: string; message: string }[] }) =>
          r.findings.filter((f) => f.code === 'BUSR013').map((f) => f.message);
        expect(messages(validateCvrsText(text, { today: TODAY }))).toEqual(expected);
        expect(messages(await validateCvrsStream(bytes(text), { today: TODAY }))).toEqual(expected);
      }
    },
  );
});
