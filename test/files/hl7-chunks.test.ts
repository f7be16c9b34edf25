import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sniff } from '#files/format.ts';
import { scanFile } from '#files/plan.ts';
import { stream } from './streams.ts';

describe('HL7 batch files', () => {
  const message = (n: number) =>
    `MSH|^~\\&|EHR|CLINIC|||20210311||VXU^V04^VXU_V04|M${n}|P|2.5.1\rPID|1||P${n}\rRXA|0|1|20210310\r`;
  const batch = (n: number, eol: string) =>
    [
      `FHS|^~\\&|EHR`,
      `BHS|^~\\&|EHR`,
      ...Array.from({ length: n }, (_, i) => message(i).replaceAll('\r', eol).trimEnd()),
      'BTS|',
      'FTS|',
      '',
    ].join(eol);

  it('is recognized by content and cut into chunks of whole messages, however the bytes arrive (property)', async () => {
    expect(sniff(Buffer.from(batch(1, '\r')))).toEqual({ format: 'hl7' });
    expect(sniff(Buffer.from(message(1)))).toEqual({ format: 'hl7' });
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 5 }),
        fc.constantFrom('\r', '\n', '\r\n'),
        fc.integer({ min: 1, max: 9 }),
        async (n, chunkRows, eol, pieces) => {
          const text = batch(n, eol);
          const res = await scanFile(stream(text, pieces), 'SITE1', chunkRows);
          if (!res.ok) throw new Error(res.problem.message);
          expect(res.plan.rows).toBe(n);
          const buf = Buffer.from(text);
          const ids: string[] = [];
          let row = 1;
          for (const c of res.plan.chunks) {
            expect(c.firstRow).toBe(row);
            const { readHl7Messages } = await import('#files/hl7-reader.ts');
            for await (const r of readHl7Messages(stream(buf.subarray(c.start, c.end)), c.start))
              ids.push(/\|M(\d+)\|/.exec(r.cells[0]!)![1]!);
            row += c.rows;
          }
          expect(ids).toEqual(Array.from({ length: n }, (_, i) => String(i)));
        },
      ),
      { numRuns: 60 },
    );
  });
});
