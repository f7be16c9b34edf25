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
import { Readable, Writable } from 'node:stream';
import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { CVRS_FIELDS } from '#doses/fields.ts';
import { REQUIRED_COLUMNS } from '#files/format.ts';
import { scanFile } from '#files/plan.ts';
import { resultRows } from '#files/results.ts';
import { checkChunks, validateFile } from '#files/validate-file.ts';
import { MAX_ECHO } from '#platform/findings.ts';
import { bump, type FuzzContext, type FuzzTarget, invariant, noCrash } from './harness.ts';
import { brief, longText, marker, modernaDose, NASTY_CHARS, overlongWindows, stringsOf } from './shapes.ts';

const NOW = new Date('2021-03-12T18:00:00Z');
const SITE = 'FUZZSITE';
const BASE_COLUMNS = CVRS_FIELDS.filter((f) => f !== 'ext_type' && f !== 'pprl_id');
const V1_EXTRA = ['vax_prov_suffix', 'recip_missed_appt'];

type Ending = '\n' | '\r\n' | '\r';
type Row =
  | { kind: 'data'; changes: Record<number, string>; extraCells: number; dropCells: number }
  | { kind: 'blank' }
  | { kind: 'spaces' };

export interface FileInput {
  format: 'cvrs' | 'csv';
  columns: string[];
  rows: Row[];
  /** Line ending of the header and of each row (cycled). */
  endings: Ending[];
  lastEnding: boolean;
  trailingBlank: number;
  bom: boolean;
  corrupt: { kind: 'none' } | { kind: 'nul' | 'latin1'; at: number } | { kind: 'open-quote'; row: number };
  /** Rows per chunk for the small plan (the planner's own cut, with a smaller size). */
  chunkRows: number;
  /** Byte positions at which the stream given to the scan is split. */
  splits: number[];
  /** Two rows share an ID (a duplicate, or a conflict when they differ). */
  repeat: { kind: 'none' } | { kind: 'same' | 'conflict'; of: number; at: number };
}

const cellValue = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.string({
      unit: fc.constantFrom(...NASTY_CHARS.filter((c) => c !== '\u0000'), ...'abcXYZ019 '),
      maxLength: 12,
    }),
  },
  { weight: 2, arbitrary: marker },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '',
      ' ',
      '"',
      '""',
      '"a"',
      'a"b',
      ',',
      '\t',
      '\n',
      '\r\n',
      '\r',
      '=1+1',
      '2021-02-30',
      '1/1/2021',
    ),
  },
  { weight: 1, arbitrary: fc.nat().map((n) => longText(n % 3 === 0 ? 50_000 : 300, n)) },
);

/** `arb` one time in `n`, else null. */
const rarely = <T>(arb: fc.Arbitrary<T>, n: number) =>
  fc.oneof({ weight: n - 1, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: arb });

const columnsArb = fc
  .record({
    order: fc.oneof(
      { weight: 3, arbitrary: fc.constant(BASE_COLUMNS) },
      {
        weight: 2,
        arbitrary: fc.shuffledSubarray(BASE_COLUMNS, {
          minLength: BASE_COLUMNS.length,
          maxLength: BASE_COLUMNS.length,
        }),
      },
    ),
    v1: fc.boolean(),
    unknown: fc.array(
      fc.oneof(
        fc.constantFrom('notes', 'Phone', 'x y', '__proto__', 'constructor'),
        fc.nat().map((n) => `col_${longText(n % 4 === 0 ? 5_000 : 20, n)}`),
      ),
      { maxLength: 2 },
    ),
    duplicate: rarely(fc.constantFrom(...BASE_COLUMNS), 8),
    drop: rarely(fc.constantFrom(...BASE_COLUMNS), 8),
    upper: fc.boolean(),
  })
  .map(({ order, v1, unknown, duplicate, drop, upper }) => {
    let cols: string[] = [...order];
    if (v1) cols.push(...V1_EXTRA);
    cols.push(...unknown.map((u) => u.replace(/[\t,\r\n"]/g, '_')));
    if (duplicate) cols.push(duplicate);
    if (drop) cols = cols.filter((c) => c !== drop);
    return upper ? cols.map((c) => (c.length < 40 ? c.toUpperCase() : c)) : cols;
  });

const rowArb: fc.Arbitrary<Row> = fc.oneof(
  {
    weight: 10,
    arbitrary: fc.record({
      kind: fc.constant('data' as const),
      changes: fc.oneof(
        { weight: 2, arbitrary: fc.constant({}) },
        { weight: 2, arbitrary: fc.dictionary(fc.nat(50).map(String), cellValue, { maxKeys: 3 }) },
      ),
      extraCells: fc.oneof({ weight: 8, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.nat(3) }),
      dropCells: fc.oneof({ weight: 8, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.nat(5) }),
    }) as fc.Arbitrary<Row>,
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'blank' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'spaces' as const }) },
);

export const fileInput: fc.Arbitrary<FileInput> = fc.record({
  format: fc.constantFrom('cvrs' as const, 'csv' as const),
  columns: columnsArb,
  rows: fc.array(rowArb, { maxLength: 12 }),
  endings: fc.oneof(
    fc.constantFrom<Ending[]>(['\n'], ['\r\n'], ['\r']),
    fc.array(fc.constantFrom<Ending>('\n', '\r\n', '\r'), { minLength: 1, maxLength: 13 }),
  ),
  lastEnding: fc.oneof(
    { weight: 4, arbitrary: fc.constant(true) },
    { weight: 1, arbitrary: fc.constant(false) },
  ),
  trailingBlank: fc.oneof({ weight: 4, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.nat(3) }),
  bom: fc.oneof({ weight: 4, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
  corrupt: fc.oneof(
    { weight: 12, arbitrary: fc.constant({ kind: 'none' as const }) },
    {
      weight: 1,
      arbitrary: fc.record({ kind: fc.constantFrom('nul' as const, 'latin1' as const), at: fc.nat() }),
    },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('open-quote' as const), row: fc.nat() }) },
  ),
  chunkRows: fc.integer({ min: 1, max: 4 }),
  splits: fc.array(fc.nat(), { maxLength: 4 }),
  repeat: fc.oneof(
    { weight: 6, arbitrary: fc.constant({ kind: 'none' as const }) },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constantFrom('same' as const, 'conflict' as const),
        of: fc.nat(),
        at: fc.nat(),
      }),
    },
  ),
});

