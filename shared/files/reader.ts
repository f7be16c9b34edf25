import type { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import type { FileFormat } from './format.ts';

export interface FileRecord {
  cells: string[];
  /** Byte offset just past this record (and its line break) in the whole file. */
  end: number;
}

/**
 * Streams the records of a CVRS or CSV file (or of a byte range of one that starts on a record boundary).
 * csv-parse does the RFC 4180 work (quotes, embedded commas, quotes and line breaks, CRLF, BOM); CVRS files
 * have no quoting (CDC replaces tabs in values by spaces), so a quote there is data. LF, CRLF and a lone CR
 * each end a record, mixed in any way within a file, and `end` counts the ending actually there.
 */
export async function* readRecords(
  source: Readable,
  format: FileFormat,
  fromByte = 0,
): AsyncGenerator<FileRecord> {
  const parser = source.pipe(
    parse({
      delimiter: format === 'cvrs' ? '\t' : ',',
      quote: format === 'cvrs' ? false : '"',
      // Every line ending ends a record, whatever the lines before used. Left to itself csv-parse takes the first
      // line's ending as the file's and from then on reads the others as data: after an LF first line a CRLF leaves
      // its CR in the last cell, and after a CRLF first line an LF does not end a record at all, so rows merge,
      // and a chunk (read by a parser of its own, from its own first line) disagrees with the plan. CRLF is listed
      // first so it is one ending, not CR then LF; csv-parse waits for the next byte when a chunk ends on a CR.
      record_delimiter: ['\r\n', '\n', '\r'],
      bom: fromByte === 0,
      info: true,
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: true,
    }),
  );
  source.on('error', (err) => parser.destroy(err));
  for await (const r of parser as AsyncIterable<{ record: string[]; info: { bytes: number } }>) {
    yield { cells: r.record, end: fromByte + r.info.bytes };
  }
}

/** Whether a csv-parse error means the file's quoting is broken (a file-level problem, not a crash). */
export function isParseError(err: unknown): err is Error & { code: string; lines?: number } {
  const code = (err as { code?: unknown } | null)?.code;
  return err instanceof Error && typeof code === 'string' && code.startsWith('CSV_');
}
