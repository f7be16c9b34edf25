import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { countRecords } from '#files/count.ts';
import { readRecords } from '#files/reader.ts';
import { stream } from './streams.ts';

describe('the independent record count (cross-check of the reader)', () => {
  it('counts what the reader reads, for any bytes in any pieces: quotes, line breaks, delimiters, BOM (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('csv', 'cvrs'),
        fc.array(fc.constantFrom('a', ',', '"', '\n', '\r', '\r\n', '\t', ' ', 'é', '\uFEFF'), {
          maxLength: 40,
        }),
        fc.integer({ min: 1, max: 10 }),
        async (format, parts, pieces) => {
          const buf = Buffer.from(parts.join(''));
          let read: number | undefined = 0;
          try {
            for await (const _ of readRecords(stream(buf, pieces), format as 'csv')) read++;
          } catch {
            read = undefined; // an unclosed quote: the scan answers FILE010, there is nothing to count
          }
          if (read !== undefined) expect(await countRecords(stream(buf, pieces), format as 'csv')).toBe(read);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('a plan whose reader disagrees with the count is refused with FILE013, never answered with wrong counts', async () => {
    const { rowCountMismatch } = await import('#files/plan.ts');
    const f = rowCountMismatch(1502, 3001);
    expect(f).toMatchObject({ code: 'FILE013', severity: 'error', field: 'file' });
    expect(f.message).toMatch(/read as 1,502 records .* delimit 3,001/);
  });
});
