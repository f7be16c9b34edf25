import { Readable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { countRecords } from '#files/count.ts';
import { readHeader, rowToInput, sniff } from '#files/format.ts';
import { parseIncomingKey, safeName } from '#files/keys.ts';
import { scanFile } from '#files/plan.ts';
import { readRecords } from '#files/reader.ts';
import { neutralize, resultRows } from '#files/results.ts';
import {
  alternating,
  doseFile,
  LINE_ENDING_CASES,
  mixedKinds,
  withExtraColumns,
  withLineEndings,
  withQuotedBreaks,
} from '../fixtures/files.ts';

const stream = (text: string | Buffer, pieces = 3) => {
  const buf = Buffer.isBuffer(text) ? text : Buffer.from(text);
  const size = Math.ceil(buf.length / pieces) || 1;
  return Readable.from(
    Array.from({ length: Math.ceil(buf.length / size) }, (_, i) => buf.subarray(i * size, (i + 1) * size)),
  );
};

describe('format recognition', () => {
  it('recognizes CVRS and CSV by content, tolerates a BOM, and refuses empty, binary and headerless files', () => {
    expect(sniff(Buffer.from('vax_event_id\tcvx\n1\t207\n'))).toEqual({ format: 'cvrs' });
    expect(sniff(Buffer.from('\uFEFFvax_event_id,cvx\n'))).toEqual({ format: 'csv' });
    expect(sniff(Buffer.from(''))).toMatchObject({ problem: { code: 'FILE002' } });
    expect(sniff(Buffer.from('\uFEFF  \n'))).toMatchObject({ problem: { code: 'FILE002' } });
    expect(sniff(Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0x01]))).toMatchObject({
      problem: { code: 'FILE003' },
    });
    expect(sniff(Buffer.from('hello world\n'))).toMatchObject({ problem: { code: 'FILE005' } });
  });

  it('names the required columns a header lacks, and reports extra columns without failing', () => {
    const missing = readHeader(['vax_event_id', 'recip_id', 'recip_first_name'], 'cvrs');
    expect(missing).toMatchObject({ problem: { code: 'FILE006' } });
    expect((missing as { problem: { message: string } }).problem.message).toMatch(/admin_date.*cvx/);
    const cols = doseFile([]).split('\n')[0]!.split('\t');
    const ok = readHeader([...cols, 'Clinic Notes'], 'cvrs');
    expect(ok).toMatchObject({ format: 'cvrs', notes: [{ code: 'FILE008', severity: 'warning' }] });
  });

  it('maps columns in any order and flags short rows', () => {
    const header = readHeader(
      [
        'cvx',
        'vax_event_id',
        'junk',
        'recip_id',
        'admin_date',
        'recip_dob',
        'recip_first_name',
        'recip_last_name',
        'recip_sex',
        'recip_race_1',
        'recip_ethnicity',
        'dose_num',
        'vax_series_complete',
        'vax_refusal',
        'cmorbid_status',
        'serology',
      ],
      'csv',
    );
    if ('problem' in header) throw new Error(header.problem.message);
    expect(rowToInput(['207', 'E1', 'x', 'R1'], header)).toMatchObject({
      input: { cvx: '207', vax_event_id: 'E1', recip_id: 'R1' },
      findings: [{ code: 'DATA005', field: 'row' }],
    });
  });
});

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

describe('results', () => {
  it('neutralizes spreadsheet formulas in cells taken from the file', () => {
    expect(neutralize('=HYPERLINK("x")')).toBe('\'=HYPERLINK("x")');
    expect(neutralize('+1')).toBe("'+1");
    expect(neutralize('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(neutralize('E-1')).toBe('E-1');
    expect(neutralize(' =1+1')).toBe("' =1+1");
    expect(neutralize('\n@x')).toBe("'\n@x");
    expect(neutralize('＝cmd')).toBe("'＝cmd");
    const line = resultRows(2, [{ vax_event_id: '=cmd', status: 'rejected', issues: [] }]);
    expect(line).toBe("2,'=cmd,rejected,,\n");
  });
});

describe('dropped keys', () => {
  it('attributes keys to sites and uploads; ignores keys outside incoming/<site>/', () => {
    expect(parseIncomingKey('incoming/SITE1/up_0123456789abcdef0123/day.csv', 'e')).toEqual({
      iis_id: 'SITE1',
      upload_id: 'up_0123456789abcdef0123',
      name: 'day.csv',
    });
    const direct = parseIncomingKey('incoming/site1/2021/03/day one.txt', 'etag1')!;
    expect(direct).toMatchObject({ iis_id: 'SITE1', name: 'day one.txt' });
    expect(direct.upload_id).toBe(parseIncomingKey('incoming/site1/2021/03/day one.txt', 'etag1')!.upload_id);
    expect(direct.upload_id).not.toBe(
      parseIncomingKey('incoming/site1/2021/03/day one.txt', 'etag2')!.upload_id,
    );
    expect(parseIncomingKey('results/SITE1/x.csv', 'e')).toBeUndefined();
    expect(parseIncomingKey('incoming/x.csv', 'e')).toBeUndefined();
    expect(safeName('../etc/passwd')).toBeUndefined();
    expect(safeName('clinic day.csv')).toBe('clinic day.csv');
  });
});

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
