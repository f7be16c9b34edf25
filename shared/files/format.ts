import { DOSE_FIELDS, type DoseField, SITE_FILLED_FIELDS } from '#doses/fields.ts';
import { REQUIRED_FOR_VACCINATION } from '#doses/requirements.ts';
import { echo, type Finding, finding, MAX_ECHO } from '#platform/findings.ts';

/**
 * Dropped files: what they may look like and how big they may be. A file is recognized by its content, never
 * its name: CDC CVRS (tab-delimited, header of CVRS variable names, no quoting) or CSV with the same header
 * names (RFC 4180 quoting); or, delimited the same ways, a wastage file whose header names the wastage columns.
 */
export type FileFormat = 'cvrs' | 'csv' | 'hl7';

/** What a file's rows are: doses (CVRS, CSV or HL7), or wastage reports (CSV or tab-delimited). */
export type FileKind = 'doses' | 'wastage';

/** The columns of a wastage file: the fields of a wastage report (shared/stock/input.ts), and iis_id. */
export const WASTAGE_COLUMNS = [
  'record_id',
  'ndc',
  'lot_number',
  'doses',
  'date',
  'reason',
  'reason_text',
  'iis_id',
] as const;
export type WastageColumn = (typeof WASTAGE_COLUMNS)[number];
/** Columns a wastage file must have (reason_text is needed only by reason "other"; iis_id defaults to the site). */
export const WASTAGE_REQUIRED_COLUMNS: readonly WastageColumn[] = [
  'record_id',
  'ndc',
  'lot_number',
  'doses',
  'date',
  'reason',
];

/** CDC's per-file maximum for CVRS; the same for CSV so one plan fits every file. */
export const MAX_ROWS = 200_000;
/** 200,000 identified rows run to about 150 MB; anything far beyond that is not a dose file. */
export const MAX_BYTES = 512 * 1024 * 1024;
/** Rows per chunk: one worker invocation of a few seconds, and progress a site can watch move. */
export const CHUNK_ROWS = 2_000;

export interface Header {
  format: FileFormat;
  /** Doses, or wastage reports. Plans written before wastage files existed have no kind: doses. */
  kind?: FileKind;
  /**
   * Field of each column (a dose field, or a wastage column in a wastage file), or undefined for a column that
   * is not one (reported, then ignored).
   */
  columns: (DoseField | WastageColumn | undefined)[];
  /** File-level findings that do not stop processing (ignored columns). */
  notes: Finding[];
}

const FIELD_SET: ReadonlySet<string> = new Set(DOSE_FIELDS);
const SITE_FILLED: ReadonlySet<string> = new Set(SITE_FILLED_FIELDS);
/** Columns a file must have: the fields required for an administered dose that the site cannot fill in. */
export const REQUIRED_COLUMNS = REQUIRED_FOR_VACCINATION.filter((f) => !SITE_FILLED.has(f));
const WASTAGE_SET: ReadonlySet<string> = new Set(WASTAGE_COLUMNS);
/** Wastage columns no dose file has (ndc, lot_number and iis_id are dose fields too). */
const WASTAGE_ONLY: ReadonlySet<string> = new Set(WASTAGE_COLUMNS.filter((c) => !FIELD_SET.has(c)));
/** Columns that say "wastage" on their own: `date` alone could be any spreadsheet's. */
const WASTAGE_MARKERS: ReadonlySet<string> = new Set(['record_id', 'doses', 'reason', 'reason_text']);
/** Dose fields no wastage file has. */
const DOSE_ONLY: ReadonlySet<string> = new Set(DOSE_FIELDS.filter((f) => !WASTAGE_SET.has(f)));

/**
 * What a header's rows are: wastage when it names a column only wastage files have (record_id, doses, reason,
 * reason_text) and more wastage-only columns than dose-only ones; doses otherwise, as before wastage files.
 */
export function headerKind(cells: readonly string[]): FileKind {
  const names = cells.map((c) => c.trim().toLowerCase());
  if (!names.some((n) => WASTAGE_MARKERS.has(n))) return 'doses';
  const wastage = names.filter((n) => WASTAGE_ONLY.has(n)).length;
  const doses = names.filter((n) => DOSE_ONLY.has(n)).length;
  return wastage > doses ? 'wastage' : 'doses';
}

/** Looks at the start of a file: empty, binary or text, and which delimiter its first line uses. */
export function sniff(head: Buffer): { format: FileFormat } | { problem: Finding } {
  let start = 0;
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) start = 3;
  if (head.length <= start || head.subarray(start).toString('utf8').trim() === '')
    return {
      problem: fileFinding(
        'FILE002',
        'The file is empty: there is no header and no dose. Export the file again.',
      ),
    };
  if (head.subarray(start).includes(0))
    return {
      problem: fileFinding(
        'FILE003',
        'The file is binary (for example a spreadsheet or a zip), not text. Save it as CSV or as a tab-delimited CVRS text file.',
      ),
    };
  // HL7 v2 batch files (FHS/BHS envelopes) or concatenated VXU messages.
  const text = head.subarray(start, start + 4).toString('latin1');
  if (text === 'MSH|' || text === 'FHS|' || text === 'BHS|') return { format: 'hl7' };
  // The first line ends at the first CR or LF: a CR-only file (Excel's "CSV (Macintosh)") has no LF at all.
  let end = start;
  while (end < head.length && head[end] !== 0x0a && head[end] !== 0x0d) end++;
  const firstLine = head.subarray(start, end).toString('utf8');
  if (firstLine.includes('\t')) return { format: 'cvrs' };
  if (firstLine.includes(',')) return { format: 'csv' };
  return {
    problem: fileFinding(
      'FILE005',
      'The file is neither a CVRS file (tab-delimited) nor a CSV file: its first line has no tabs or commas. The first line must be the header of CVRS variable names.',
    ),
  };
}

