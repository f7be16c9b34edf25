import { createHash, hash as oneShotHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type { Finding } from '#platform/findings.ts';
import { RecordCounter } from './count.ts';
import {
  CHUNK_ROWS,
  type FileFormat,
  type FileKind,
  fileFinding,
  type Header,
  MAX_BYTES,
  MAX_ROWS,
  readHeader,
  sniff,
} from './format.ts';
import { readHl7Messages } from './hl7-reader.ts';
import { isParseError, readRecords } from './reader.ts';

export interface Chunk {
  n: number;
  /** Byte range [start, end) of the chunk's records in the file. */
  start: number;
  end: number;
  /** Spreadsheet row of the chunk's first record (the header is row 1). */
  firstRow: number;
  rows: number;
}

/** Everything the workers need, from one streaming pass over the file; no row content is kept. */
export interface FilePlan {
  format: FileFormat;
  header: Header;
  sha256: string;
  bytes: number;
  /** The object version the plan was made from; workers read exactly that version. */
  version_id?: string;
  rows: number;
  chunks: Chunk[];
  /**
   * Row → the earlier row it repeats exactly (same cells) by vax_event_id, or, in a wastage file, any earlier
   * row with its record_id: a duplicate, counted once.
   */
  duplicates: Record<number, number>;
  /** Row → the earlier row with the same ID (whatever its letter case) and other content (CDC's BUSR013). */
  conflicts?: Record<number, number>;
}

export type ScanResult =
  | { ok: true; plan: FilePlan }
  /** `kind` when the header was read far enough to tell a wastage file from a dose file. */
  | { ok: false; problem: Finding; sha256?: string; kind?: FileKind };

const SNIFF_BYTES = 64 * 1024;

/**
 * The file's records as read disagree with the records its line breaks delimit, counted independently: a defect
 * of ours, not of the file, and never answered with wrong counts. The message gives counts, never content.
 */
export function rowCountMismatch(read: number, counted: number): Finding {
  return fileFinding(
    'FILE013',
    `This file was read as ${read.toLocaleString('en-US')} records (header included), but its line breaks outside quotes delimit ${counted.toLocaleString('en-US')}, so rows would be merged or split. It was not processed and nothing was stored. This is a fault of the pipeline, not of your file: report it so it can be fixed. Saving the file again with one kind of line ending may get it through meanwhile.`,
  );
}

/**
 * A chunk re-read from its byte range gave another number of rows than the plan counted for it: its results
 * would not line up with the file's rows. The message names the chunk and counts, never content.
 */
export class ChunkRowsMismatchError extends Error {
  override name = 'ChunkRowsMismatchError';
  readonly chunk: Chunk;
  readonly read: number;
  constructor(chunk: Chunk, read: number) {
    const n = (x: number) => x.toLocaleString('en-US');
    super(
      `part ${chunk.n + 1} (rows ${n(chunk.firstRow)}–${n(chunk.firstRow + chunk.rows - 1)}) read ${n(read)} rows where the plan counted ${n(chunk.rows)}`,
    );
    this.chunk = chunk;
    this.read = read;
  }
}

/**
 * A plan as saved (JSON) read back as the planner made it: JSON has no undefined, so an ignored column was
 * written as null, and a null column must stay ignored (not become a field named "null").
 */
export function parsePlan(json: string): FilePlan {
  const plan = JSON.parse(json) as FilePlan;
  plan.header.columns = plan.header.columns.map((c) => c ?? undefined);
  return plan;
}

/**
 * Reads a file once, in constant memory apart from the set of IDs (bounded by MAX_ROWS): hashes it, checks it
 * is UTF-8 text within the limits, reads its header, counts rows, cuts it into chunks on record boundaries and
 * finds repeated IDs (vax_event_id; record_id in a wastage file). `defaultIisId` is the site a row without
 * iis_id belongs to.
 */
export async function scanFile(
  body: AsyncIterable<Uint8Array>,
  defaultIisId: string,
  chunkRows = CHUNK_ROWS,
): Promise<ScanResult> {
  const hash = createHash('sha256');
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  let bytes = 0;
  let problem: Finding | undefined;
  const it = body[Symbol.asyncIterator]();

  // Sniff the head before parsing: empty, binary, delimiter.
  const head: Buffer[] = [];
  let headBytes = 0;
  while (headBytes < SNIFF_BYTES) {
    const next = await it.next();
    if (next.done) break;
    head.push(Buffer.from(next.value));
    headBytes += next.value.length;
  }
  const sniffed = sniff(Buffer.concat(head).subarray(0, SNIFF_BYTES));
  // What is wrong with the bytes themselves is decided over every byte of the file, whatever else was found
  // first: the same file must get the same answer however S3 cuts the stream into pieces (found by fuzzing).
  let hasNul = false;
  let notUtf8 = false;
  const tap = (chunk: Buffer): boolean => {
    bytes += chunk.length;
    hash.update(chunk);
    if (!hasNul && chunk.includes(0)) hasNul = true;
    if (!notUtf8)
      try {
        utf8.decode(chunk, { stream: true });
      } catch {
        notUtf8 = true;
      }
    return bytes <= MAX_BYTES && !hasNul && !notUtf8 && problem === undefined;
  };
  /** The bytes' problem, once all are read: too large, then binary, then not UTF-8 (one order, not stream order). */
  const bytesProblem = (): Finding | undefined => {
    if (!notUtf8)
      try {
        utf8.decode();
      } catch {
        notUtf8 = true;
      }
    if (bytes > MAX_BYTES)
      return fileFinding(
        'FILE004',
        `The file is larger than ${MAX_BYTES / 1024 / 1024} MB. Split it into several files of at most ${MAX_ROWS.toLocaleString('en-US')} rows.`,
      );
    if (hasNul)
      return fileFinding(
        'FILE003',
        'The file contains binary data (NUL bytes), so it is not a text export. Save it as CSV or CVRS text.',
      );
    if (notUtf8)
      return fileFinding(
        'FILE001',
        'The file is not UTF-8 text (it may be Excel or Windows-1252 encoded). Save or export it as UTF-8.',
      );
    return undefined;
  };
  if ('problem' in sniffed) {
    for (const h of head) tap(h);
    for (let n = await it.next(); !n.done; n = await it.next()) tap(Buffer.from(n.value));
    return { ok: false, problem: sniffed.problem, sha256: hash.digest('hex') };
  }

  // Records counted from the bytes alone, to check the reader's count against (not for HL7: its records are messages).
  const counter = sniffed.format === 'hl7' ? undefined : new RecordCounter(sniffed.format);
  const source = Readable.from(
    (async function* () {
      for (const h of head)
        if (tap(h)) {
          counter?.push(h);
          yield h;
        }
      for (let n = await it.next(); !n.done; n = await it.next()) {
        const b = Buffer.from(n.value);
        if (!tap(b)) break;
        counter?.push(b);
        yield b;
      }
    })(),
  );

  let header: Header | undefined;
  let kind: FileKind | undefined;
  const chunks: Chunk[] = [];
  const duplicates: Record<number, number> = {};
  const conflicts: Record<number, number> = {};
  // A digest of each first row, not its text: 200,000 rows of text would be most of the planner's memory.
  const firstRowOf = new Map<string, { row: number; digest: string }>();
  let rows = 0;
  let chunkStart = 0;
  let chunkRowsSoFar = 0;
  let lastEnd = 0;
  let idCol = -1;
  let iisCol = -1;
  const hl7 = sniffed.format === 'hl7';
  // An HL7 file has no header row: its records are messages, numbered from 1.
  const headerRows = hl7 ? 0 : 1;
  if (hl7) header = { format: 'hl7', kind: 'doses', columns: [], notes: [] };
  const records = hl7 ? readHl7Messages(source) : readRecords(source, sniffed.format);
  try {
    for await (const rec of records) {
      if (!header) {
        const h = readHeader(rec.cells, sniffed.format);
        kind = h.kind;
        if ('problem' in h) {
          problem = h.problem;
          break;
        }
        header = h;
        idCol = h.columns.indexOf(h.kind === 'wastage' ? 'record_id' : 'vax_event_id');
        iisCol = h.columns.indexOf('iis_id');
        chunkStart = rec.end;
        lastEnd = rec.end;
        continue;
      }
      rows++;
      if (rows > MAX_ROWS) {
        problem = fileFinding(
          'FILE004',
          `The file has more than ${MAX_ROWS.toLocaleString('en-US')} rows, CDC's per-file maximum. Split it into several files.`,
        );
        break;
      }
      const row = rows + headerRows;
      const id = rec.cells[idCol]?.trim();
      if (id) {
        // CDC compares vax_event_ids without regard to case; a wastage file's record_ids are our own.
        const key = `${(iisCol >= 0 && rec.cells[iisCol]?.trim().toUpperCase()) || defaultIisId}#${kind === 'wastage' ? id : id.toUpperCase()}`;
        const digest = oneShotHash('sha1', rec.cells.join('\t'), 'base64');
        const first = firstRowOf.get(key);
        if (first === undefined) firstRowOf.set(key, { row, digest });
        else if (first.digest === digest || kind === 'wastage') duplicates[row] = first.row;
        else conflicts[row] = first.row;
      }
      chunkRowsSoFar++;
      lastEnd = rec.end;
      if (chunkRowsSoFar === chunkRows) {
        chunks.push({
          n: chunks.length,
          start: chunkStart,
          end: rec.end,
          firstRow: row - chunkRows + 1,
          rows: chunkRows,
        });
        chunkStart = rec.end;
        chunkRowsSoFar = 0;
      }
    }
  } catch (err) {
    if (!isParseError(err)) throw err;
    problem ??= fileFinding(
      'FILE010',
      `The file could not be read as ${sniffed.format === 'csv' ? 'CSV' : 'CVRS'}: ${err.message.replace(/"[^"]*"/g, '').slice(0, 120)}. Check the quoting around line ${err.lines ?? '?'}.`,
    );
  }
  // Drain the rest so the hash covers the whole file even when reading stopped early.
  for (let n = await it.next(); !n.done; n = await it.next()) tap(Buffer.from(n.value));
  problem = bytesProblem() ?? problem;
  if (!problem && header && counter) {
    // Every record read, header included, must be one the bytes' line breaks delimit: a reader that merged or
    // split rows would otherwise answer wrong counts (and a drop would hang on chunks that disagree with the plan).
    const counted = counter.end();
    if (counted !== rows + headerRows) problem = rowCountMismatch(rows + headerRows, counted);
  }
  const sha256 = hash.digest('hex');
  if (problem) return { ok: false, problem, sha256, ...(kind ? { kind } : {}) };
  if (!header) return { ok: false, problem: fileFinding('FILE002', 'The file has no header line.'), sha256 };
  if (chunkRowsSoFar > 0)
    chunks.push({
      n: chunks.length,
      start: chunkStart,
      end: lastEnd,
      firstRow: rows + headerRows + 1 - chunkRowsSoFar,
      rows: chunkRowsSoFar,
    });
  return {
    ok: true,
    plan: { format: sniffed.format, header, sha256, bytes, rows, chunks, duplicates, conflicts },
  };
}
