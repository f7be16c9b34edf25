/**
 * (b) Dropped and offline-validated CVRS/CSV files: the planner's scan (shared/files/plan.ts scanFile, with the
 * record counter), the byte-range chunks it cuts, each chunk read as the worker reads it (shared/files/reader.ts,
 * shared/files/process-chunk.ts chunkInputs) and checked by the intake in a dry run (checkChunks), against
 * offline validation of the whole file (validateFile, what `npm run validate` runs). Files are made from valid
 * doses and made hostile: LF/CRLF/CR mixed per line, byte order marks, quoted line breaks (which fall across
 * chunk boundaries), NUL bytes, Latin-1 bytes, 50,000-character cells, duplicate, reordered and unknown columns,
 * header only, blank and trailing blank lines, CVRS v1 headers, short and long rows, broken quoting.
 *
 * Invariants: files.no-crash; files.rows (the plan counts exactly the rows written, and a NUL or Latin-1 byte is
 * a file-level problem); files.result-lines (one results line per row, counts add up); files.chunk-invariance
 * (every row's results line is the same whichever chunk it falls in, and the same as offline validation's);
 * files.echo-cap (no file finding repeats more than 64 characters of a header cell).
 */
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { parse } from 'csv-parse/sync';
import { scanFile } from '#files/plan.ts';
import { resultRows } from '#files/results.ts';
import { checkChunks, validateFile } from '#files/validate-file.ts';
import { MAX_ECHO } from '#platform/findings.ts';
import { fileBytes, headerUsable, pieces } from './files-bytes.ts';
import { BASE_COLUMNS, type FileInput, fileInput } from './files-input.ts';
import { bump, type FuzzContext, type FuzzTarget, invariant, noCrash } from './harness.ts';
import { brief, overlongWindows, stringsOf } from './shapes.ts';

const NOW = new Date('2021-03-12T18:00:00Z');
const SITE = 'FUZZSITE';

class Collect extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: string, done: () => void) {
    this.text += chunk.toString('utf8');
    done();
  }
}

const path = join(tmpdir(), `fuzz-file-${process.pid}.txt`);