/**
 * Maps header cells to dose fields, or to wastage columns when the header is a wastage file's (headerKind);
 * missing required columns are a file-level error naming them. A problem says which kind of file it was read as.
 */
export function readHeader(
  cells: string[],
  format: FileFormat,
): Header | { problem: Finding; kind: FileKind } {
  const kind = headerKind(cells);
  const wastage = kind === 'wastage';
  const known = wastage ? WASTAGE_SET : FIELD_SET;
  const columns = cells.map((c) => {
    const name = c.trim().toLowerCase();
    return known.has(name) ? (name as DoseField | WastageColumn) : undefined;
  });
  const present = new Set<string>(columns.filter((c) => c !== undefined));
  if (present.size === 0)
    return {
      kind,
      problem: fileFinding(
        'FILE005',
        'The first line is not a header of CVRS variable names (vax_event_id, recip_id, admin_date, cvx, …). Add the header row.',
      ),
    };
  const required: readonly string[] = wastage ? WASTAGE_REQUIRED_COLUMNS : REQUIRED_COLUMNS;
  const missing = required.filter((f) => !present.has(f));
  if (missing.length > 0) {
    const s = missing.length > 1 ? 's' : '';
    return {
      kind,
      problem: fileFinding(
        'FILE006',
        wastage
          ? `The header of this wastage file is missing required column${s} ${missing.join(', ')}. A wastage file has the columns ${WASTAGE_COLUMNS.join(', ')} (reason_text and iis_id may be left out). Add ${s ? 'them' : 'it'} and send the file again.`
          : `The header is missing required column${s} ${missing.join(', ')}. Add ${s ? 'them' : 'it'} and send the file again.`,
      ),
    };
  }
  const seen = new Set<string>();
  for (const c of columns) {
    if (c === undefined) continue;
    if (seen.has(c))
      return { kind, problem: fileFinding('FILE007', `Column ${c} appears twice in the header. Keep one.`) };
    seen.add(c);
  }
  // A column name is the site's text: cut as every finding cuts what it repeats, and at most five named.
  const unknown = cells.filter((_, i) => columns[i] === undefined).map((c) => c.trim());
  const extra = unknown.slice(0, 5).map((c) => ([...c].length > MAX_ECHO ? echo(c) : c));
  if (unknown.length > 5) extra.push(`${unknown.length - 5} more`);
  const s = extra.length > 1 ? 's' : '';
  const notes =
    extra.length > 0
      ? [
          {
            code: 'FILE008',
            severity: 'warning' as const,
            field: 'header',
            message: `Column${s} ${extra.join(', ')} ${s ? 'are' : 'is'} not ${wastage ? `${s ? '' : 'a '}wastage column` : 'CVRS field'}${s} and ${s ? 'were' : 'was'} ignored.`,
          },
        ]
      : [];
  return { format, kind, columns, notes };
}

/** A row's cells as an input (a dose, or a wastage report), by the header's columns; a short or long row is a finding. */
export function rowToInput(
  cells: string[],
  header: Header,
): { input: Record<string, unknown>; findings: Finding[] } {
  const input: Record<string, unknown> = {};
  const n = Math.min(cells.length, header.columns.length);
  for (let i = 0; i < n; i++) {
    const field = header.columns[i];
    // An ignored column is undefined, or null in a header read back from JSON (a saved plan).
    if (field != null) input[field] = cells[i];
  }
  const findings: Finding[] = [];
  if (cells.length !== header.columns.length)
    findings.push(
      finding(
        'DATA005',
        'row',
        `This row has ${cells.length} value${cells.length === 1 ? '' : 's'} but the header has ${header.columns.length} columns. Check for a missing or extra ${header.format === 'cvrs' ? 'tab' : 'comma'}.`,
      ),
    );
  return { input, findings };
}

export function fileFinding(code: string, message: string): Finding {
  return { code, severity: 'error', field: 'file', message };
}

export const FILE_RULES: Record<string, string> = {
  FILE001: 'The file is not UTF-8 text.',
  FILE002: 'The file is empty.',
  FILE003: 'The file is binary, not text.',
  FILE004: 'The file is over the size limit (bytes or rows).',
  FILE005: 'The file is neither CVRS nor CSV with a header of CVRS variable names (or of wastage columns).',
  FILE006: 'The header lacks required columns (they are named), of a dose file or of a wastage file.',
  FILE007: 'A column appears twice in the header.',
  FILE008:
    'Columns that are not CVRS fields (in a wastage file: not wastage columns) were ignored (warning).',
  FILE009: 'The file was dropped under a site (incoming/<iis_id>/) that is not enrolled.',
  FILE010: 'The CSV quoting is broken (a quote is never closed), so rows cannot be told apart.',
  FILE011: 'An upload URL was issued but no file arrived before it expired.',
  FILE012: 'Processing stopped after repeated failures; what was stored stays stored (send the file again).',
  FILE013:
    'The rows read disagree with the records the line breaks delimit, counted independently (a pipeline fault): nothing was stored.',
};
