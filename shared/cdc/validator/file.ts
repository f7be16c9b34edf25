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
 *   - BUSR013 compares the earlier row's hash XOR its line with this row's hash, so even an exact repeat of an
 *     earlier row is reported (CDC's Pair.hashCode quirk), and names the latest earlier line with that id;
 *     an empty or missing vax_event_id counts as an id too;
 *   - FMT_ findings count as one failed record even in a file without records.
 */
import { type CvrsVersion, FIELDS, fieldIndex } from './fields.ts';
import { checkHeader, isHl7Delimiter } from './header.ts';
import { javaTrim, str } from './java.ts';
import { CdcValidatorStopped, OpenCsvParser, OpenCsvRecords } from './opencsv.ts';
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
  private weights: Int32Array | undefined;
  private lineHash = false;
  private row = 0;
  private rowId: string | null = null;
  private rowFindings = 0;
  /**
   * CDC keys records by upper-cased vax_event_id: an open-addressing table of the latest record for each key
   * (slots hold the key's hash and the record number; the ids by record tell a repeat from a collision), several
   * times faster than a string-keyed Map over 200,000 ids.
   */
  private slots = new Int32Array(2048);
  private slotHash = new Int32Array(2048);
  /** Streamed: the ids by slot. With the text kept, ids are read again from their lines (see idOf). */
  private slotId: (string | null)[] = [];
  private readonly unplaced = new Map<number, string | null>();
  private idColumn = -1;
  private used = 0;
  /**
   * Record hashes by record number. With the whole text in memory they are taken only when an id repeats (a
   * record's place in the text is kept instead), which spares hashing every line; streamed, they are taken as
   * records arrive, so no text is kept.
   */
  private readonly lazyHash: boolean;
  private readonly texts: string[] = [];
  private rec = {
    hash: new Int32Array(1024),
    hashed: new Uint8Array(1024),
    text: new Int32Array(1024),
    from: new Int32Array(1024),
    to: new Int32Array(1024),
  };

  private count = 0;
  private failed = 0;
  private total = 0;

  constructor(
    opts: CdcOptions & { keepFindings?: boolean; onFinding?: FindingSink; wholeText?: boolean } = {},
  ) {
    this.ctx = { version: opts.version ?? '2', tomorrow: tomorrowOf(opts.today ?? localToday()) };
    this.lazyHash = opts.wholeText ?? false;
    if (!this.lazyHash) this.slotId = new Array<string | null>(this.slots.length).fill(null);
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
    if (this.lazyHash) this.texts.push(buf);
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
    const bound = columns.filter((f) => f >= 0);
    // A field named twice takes the later cell: the hash must then be taken from the values, not the line.
    this.lineHash = new Set(bound).size === bound.length;
    this.weights = Int32Array.from(columns, (f) => (f >= 0 ? HASH_WEIGHTS[f]! : 0));
    this.idColumn = columns.lastIndexOf(VAX_EVENT_ID);
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
    this.place(n, vals, buf, from, to);
    this.duplicate(vals, id, n);
    if (this.rowFindings > 0 && (n > 1 || this.headerFindings.length === 0)) this.failed++;
  }

  private readonly emit: Emit = (field, code, level, message) => {
    const f: CdcFinding = { line: this.row, vax_event_id: this.rowId, field, code, level, message };
    this.rowFindings++;
    this.record(f);
    this.sink?.(f, true);
  };

  /** CDC's record hash straight from a TAB-split line: each cell's String.hashCode times its field's weight. */
  private hashLine(buf: string, from: number, to: number): number {
    const w = this.weights!;
    let acc = 0;
    let h = 0;
    let col = 0;
    for (let i = from; i < to; i++) {
      const c = buf.charCodeAt(i);
      if (c === 9) {
        acc = (acc + Math.imul(h, w[col]!)) | 0;
        h = 0;
        col++;
      } else h = (Math.imul(h, 31) + c) | 0;
    }
    acc = (acc + Math.imul(h, w[col]!)) | 0;
    return acc === 0 ? 31 : acc;
  }

  /** Where record n's hash comes from: its line in a kept text, or taken now. */
  private place(n: number, vals: CvrsValues, buf: string, from: number, to: number): void {
    let r = this.rec;
    if (n >= r.hash.length) {
      const grow = <T extends Int32Array | Uint8Array>(a: T): T => {
        const b = new (a.constructor as new (n: number) => T)(a.length * 2);
        b.set(a);
        return b;
      };
      r = this.rec = {
        hash: grow(r.hash),
        hashed: grow(r.hashed),
        text: grow(r.text),
        from: grow(r.from),
        to: grow(r.to),
      };
    }
    const plain = this.records!.plain;
    if (plain && this.lazyHash && buf === this.texts.at(-1)) {
      r.text[n] = this.texts.length - 1;
      r.from[n] = from;
      r.to[n] = to;
      r.hashed[n] = 0;
    } else {
      r.text[n] = -1;
      r.hash[n] = plain && this.lineHash ? this.hashLine(buf, from, to) : hashValues(vals);
      r.hashed[n] = 1;
      if (this.lazyHash) this.unplaced.set(n, vals[VAX_EVENT_ID] ?? null);
    }
  }

  /** A plain line's values again, a field named twice taking its later cell as when it was read. */
  private valuesOf(cells: string[]): CvrsValues {
    const vals: CvrsValues = new Array<string | null>(FIELDS.length).fill(null);
    const columns = this.columns!;
    for (let c = 0; c < columns.length; c++) if (columns[c]! >= 0) vals[columns[c]!] = cells[c]!;
    return vals;
  }

  /** Record n's vax_event_id, read again from its line when the text is kept (cheaper than keeping every id). */
  private idOf(n: number): string | null {
    const t = this.rec.text[n]!;
    if (t < 0) return this.unplaced.get(n) ?? null;
    if (this.idColumn < 0) return null;
    return this.texts[t]!.slice(this.rec.from[n], this.rec.to[n]).split('\t')[this.idColumn] ?? null;
  }

  private hashOf(n: number): number {
    const r = this.rec;
    if (!r.hashed[n]) {
      const text = this.texts[r.text[n]!]!;
      r.hash[n] = this.lineHash
        ? this.hashLine(text, r.from[n]!, r.to[n]!)
        : hashValues(this.valuesOf(text.slice(r.from[n], r.to[n]).split('\t')));
      r.hashed[n] = 1;
    }
    return r.hash[n]!;
  }

  /** BUSR013, CDC's way (see the file comment). */
  private duplicate(vals: CvrsValues, id: string | null, line: number): void {
    const h = upperHash(id);
    const i = this.slot(h, id);
    const before = this.slots[i]!;
    this.slots[i] = line;
    if (before === 0) {
      this.slotHash[i] = h;
      // A streamed text is not kept: a long id would keep its whole chunk alive, so it is copied out.
      if (!this.lazyHash) this.slotId[i] = id === null ? id : `${id} `.slice(0, -1);
      if (++this.used * 2 > this.slots.length) this.grow();
    }
    if (before !== 0 && (this.hashOf(before) ^ before) !== this.hashOf(line))
      this.emit(
        'vax_event_id',
        'BUSR013',
        'ERROR',
        `Value of vax_event_id (${str(vals[VAX_EVENT_ID] ?? null)}) duplicates vax_event_id at line ${before}`,
      );
  }

  /** The slot holding this id's key, or the empty slot where it goes. */
  private slot(h: number, id: string | null): number {
    const mask = this.slots.length - 1;
    let i = spread(h) & mask;
    for (;;) {
      const r = this.slots[i]!;
      if (r === 0) return i;
      if (this.slotHash[i] === h && sameKey(this.lazyHash ? this.idOf(r) : (this.slotId[i] ?? null), id))
        return i;
      i = (i + 1) & mask;
    }
  }

  private grow(): void {
    const old = this.slots;
    const oldHash = this.slotHash;
    const oldId = this.slotId;
    this.slots = new Int32Array(old.length * 2);
    this.slotHash = new Int32Array(old.length * 2);
    this.slotId = this.lazyHash ? [] : new Array<string | null>(old.length * 2).fill(null);
    const mask = this.slots.length - 1;
    for (let j = 0; j < old.length; j++) {
      if (old[j] === 0) continue;
      let i = spread(oldHash[j]!) & mask;
      while (this.slots[i] !== 0) i = (i + 1) & mask;
      this.slots[i] = old[j]!;
      this.slotHash[i] = oldHash[j]!;
      if (!this.lazyHash) this.slotId[i] = oldId[j] ?? null;
    }
  }
}