async function check(input: FileInput, ctx: FuzzContext): Promise<void> {
  const { bytes, rows, broken } = fileBytes(input);
  writeFileSync(path, bytes);
  bump(ctx, 'rows', rows);

  // Offline validation of the whole file (npm run validate), cut by the planner's own chunk size.
  const out = new Collect();
  const whole = await noCrash(ctx, 'files.no-crash', () => validateFile(path, SITE, out, NOW));
  if (!whole) return;
  const lines: string[][] = parse(out.text, { relax_column_count: true });
  // The planner's scan of the same bytes, streamed in pieces, cut into small chunks.
  const small = await noCrash(ctx, 'files.no-crash', () =>
    scanFile(pieces(bytes, input.splits), SITE, input.chunkRows),
  );
  if (!small) return;

  const problem =
    whole.counts.rows === 0 && whole.fileFindings.some((f) => f.severity === 'error')
      ? whole.fileFindings[0]
      : undefined;
  invariant(
    ctx,
    'files.rows',
    small.ok === (whole.format !== undefined),
    () =>
      `the small plan ${small.ok ? `read ${small.plan.rows} rows` : `failed ${small.problem.code}`} but offline validation ${whole.format ? `read ${whole.counts.rows}` : `failed ${Object.keys(whole.counts.byCode).join(',')}`}`,
  );
  // A file refused as a whole is refused for the same reason however its bytes arrive.
  if (!small.ok && !whole.format)
    invariant(
      ctx,
      'files.same-problem',
      small.problem.code === Object.keys(whole.counts.byCode)[0],
      () =>
        `streamed in pieces the file is refused with ${small.problem.code}, read whole with ${Object.keys(whole.counts.byCode)[0]}`,
    );
  if (broken === 'nul' || broken === 'latin1') {
    bump(ctx, 'file_problems');
    const code = Object.keys(whole.counts.byCode)[0];
    invariant(
      ctx,
      'files.rows',
      !small.ok && whole.counts.rows === 0 && code !== undefined,
      () => `a ${broken} byte was read as ${whole.counts.rows} rows (${code ?? 'no file finding'})`,
    );
    return;
  }
  if (!small.ok || problem) {
    bump(ctx, 'file_problems');
    // Refused as a whole: only when the file is broken or its header unusable, and said once.
    invariant(
      ctx,
      'files.result-lines',
      lines.length === 2 && lines[1]![0] === 'file',
      () => `a refused file has ${lines.length} results lines`,
    );
    const code = small.ok ? problem!.code : small.problem.code;
    // Told apart so the known open defect of sniffing (test/fuzz/known.ts) does not hide others.
    const crHeaderTab =
      input.format === 'csv' &&
      input.endings[0] === '\r' &&
      bytes.subarray(0, bytes.indexOf(0x0a) >>> 0).includes(0x09);
    invariant(
      ctx,
      crHeaderTab ? 'files.sniff-cr-header' : 'files.rows',
      broken === 'quote' ||
        (!headerUsable(input.columns) && ['FILE005', 'FILE006', 'FILE007'].includes(code)),
      () =>
        `a file of ${rows} well-formed rows was refused with ${code}: ${small.ok ? problem!.message : small.problem.message}`,
    );
    return;
  }
  bump(ctx, 'files_read');
  const plan = small.plan;
  // An unclosed quote makes the rows whatever the quotes say (a later quote may close it): counts must agree.
  const expected = broken === 'quote' ? plan.rows : rows;
  invariant(
    ctx,
    'files.rows',
    plan.rows === expected && whole.counts.rows === expected,
    () =>
      `${rows} rows written; the small plan counted ${plan.rows}, offline validation ${whole.counts.rows}`,
  );
  // Chunks tile the rows: contiguous byte ranges, consecutive rows, each of at most chunkRows.
  let expectRow = 2;
  for (const [i, c] of plan.chunks.entries()) {
    invariant(
      ctx,
      'files.rows',
      c.firstRow === expectRow &&
        c.rows > 0 &&
        c.rows <= input.chunkRows &&
        (i === 0 || plan.chunks[i - 1]!.end === c.start),
      () => `chunk ${i} ${JSON.stringify(c)} does not follow the one before`,
    );
    expectRow += c.rows;
  }
  const c = whole.counts;
  invariant(
    ctx,
    'files.result-lines',
    lines.length === expected + 1 && c.accepted + c.rejected + c.duplicates === expected,
    () =>
      `${expected} rows gave ${lines.length - 1} results lines (${c.accepted} accepted, ${c.rejected} rejected, ${c.duplicates} duplicates)`,
  );

  // Each row's results line, read chunk by chunk as the workers read it, is the whole file's.
  let chunked = '';
  const ran = await noCrash(ctx, 'files.no-crash', () =>
    checkChunks(path, plan, SITE, NOW, (chunk, results) => {
      chunked += resultRows(chunk.firstRow, results);
    }).then(() => true),
  );
  if (!ran) return;
  const wholeRows = out.text.slice(out.text.indexOf('\n') + 1);
  if (chunked !== wholeRows) {
    const a: string[][] = parse(chunked, { relax_column_count: true });
    const b = lines.slice(1);
    const at = a.findIndex((r, i) => JSON.stringify(r) !== JSON.stringify(b[i]));
    invariant(
      ctx,
      'files.chunk-invariance',
      false,
      () =>
        `row ${at + 2} in chunks of ${input.chunkRows}: ${brief(a[at])} but whole file: ${brief(b[at])} (${a.length} vs ${b.length} lines)`,
    );
  }

  // A finding about the header repeats no more than MAX_ECHO characters of a cell.
  const said = stringsOf(whole.fileFindings).join('\n');
  for (const col of input.columns)
    for (const w of overlongWindows(col, MAX_ECHO))
      invariant(
        ctx,
        'files.echo-cap',
        !said.includes(w),
        () => `a file finding repeats ${[...w].length}+ characters of a ${col.length}-character header cell`,
      );
}

export const filesTarget: FuzzTarget<FileInput> = {
  name: 'files',
  covers:
    'scanFile (sniff, RecordCounter, readHeader, chunking), readRecords over byte ranges, chunkInputs/rowToInput, submitDoses dry run (checkChunks), validateFile (npm run validate)',
  arbitrary: fileInput,
  check,
  show: (input) => {
    const { bytes, rows } = fileBytes(input);
    const { columns, rows: _rows, ...rest } = input;
    const standard = columns.join() === BASE_COLUMNS.join();
    return `${brief({ ...rest, columns: standard ? '(the CVRS columns)' : columns, rows: input.rows }, 1200)}\n  ${rows} rows; bytes (latin1): ${brief(bytes.toString('latin1'), 1500)}`;
  },
};
