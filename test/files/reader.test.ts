import type { Readable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { countRecords } from '#files/count.ts';
import { scanFile } from '#files/plan.ts';
import { readRecords } from '#files/reader.ts';
import { alternating, doseFile, LINE_ENDING_CASES, mixedKinds, withLineEndings } from '../fixtures/files.ts';
import { stream } from './streams.ts';

describe('reading records', () => {
  it('reads RFC 4180 CSV: embedded commas, quotes, line breaks, CRLF', async () => {
    const text = 'a,b\r\n"x, y","say ""hi"""\r\n"multi\nline",z\r\n';
    const recs = [];
    for await (const r of readRecords(stream(text), 'csv')) recs.push(r);
    expect(recs.map((r) => r.cells)).toEqual([
      ['a', 'b'],
      ['x, y', 'say "hi"'],
      ['multi\nline', 'z'],
    ]);
    expect(recs.at(-1)!.end).toBe(Buffer.byteLength(text));
  });

  it('reads CVRS without quoting: a quote is data', async () => {
    const recs = [];
    for await (const r of readRecords(stream('a\tb\n"q\tz\n'), 'cvrs')) recs.push(r.cells);
    expect(recs).toEqual([
      ['a', 'b'],
      ['"q', 'z'],
    ]);
  });
});

describe('mixed line endings (issue 12, defect 2)', () => {
  const collect = async (source: Readable, format: 'cvrs' | 'csv', from = 0) => {
    const recs = [];
    for await (const r of readRecords(source, format, from)) recs.push(r);
    return recs;
  };

  it.each([
    ['cvrs', false],
    ['cvrs', true],
    ['csv', false],
    ['csv', true],
  ] as const)(
    'reads a 3,000-row %s file alternating LF and CRLF (CRLF first: %s) as 3,000 rows',
    async (format, crlfFirst) => {
      const plain = doseFile(mixedKinds(3000), format);
      const text = withLineEndings(plain, alternating(crlfFirst));
      const want = await collect(stream(plain, 7), format);
      const got = await collect(stream(text, 7), format);
      expect(got).toHaveLength(3001);
      expect(got.map((r) => r.cells)).toEqual(want.map((r) => r.cells));
      expect(got.at(-1)!.end).toBe(Buffer.byteLength(text));
      const res = await scanFile(stream(text, 7), 'SITE1', 37);
      if (!res.ok) throw new Error(res.problem.message);
      expect(res.plan.rows).toBe(3000);
      const buf = Buffer.from(text);
      let rows = 0;
      for (const c of res.plan.chunks) {
        const part = await collect(stream(buf.subarray(c.start, c.end)), format, c.start);
        expect(part.map((r) => r.cells)).toEqual(want.slice(1 + rows, 1 + rows + c.rows).map((r) => r.cells));
        rows += c.rows;
      }
      expect(rows).toBe(3000);
    },
  );

  it('ends each record exactly after its own LF, CRLF or CR, however the bytes arrive (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('cvrs', 'csv'),
        fc.integer({ min: 0, max: 50 }),
        fc.array(fc.constantFrom('\n', '\r\n', '\r'), { minLength: 1, maxLength: 60 }),
        fc.integer({ min: 1, max: 13 }),
        fc.integer({ min: 1, max: 40 }),
        async (format, n, endings, chunkRows, pieces) => {
          const plain = doseFile(mixedKinds(n), format as 'cvrs' | 'csv');
          const text = withLineEndings(plain, (i) => endings[i % endings.length]!);
          const want = (await collect(stream(plain), format as 'cvrs' | 'csv')).map((r) => r.cells);
          const got = await collect(stream(text, pieces), format as 'cvrs' | 'csv');
          expect(got.map((r) => r.cells)).toEqual(want);
          // Each end is just past the line ending written for that line.
          let at = 0;
          got.forEach((r, i) => {
            at += Buffer.byteLength(text.split(/\r\n|\n|\r/)[i]!) + endings[i % endings.length]!.length;
            expect(r.end).toBe(at);
          });
          const res = await scanFile(stream(text, pieces), 'SITE1', chunkRows);
          if (!res.ok) throw new Error(res.problem.message);
          expect(res.plan.rows).toBe(n);
          const buf = Buffer.from(text);
          const reread = [];
          for (const c of res.plan.chunks) {
            const part = await collect(
              stream(buf.subarray(c.start, c.end), pieces),
              format as 'cvrs' | 'csv',
              c.start,
            );
            expect(part).toHaveLength(c.rows);
            expect(part.at(-1)?.end).toBe(c.end);
            reread.push(...part.map((r) => r.cells));
          }
          expect(reread).toEqual(want.slice(1));
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('the line-ending mixes of issue 18 (item 4), 3,000 rows each', () => {
  const collect = async (source: Readable, format: 'cvrs' | 'csv', from = 0) => {
    const recs = [];
    for await (const r of readRecords(source, format, from)) recs.push(r.cells);
    return recs;
  };

  it.each(
    LINE_ENDING_CASES.flatMap(([name, ending]) =>
      (['cvrs', 'csv'] as const).flatMap((format) =>
        [2000, 37].map((rows) => [name, format, rows, ending] as const),
      ),
    ),
  )(
    '%s (%s, chunks of %i): 3,000 rows planned, every chunk re-reads its own rows',
    async (_, format, chunkRows, ending) => {
      const plain = doseFile(mixedKinds(3000), format);
      const text = withLineEndings(plain, ending);
      const want = await collect(stream(plain, 5), format);
      expect(await countRecords(stream(text, 5), format)).toBe(3001);
      const res = await scanFile(stream(text, 5), 'SITE1', chunkRows);
      if (!res.ok) throw new Error(res.problem.message);
      expect(res.plan.rows).toBe(3000);
      const buf = Buffer.from(text);
      const reread = [];
      for (const c of res.plan.chunks) {
        const part = await collect(stream(buf.subarray(c.start, c.end), 3), format, c.start);
        expect(part).toHaveLength(c.rows);
        reread.push(...part);
      }
      expect(reread).toEqual(want.slice(1));
    },
  );
});
