import { Readable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { countRecords } from '#files/count.ts';
import { scanFile } from '#files/plan.ts';
import { readRecords } from '#files/reader.ts';
import {
  alternating,
  doseFile,
  mixedKinds,
  withExtraColumns,
  withLineEndings,
  withQuotedBreaks,
} from '../fixtures/files.ts';
import { stream } from './streams.ts';

describe('scanFile (the planner pass)', () => {
  it('cuts any file into chunks on record boundaries that together read back every row exactly once (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 60 }),
        fc.integer({ min: 1, max: 17 }),
        fc.constantFrom('cvrs', 'csv'),
        fc.integer({ min: 1, max: 9 }),
        async (n, chunkRows, format, pieces) => {
          const text = doseFile(mixedKinds(n), format as 'cvrs' | 'csv');
          const res = await scanFile(stream(text, pieces), 'SITE1', chunkRows);
          if (!res.ok) throw new Error(res.problem.message);
          const { plan } = res;
          expect(plan.rows).toBe(n);
          expect(plan.chunks.reduce((s, c) => s + c.rows, 0)).toBe(n);
          const buf = Buffer.from(text);
          let row = 2;
          for (const c of plan.chunks) {
            expect(c.firstRow).toBe(row);
            const got = [];
            for await (const r of readRecords(stream(buf.subarray(c.start, c.end)), plan.format, c.start))
              got.push(r);
            expect(got.length).toBe(c.rows);
            row += c.rows;
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  it('finds repeated vax_event_ids across the whole file, and hashes the content', async () => {
    const kinds = mixedKinds(60);
    const res = await scanFile(stream(doseFile(kinds)), 'SITE1', 7);
    if (!res.ok) throw new Error(res.problem.message);
    const repeats = kinds.flatMap((k, i) => (k === 'repeat' ? [i + 2] : []));
    expect(Object.keys(res.plan.duplicates).map(Number)).toEqual(repeats);
    expect(res.plan.duplicates[repeats[0]!]).toBe(repeats[0]! - 1);
    expect(res.plan.sha256).toMatch(/^[a-f0-9]{64}$/);
  });

  it.each([
    ['binary', Buffer.concat([Buffer.from('vax_event_id\tcvx\n'), Buffer.from([0, 1, 2, 0])]), 'FILE003'],
    [
      'Windows-1252',
      Buffer.concat([
        Buffer.from(doseFile(mixedKinds(3), 'csv')),
        Buffer.from('E1,Jos'),
        Buffer.from([0xe9]),
        Buffer.from('\n'),
      ]),
      'FILE001',
    ],
    ['empty', Buffer.alloc(0), 'FILE002'],
    ['missing columns', Buffer.from('vax_event_id\trecip_id\nE1\tR1\n'), 'FILE006'],
    ['unclosed quote', Buffer.from(`${doseFile([], 'csv')}"E1,R1\n`), 'FILE010'],
  ])('rejects a %s file as a whole', async (_name, content, code) => {
    const res = await scanFile(stream(content), 'SITE1');
    expect(res).toMatchObject({ ok: false, problem: { code, severity: 'error', field: 'file' } });
  });

  it('gives a file that is not UTF-8 the same problem however S3 cuts the stream (found by the files fuzz target)', async () => {
    // BOM, one Latin-1 byte, then the header: cut right after the E9, the header was read from the first piece and
    // its FILE005 overwrote the FILE001 the second piece had already shown.
    const bytes = Buffer.concat([
      Buffer.from([0xef, 0xbb, 0xbf, 0xe9]),
      Buffer.from(doseFile(mixedKinds(2))),
    ]);
    for (const split of [1, 3, 4, 5, 20, bytes.length]) {
      const pieces = [bytes.subarray(0, split), bytes.subarray(split)].filter((b) => b.length > 0);
      const res = await scanFile(Readable.from(pieces), 'SITE1');
      expect(res, `split at ${split}`).toMatchObject({ ok: false, problem: { code: 'FILE001' } });
    }
  });
});

describe('a plan read back from JSON (issue 18, item 5)', () => {
  it('keeps ignored columns ignored: no row of a file with an unknown column gets DQ016 "null"', async () => {
    const { chunkInputs } = await import('#files/process-chunk.ts');
    const plain = doseFile(mixedKinds(100), 'cvrs');
    // A CVRS v1-style file: v2's columns plus the two v1 has (vax_prov_suffix, recip_missed_appt), ignored.
    const text = withExtraColumns(plain, ['vax_prov_suffix', 'recip_missed_appt']);
    const res = await scanFile(stream(text), 'SITE1', 1000);
    if (!res.ok) throw new Error(res.problem.message);
    expect(res.plan.header.notes).toEqual([expect.objectContaining({ code: 'FILE008' })]);
    // What the worker reads: the plan as the planner saved it (JSON has no undefined, so it writes null).
    const saved = JSON.parse(JSON.stringify(res.plan));
    const rows = async function* () {
      let first = true;
      for await (const r of readRecords(stream(text), 'cvrs')) {
        if (first) first = false;
        else yield r;
      }
    };
    const offline = await chunkInputs(rows(), res.plan, 2, 'u');
    const dropped = await chunkInputs(rows(), saved, 2, 'u');
    expect(dropped.inputs).toEqual(offline.inputs);
    expect(dropped.inputs.every((i) => !('null' in i) && !('undefined' in i))).toBe(true);
    expect(Object.keys(dropped.inputs[0]!)).not.toContain('vax_prov_suffix');
    const { parsePlan } = await import('#files/plan.ts');
    expect(parsePlan(JSON.stringify(res.plan))).toEqual(res.plan);
  });
});

describe('quoted values with line breaks across chunk boundaries (issue 18, item 4)', () => {
  it('every row gets the same verdict whichever chunk it falls in, however the file is cut', async () => {
    const { mkdtempSync, rmSync, writeFileSync, createReadStream } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { checkChunks } = await import('#files/validate-file.ts');
    const dir = mkdtempSync(join(tmpdir(), 'quoted-breaks-'));
    try {
      // 300 rows, mixed line endings; every 3rd row's street has a quoted LF, CRLF or CR in it.
      const breaks = ['\n', '\r\n', '\r'];
      let text = withLineEndings(doseFile(mixedKinds(300), 'csv'), alternating(true));
      for (const [k, brk] of breaks.entries()) text = withQuotedBreaks(text, (row) => row % 9 === k * 3, brk);
      const path = join(dir, 'breaks.csv');
      writeFileSync(path, text);
      expect(await countRecords(stream(text), 'csv')).toBe(301);
      const verdicts = async (chunkRows: number) => {
        const res = await scanFile(createReadStream(path), 'SITE1', chunkRows);
        if (!res.ok) throw new Error(res.problem.message);
        expect(res.plan.rows).toBe(300);
        const all: unknown[] = [];
        await checkChunks(path, res.plan, 'SITE1', new Date('2021-04-01T12:00:00Z'), (_c, results) => {
          all.push(...results);
        });
        return all;
      };
      const whole = await verdicts(2000);
      expect(whole).toHaveLength(300);
      // The quoted rows are read as the rows they are: their IDs in order, none merged with the next.
      expect(whole.map((r) => (r as { vax_event_id?: string }).vax_event_id)).toEqual(
        mixedKinds(300).map((k, i) => `F-${k === 'repeat' ? i - 1 : i}`),
      );
      // Chunks of 1, 2, 4 and 7 rows start right after, right before and in between the quoted line breaks.
      for (const chunkRows of [1, 2, 4, 7])
        expect(await verdicts(chunkRows), `chunks of ${chunkRows}`).toEqual(whole);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
