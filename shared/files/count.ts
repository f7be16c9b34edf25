import type { FileFormat } from './format.ts';

const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;

/**
 * Counts the records of a CVRS or CSV file from its bytes alone, without csv-parse: a cross-check of the reader
 * (shared/files/reader.ts), so a reader that merges or splits rows is caught instead of answering wrong counts.
 * It follows the reading the file is given: LF, CRLF and a lone CR each end a record (mixed in any way); a line
 * with nothing on it is not a record; in CSV, a quote opening a field starts a quoted value, in which line breaks
 * and delimiters are data and a doubled quote is a quote; a quote closes the value whatever follows it (as the
 * relaxed reading does). CVRS has no quoting. Feed it the file's bytes in any pieces, then call `end()`.
 */
export class RecordCounter {
  records = 0;
  private readonly delimiter: number;
  private readonly quoting: boolean;
  private atStart = true;
  /** Bytes of the current line outside line breaks; a line of none is not a record. */
  private lineBytes = 0;
  /** Bytes of the current field: a quote opens a quoted value only as a field's first byte. */
  private fieldBytes = 0;
  private inQuotes = false;
  /** The last byte seen was a quote inside a quoted value (closing it, or the first of a doubled quote). */
  private quotePending = false;
  /** The last byte seen was a CR outside quotes (a record ends; an LF right after belongs to it). */
  private crPending = false;
  private bom: number[] = [];

  constructor(format: Exclude<FileFormat, 'hl7'>) {
    this.delimiter = format === 'cvrs' ? 0x09 : 0x2c;
    this.quoting = format === 'csv';
  }

  push(bytes: Uint8Array): void {
    let i = 0;
    if (this.atStart) {
      // A byte order mark is not part of the first record.
      while (i < bytes.length && this.bom.length < 3) this.bom.push(bytes[i++]!);
      if (this.bom.length < 3) return;
      this.atStart = false;
      const [a, b, c] = this.bom;
      if (!(a === 0xef && b === 0xbb && c === 0xbf)) this.bytes(Uint8Array.from(this.bom));
    }
    this.bytes(i === 0 ? bytes : bytes.subarray(i));
  }

  /** Answers the number of records, the last one counted even without a line break after it. */
  end(): number {
    if (this.atStart) {
      this.atStart = false;
      const [a, b, c] = this.bom;
      if (!(a === 0xef && b === 0xbb && c === 0xbf)) this.bytes(Uint8Array.from(this.bom));
    }
    if (this.quotePending) {
      this.quotePending = false;
      this.inQuotes = false;
    }
    this.crPending = false;
    if (this.lineBytes > 0) this.records++;
    this.lineBytes = 0;
    return this.records;
  }

  private bytes(buf: Uint8Array): void {
    for (let i = 0; i < buf.length; i++) {
      const b = buf[i]!;
      if (this.crPending) {
        this.crPending = false;
        if (b === LF) continue; // CRLF: one line break, already counted at its CR
      }
      if (this.quotePending) {
        this.quotePending = false;
        if (b === QUOTE) {
          this.lineBytes++;
          continue; // a doubled quote: a quote in the value, which goes on
        }
        this.inQuotes = false; // the quote closed the value; this byte is read outside quotes
      }
      if (this.inQuotes) {
        this.lineBytes++;
        if (b === QUOTE) this.quotePending = true;
        continue;
      }
      if (b === LF || b === CR) {
        if (this.lineBytes > 0) this.records++;
        this.lineBytes = 0;
        this.fieldBytes = 0;
        this.crPending = b === CR;
        continue;
      }
      this.lineBytes++;
      if (b === this.delimiter) {
        this.fieldBytes = 0;
        continue;
      }
      if (this.quoting && b === QUOTE && this.fieldBytes === 0) {
        this.inQuotes = true;
        this.fieldBytes++;
        continue;
      }
      this.fieldBytes++;
    }
  }
}

/** The number of records of a whole file's bytes (RecordCounter in one go). */
export async function countRecords(
  source: AsyncIterable<Uint8Array>,
  format: Exclude<FileFormat, 'hl7'>,
): Promise<number> {
  const counter = new RecordCounter(format);
  for await (const piece of source) counter.push(piece);
  return counter.end();
}