/** Scatters a String.hashCode over the table: ids that differ in their last digit have neighbouring hashes. */
const spread = (h: number): number => Math.imul(h ^ (h >>> 16), 0x45d9f3b) ^ (h >>> 13);

/** CDC's key for an id: upper-cased, a missing id being "". */
const sameKey = (a: string | null, b: string | null): boolean =>
  a === b || (a ?? '').toUpperCase() === (b ?? '').toUpperCase();

/** A hash of the upper-cased id, folding ASCII case inline (anything else goes through toUpperCase). */
function upperHash(id: string | null): number {
  if (id === null) return 0;
  let h = 0;
  for (let i = 0; i < id.length; i++) {
    let c = id.charCodeAt(i);
    if (c >= 0x80) return javaHash(id.toUpperCase());
    if (c >= 0x61 && c <= 0x7a) c -= 0x20;
    h = (Math.imul(h, 31) + c) | 0;
  }
  return h;
}

/**
 * CVRSExtract.hashCode: for each of the 47 fields in order, add the value's String.hashCode and multiply by 31,
 * in int arithmetic (0 becomes 31). Unrolled, field i is weighted by 31^(47 - i), which lets a line be hashed
 * cell by cell in any column order.
 */
const HASH_WEIGHTS: Int32Array = (() => {
  const w = new Int32Array(FIELDS.length);
  let p = 1;
  for (let i = FIELDS.length - 1; i >= 0; i--) {
    p = Math.imul(p, 31);
    w[i] = p;
  }
  return w;
})();

function javaHash(s: string | null): number {
  let h = 0;
  if (s !== null) for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
  return h;
}

export function hashValues(vals: CvrsValues): number {
  let acc = 0;
  for (let i = 0; i < FIELDS.length; i++)
    acc = (acc + Math.imul(javaHash(vals[i] ?? null), HASH_WEIGHTS[i]!)) | 0;
  return acc === 0 ? 31 : acc;
}

export { CdcValidatorStopped };
