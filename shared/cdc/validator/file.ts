/**
 * A whole CVRS text file through CDC's validator, fed as text in pieces (so a 40 MB file never has to be one
 * string): the format checks on its first 1,024 characters, then its lines as Java's BufferedReader sees them
 * (LF, CR and CRLF all end a line), cells as OpenCSV splits them, records as OpenCSV's CsvToBean maps them by
 * header name (trimmed, any case; unknown columns ignored), and each record through record.ts plus the
 * duplicate-id rule.
 *
 * CDC's quirks kept on purpose, since its verdicts and report depend on them:
 *   - a row whose cell count differs from the header's is skipped without a word (OpenCSV drops it), so it is
 *     neither counted nor checked;
 *   - "line" in a finding is the record's number (1 = the first record after the header), -1 for FMT_ codes;
 *   - BUSR013 flags even an exact repeat of an earlier row (duplicates.ts);
 *   - FMT_ findings count as one failed record even in a file without records.
 */

import { DuplicateIds } from './duplicates.ts';
import { type CvrsVersion, FIELDS, fieldIndex } from './fields.ts';
import { checkHeader, isHl7Delimiter } from './header.ts';
import { javaTrim, str } from './java.ts';
import { OpenCsvParser, OpenCsvRecords } from './opencsv.ts';
import { type CvrsValues, checkRecord, type Emit, type RecordContext } from './record.ts';
import type { CdcLevel } from './rules.ts';

export interface CdcFinding {
  /** The record's number, 1 for the first row after the header; -1 for a file-format (FMT_) finding. */
  line: number;
  /** The record's vax_event_id (null when the file has no such column); for FMT_ findings the first record's. */
  vax_event_id: string | null;
  field: string;
  code: string;
  level: CdcLevel;
  message: string;
}

export interface CdcResult {
  findings: CdcFinding[];
  totalRecords: number;
  /** Records with a finding, FMT_ findings counting as one (CDC's "errors in N of M records"). */
  failedRecords: number;
  /** Every finding, as CDC's report totals them. */
  totalErrors: number;
  /**
   * What CDC's Validator.main1 returns for the file (and its command line exits with): the findings recorded
   * against records, which leaves out FMT_ findings of a file without records.
   */
  cdcErrorCount: number;
}

export interface CdcOptions {
  /** Today, YYYY-MM-DD (default: the local date); BUSR011/BUSR012 want dates before the day after. */
  today?: string;
  /** CVRS version; like CDC's tool, 2 unless told (CDC's -v1). */
  version?: CvrsVersion;
}

/** Receives each finding once it is known; `detail` says whether CDC prints it in the report's detail part. */
export type FindingSink = (finding: CdcFinding, detail: boolean) => void;

/** Thrown for a file whose first line is HL7 (MSH, FHS, BHS…): CDC would read it as HL7 messages. */
export class CdcHl7Input extends Error {
  override name = 'CdcHl7Input';
}

const localToday = (): string => {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
};

export function tomorrowOf(today: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(today);
  if (!m) throw new Error(`today must be YYYY-MM-DD, not ${today}`);
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + 1));
  return d.toISOString().slice(0, 10);
}

const VAX_EVENT_ID = fieldIndex('vax_event_id');
const HEAD = 1024;

export class CdcFileChecker {
  private readonly ctx: RecordContext;
  private readonly findings: CdcFinding[] = [];
  private readonly keep: boolean;
  private readonly sink: FindingSink | undefined;

  private head = '';
  private started = false;
  private headerFindings: CdcFinding[] = [];
  private carry = '';
  private skipLF = false;
  /** The text being split into lines has no NUL. */
  private noNul = false;

  private records: OpenCsvRecords | undefined;
  private columns: Int16Array | undefined;
  private readonly vals: CvrsValues = new Array<string | null>(FIELDS.length).fill(null);
  private readonly duplicates: DuplicateIds;
  private row = 0;
  private rowId: string | null = null;
  private rowFindings = 0;
  private count = 0;
  private failed = 0;
  private total = 0;

  constructor(
    opts: CdcOptions & { keepFindings?: boolean; onFinding?: FindingSink; wholeText?: boolean } = {},
  ) {
    this.ctx = { version: opts.version ?? '2', tomorrow: tomorrowOf(opts.today ?? localToday()) };
    this.duplicates = new DuplicateIds(opts.wholeText ?? false);
    this.keep = opts.keepFindings ?? true;
    this.sink = opts.onFinding;
  }

  /** The next piece of the file's text. */
  write(text: string): void {
    if (!this.started) {
      this.head += text;
      if (this.head.length < HEAD) return;
      text = this.start();
    }
    this.lines(this.carry + text);
  }

  end(): CdcResult {
    if (!this.started) this.lines(this.start());
    if (this.carry !== '') this.line(this.carry);
    this.carry = '';
    this.records?.end();
    if (this.count === 0) for (const f of this.headerFindings) this.sink?.(f, false);
    return {
      findings: this.findings,
      totalRecords: this.count,
      failedRecords: this.failed,
      totalErrors: this.total,
      cdcErrorCount: this.count > 0 ? this.total : 0,
    };
  }

