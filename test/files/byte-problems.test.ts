import { Readable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { scanFile } from '#files/plan.ts';
import { doseFile, mixedKinds } from '../fixtures/files.ts';

/**
 * A file's problem does not depend on how S3 cuts it into pieces (found by the files fuzz target: a NUL 100 KB
 * into a file whose header names a column twice was FILE003 read in one piece, FILE007 in 64 KB pieces). The
 * bytes are judged over the whole file — too large, then binary, then not UTF-8 — before anything read from them.
 */
const inPieces = (bytes: Buffer, cuts: number[]) => {
  const at = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const pieces: Buffer[] = [];
  let from = 0;
  for (const c of [...at, bytes.length]) {
    if (c > from) pieces.push(bytes.subarray(from, c));
    from = Math.max(from, c);
  }
  return Readable.from(pieces);
};

const codeOf = async (bytes: Buffer, cuts: number[]) => {
  const res = await scanFile(inPieces(bytes, cuts), 'SITE1', 7);
  return res.ok ? 'ok' : res.problem.code;
};

describe('the problem of a file, however its bytes arrive', () => {
  it('a NUL far after a header naming a column twice: FILE003 in one piece and in 64 KB pieces', async () => {
    const text = doseFile(mixedKinds(400)).replace('\n', '\tvax_event_id\n');
    const bytes = Buffer.concat([Buffer.from(text), Buffer.from([0]), Buffer.from('\n')]);
    expect(bytes.length).toBeGreaterThan(70_000);
    expect(await codeOf(bytes, [])).toBe('FILE003');
    expect(await codeOf(bytes, [65_536])).toBe('FILE003');
  });

  it('is the same for every cut of a file with a NUL, a Latin-1 byte or a bad header anywhere (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 30 }),
        fc.boolean(),
        fc.option(fc.nat(), { nil: undefined }),
        fc.option(fc.nat(), { nil: undefined }),
        fc.array(fc.nat(), { maxLength: 6 }),
        async (rows, twice, nulAt, latin1At, cuts) => {
          let text = doseFile(mixedKinds(rows));
          if (twice) text = text.replace('\n', '\tcvx\n');
          let bytes = Buffer.from(text);
          const insert = (at: number, b: number) =>
            Buffer.concat([bytes.subarray(0, at), Buffer.from([b]), bytes.subarray(at)]);
          if (nulAt !== undefined) bytes = insert(nulAt % (bytes.length + 1), 0);
          if (latin1At !== undefined) bytes = insert(latin1At % (bytes.length + 1), 0xe9);
          const whole = await codeOf(bytes, []);
          expect(await codeOf(bytes, cuts)).toBe(whole);
          if (nulAt !== undefined) expect(whole).toBe('FILE003');
          else if (latin1At !== undefined) expect(whole).toBe('FILE001');
        },
      ),
      { numRuns: 150 },
    );
  });
});
