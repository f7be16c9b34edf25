/**
 * Properties of the file reading: a record's findings do not depend on the line ends the file uses (LF, CRLF,
 * CR or a mix), and a file read in pieces, however cut, gives what the whole text gives.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { headersFor, validateCvrsStream, validateCvrsText } from '#cdc/validator/index.ts';
import { goodRecord, TODAY } from './helpers.ts';

const columns = headersFor('2');
const good = goodRecord();

const noLineBreak = (s: string) => !/[\t\r\n]/.test(s);
const cell = fc.oneof(
  fc.constantFrom(
    '',
    'Redacted',
    'UNK',
    'YES',
    'No',
    'F',
    'MI',
    '26001',
    '48877',
    '2020-10-04',
    '10/24/2020',
    '1',
  ),
  fc.string({ unit: 'binary', maxLength: 12 }).filter(noLineBreak),
);
const record = fc
  .record({
    id: fc.constantFrom('a', 'A', 'b', ''),
    changes: fc.dictionary(fc.constantFrom(...columns), cell, { maxKeys: 6 }),
  })
  .map(({ id, changes }) =>
    columns.map((c) => (c === 'vax_event_id' ? id : (changes[c] ?? good[c] ?? ''))).join('\t'),
  );
const rows = fc.array(record, { minLength: 1, maxLength: 6 });
const eol = fc.constantFrom('\n', '\r\n', '\r');

const file = (lines: string[], ends: string[]) =>
  [columns.join('\t'), ...lines].map((l, i) => l + ends[i % ends.length]).join('');
const recordFindings = (text: string) =>
  validateCvrsText(text, { today: TODAY }).findings.filter((f) => f.line > 0);

describe('line ends', () => {
  it('a record’s findings are the same whatever line ends the file uses', () => {
    fc.assert(
      fc.property(rows, fc.array(eol, { minLength: 1, maxLength: 7 }), (lines, mixed) => {
        const lf = recordFindings(file(lines, ['\n']));
        expect(recordFindings(file(lines, ['\r\n']))).toEqual(lf);
        expect(recordFindings(file(lines, ['\r']))).toEqual(lf);
        expect(recordFindings(file(lines, mixed))).toEqual(lf);
      }),
      { numRuns: 200 },
    );
  });

  it('the whole result, header findings included, is the same for LF and CRLF', () => {
    fc.assert(
      fc.property(rows, (lines) => {
        expect(validateCvrsText(file(lines, ['\r\n']), { today: TODAY })).toEqual(
          validateCvrsText(file(lines, ['\n']), { today: TODAY }),
        );
      }),
      { numRuns: 100 },
    );
  });
});

describe('streaming', () => {
  it('pieces cut anywhere (inside a CRLF, a UTF-8 character, the first 1,024 characters) change nothing', async () => {
    await fc.assert(
      fc.asyncProperty(
        rows,
        fc.array(eol, { minLength: 1, maxLength: 4 }),
        fc.array(fc.integer({ min: 1, max: 700 }), { minLength: 1, maxLength: 8 }),
        fc.boolean(),
        async (lines, ends, cuts, bom) => {
          const bytes = Buffer.from((bom ? '\uFEFF' : '') + file(lines, ends));
          const whole = validateCvrsText(bytes, { today: TODAY });
          async function* pieces() {
            let at = 0;
            for (let i = 0; at < bytes.length; i++) {
              const n = cuts[i % cuts.length]!;
              yield bytes.subarray(at, at + n);
              at += n;
            }
          }
          expect(await validateCvrsStream(pieces(), { today: TODAY })).toEqual(whole);
        },
      ),
      { numRuns: 150 },
    );
  });
});
