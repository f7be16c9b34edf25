/**
 * npm run validate cross-checks its row counts (issue 18, item 4): with the reader as it was before every line
 * ending ended a record (csv-parse taking the first line's ending as the file's), each mix of line endings was
 * answered with wrong counts and exit 0 (1,502 rows for 3,000 alternating LF/CRLF). Counts the reader and an
 * independent count of record delimiters disagree on, or chunks that re-read another number of rows than the
 * plan, now exit 1 with a clear message and never a results file with wrong counts.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { validate } from '../../scripts/validate.ts';
import { doseFile, LINE_ENDING_CASES, mixedKinds, withLineEndings } from '../fixtures/files.ts';
import { captureIo, tempDir } from './helpers.ts';

// The reader before commit a89fbff: no record_delimiter, so csv-parse guesses it from the first line.
vi.mock('#files/reader.ts', async (importOriginal) => {
  const original = await importOriginal<typeof import('#files/reader.ts')>();
  const { parse } = await import('csv-parse');
  async function* readRecords(source: Readable, format: 'cvrs' | 'csv', fromByte = 0) {
    const parser = source.pipe(
      parse({
        delimiter: format === 'cvrs' ? '\t' : ',',
        quote: format === 'cvrs' ? false : '"',
        bom: fromByte === 0,
        info: true,
        relax_column_count: true,
        relax_quotes: true,
        skip_empty_lines: true,
      }),
    );
    source.on('error', (err) => parser.destroy(err));
    for await (const r of parser as AsyncIterable<{ record: string[]; info: { bytes: number } }>)
      yield { cells: r.record, end: fromByte + r.info.bytes };
  }
  return { ...original, readRecords };
});

const dir = tempDir('validate-rowcount');
afterAll(() => dir.remove());

describe('npm run validate with a reader that merges rows', () => {
  it.each(
    LINE_ENDING_CASES.flatMap(([name, ending]) =>
      (['cvrs', 'csv'] as const).map((f) => [name, f, ending] as const),
    ),
  )('%s (%s): exits 1 with a clear message, never wrong counts', async (name, format, ending) => {
    const path = join(dir.path, `${name.replace(/\W+/g, '-')}.${format === 'cvrs' ? 'txt' : 'csv'}`);
    writeFileSync(path, withLineEndings(doseFile(mixedKinds(3000), format), ending));
    const { io, stdout, stderr } = captureIo();
    expect(await validate([path, '--site', 'SITE1'], io)).toBe(1);
    const said = stdout() + stderr();
    // Either the plan's count disagrees with the line breaks (FILE013, the results say so), or a chunk re-read
    // another number of rows than the plan (no results file at all).
    if (said.includes('FILE013')) {
      expect(said).toMatch(
        /read as [\d,]+ records \(header included\), but its line breaks outside quotes delimit 3,001/,
      );
    } else {
      expect(stderr()).toMatch(
        /row count check failed: part \d+ \(rows [\d,]+–[\d,]+\) read [\d,]+ rows where the plan counted [\d,]+/,
      );
      expect(existsSync(`${path}.results.csv`)).toBe(false);
    }
    expect(said).not.toMatch(/^rows\s+3,000/m);
  });
});