/** The file's bytes, and how many rows (records after the header, blank lines not counted) it holds. */
export function fileBytes(input: FileInput): {
  bytes: Buffer;
  rows: number;
  broken: 'nul' | 'latin1' | 'quote' | undefined;
} {
  const sep = input.format === 'cvrs' ? '\t' : ',';
  const cell = (v: string) => {
    if (input.format === 'cvrs') return v.replace(/[\r\n\t]/g, ' ');
    return /[",\r\n]/.test(v) || v.startsWith(' ') ? `"${v.replaceAll('"', '""')}"` : v;
  };
  const data = input.rows.flatMap((r, i) => (r.kind === 'data' ? [i] : []));
  const lines: string[] = [input.columns.map((c) => (input.format === 'csv' ? cell(c) : c)).join(sep)];
  let rows = 0;
  let quoteBroken = false;
  for (const [i, r] of input.rows.entries()) {
    if (r.kind === 'blank') {
      lines.push('');
      continue;
    }
    if (r.kind === 'spaces') {
      rows++;
      lines.push('  ');
      continue;
    }
    let id = `F-${i}`;
    let conflict = false;
    if (input.repeat.kind !== 'none' && data.length > 1) {
      const at = data[1 + (input.repeat.at % (data.length - 1))]!;
      const of = data[input.repeat.of % data.indexOf(at)]!;
      if (i === at) {
        id = `F-${of}`;
        conflict = input.repeat.kind === 'conflict';
      }
    }
    const dose = modernaDose({
      vax_event_id: id,
      recip_id: `R-${id}`,
      ...(conflict ? { recip_first_name: 'Other' } : {}),
    });
    const values = input.columns.map((c) => String(dose[c.toLowerCase()] ?? ''));
    for (const [k, v] of Object.entries(r.changes)) {
      const at = Number(k) % Math.max(values.length, 1);
      // The repeat's ID stays, so it is a repeat whatever else changes.
      if (input.columns[at]?.toLowerCase() !== 'vax_event_id') values[at] = v;
    }
    for (let e = 0; e < r.extraCells; e++) values.push('extra');
    values.length = Math.max(2, values.length - r.dropCells);
    let line = values.map(cell).join(sep);
    if (
      input.format === 'csv' &&
      input.corrupt.kind === 'open-quote' &&
      input.corrupt.row % data.length === data.indexOf(i)
    ) {
      line = `${line}${sep}"unclosed`;
      quoteBroken = true;
    }
    rows++;
    lines.push(line);
  }
  for (let b = 0; b < input.trailingBlank; b++) lines.push('');
  let text = '';
  lines.forEach((l, i) => {
    const last = i === lines.length - 1;
    text += l + (last && !input.lastEnding ? '' : input.endings[i % input.endings.length]!);
  });
  let bytes = Buffer.from(text, 'utf8');
  if (input.bom) bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), bytes]);
  // A NUL typed into a cell is a NUL byte in the file: binary, refused whole.
  let broken: 'nul' | 'latin1' | 'quote' | undefined = text.includes('\u0000')
    ? 'nul'
    : quoteBroken
      ? 'quote'
      : undefined;
  if (input.corrupt.kind === 'nul' || input.corrupt.kind === 'latin1') {
    const at = input.corrupt.at % (bytes.length + 1);
    bytes = Buffer.concat([
      bytes.subarray(0, at),
      Buffer.from([input.corrupt.kind === 'nul' ? 0x00 : 0xe9]),
      bytes.subarray(at),
    ]);
    broken = input.corrupt.kind;
  }
  return { bytes, rows, broken };
}

/** Whether the header names every required column, each once (as readHeader wants). */
function headerUsable(columns: readonly string[]): boolean {
  const names = columns.map((c) => c.trim().toLowerCase());
  const known = names.filter((n) => (CVRS_FIELDS as readonly string[]).includes(n));
  return REQUIRED_COLUMNS.every((c) => names.includes(c)) && new Set(known).size === known.length;
}

/** The bytes as a stream cut at the given points (a CR at the end of a piece, a UTF-8 sequence split...). */
function pieces(bytes: Buffer, splits: readonly number[]): Readable {
  const at = [...new Set(splits.map((s) => s % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let from = 0;
  for (const s of [...at, bytes.length]) {
    if (s > from) out.push(bytes.subarray(from, s));
    from = s;
  }
  return Readable.from(out);
}

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