  /** The format checks; returns the text to read records from (without a BOM). */
  private start(): string {
    this.started = true;
    const text = this.head;
    this.head = '';
    const check = checkHeader(text.slice(0, HEAD), this.ctx.version);
    if (check.hl7) throw new CdcHl7Input('the file is HL7 v2, not a CVRS text file');
    for (const f of check.findings) {
      const finding: CdcFinding = {
        line: -1,
        vax_event_id: null,
        field: 'Header',
        code: f.code,
        level: 'ERROR',
        message: f.message,
      };
      this.headerFindings.push(finding);
      this.record(finding);
    }
    if (this.headerFindings.length > 0) this.failed = 1;
    return check.bom ? text.slice(1) : text;
  }

  private record(f: CdcFinding): void {
    this.total++;
    if (this.keep) this.findings.push(f);
  }

  /** Complete lines of `buf` (BufferedReader.readLine); an unfinished last line waits for more text. */
  private lines(buf: string): void {
    this.duplicates.addText(buf);
    this.noNul = !buf.includes('\0');
    let pos = 0;
    if (this.skipLF && buf.length > 0) {
      if (buf.charCodeAt(0) === 0x0a) pos = 1;
      this.skipLF = false;
    }
    // Where the next LF and CR are, searched again only once passed: a file without CRs is scanned once.
    let nl = -2;
    let cr = -2;
    for (;;) {
      if (nl !== -1 && nl < pos) nl = buf.indexOf('\n', pos);
      if (cr !== -1 && cr < pos) cr = buf.indexOf('\r', pos);
      const end = nl < 0 ? cr : cr < 0 ? nl : Math.min(nl, cr);
      if (end < 0) break;
      const start = pos;
      const line = buf.slice(start, end);
      pos = end + 1;
      if (end === cr) {
        if (pos < buf.length) {
          if (buf.charCodeAt(pos) === 0x0a) pos++;
        } else this.skipLF = true;
      }
      this.line(line, buf, start);
    }
    this.carry = pos === 0 ? buf : buf.slice(pos);
  }

  /** `line` is `buf` from `at`: hashing the flat buffer is faster than hashing the slice. */
  private line(line: string, buf = line, at = 0): void {
    if (!this.records) {
      // OpenCSV's parser is chosen by the first line: TAB-separated if it has a TAB, else CSV.
      if (isHl7Delimiter(line)) throw new CdcHl7Input('the file is HL7 v2, not a CVRS text file');
      this.records = line.includes('\t')
        ? new OpenCsvRecords(OpenCsvParser.tab(), 1)
        : new OpenCsvRecords(OpenCsvParser.comma(), 10);
    }
    const cells = this.records.push(line, this.noNul && buf !== line);
    if (!cells) return;
    if (!this.columns) this.columns = this.mapColumns(cells);
    else if (cells.length === this.columns.length) this.check(cells, buf, at, at + line.length);
  }

  /** Column → field, as OpenCSV binds by header name: trimmed, upper-cased; fields the version ignores unbound. */
  private mapColumns(header: string[]): Int16Array {
    const byName = new Map<string, number>();
    FIELDS.forEach((f, i) => {
      if (!f.ignored[this.ctx.version]) byName.set(f.name.toUpperCase(), i);
    });
    const columns = Int16Array.from(header, (h) => byName.get(javaTrim(h).toUpperCase()) ?? -1);
    this.duplicates.setColumns(columns);
    return columns;
  }

  private check(cells: string[], buf: string, from: number, to: number): void {
    const vals = this.vals;
    const columns = this.columns!;
    // Fields without a column stay null from the start, and the version's ignored fields are never bound.
    for (let c = 0; c < columns.length; c++) {
      const f = columns[c]!;
      if (f >= 0) vals[f] = cells[c]!;
    }
    const n = ++this.count;
    const id = vals[VAX_EVENT_ID] ?? null;
    if (n === 1) {
      for (const f of this.headerFindings) {
        f.vax_event_id = id;
        this.sink?.(f, true);
      }
    }
    this.row = n;
    this.rowId = id;
    this.rowFindings = 0;
    checkRecord(vals, this.ctx, this.emit);
    const before = this.duplicates.add(n, vals, this.records!.plain, buf, from, to);
    if (before > 0)
      this.emit(
        'vax_event_id',
        'BUSR013',
        'ERROR',
        `Value of vax_event_id (${str(id)}) duplicates vax_event_id at line ${before}`,
      );
    if (this.rowFindings > 0 && (n > 1 || this.headerFindings.length === 0)) this.failed++;
  }

  private readonly emit: Emit = (field, code, level, message) => {
    const f: CdcFinding = { line: this.row, vax_event_id: this.rowId, field, code, level, message };
    this.rowFindings++;
    this.record(f);
    this.sink?.(f, true);
  };
}
