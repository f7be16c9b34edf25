import { DOSE_FIELDS, type DoseField, SITE_FILLED_FIELDS } from '../domain/fields.ts';
import { type Finding, finding } from '../domain/findings.ts';
import { REQUIRED_FOR_VACCINATION } from '../domain/requirements.ts';

/**
 * Dropped files: what they may look like and how big they may be. A file is recognized by its content, never
 * its name: CDC CVRS (tab-delimited, header of CVRS variable names, no quoting) or CSV with the same header
 * names (RFC 4180 quoting).
 */
export type FileFormat = 'cvrs' | 'csv' | 'hl7';

/** CDC's per-file maximum for CVRS; the same for CSV so one plan fits every file. */
export const MAX_ROWS = 200_000;
/** 200,000 identified rows run to about 150 MB; anything far beyond that is not a dose file. */
export const MAX_BYTES = 512 * 1024 * 1024;
/** Rows per chunk: one worker invocation of a few seconds, and progress a site can watch move. */
export const CHUNK_ROWS = 2_000;

export interface Header {
  format: FileFormat;
  /** Field of each column, or undefined for a column that is not a dose field (reported, then ignored). */
  columns: (DoseField | undefined)[];
  /** File-level findings that do not stop processing (ignored columns). */
  notes: Finding[];
}

const FIELD_SET: ReadonlySet<string> = new Set(DOSE_FIELDS);
const SITE_FILLED: ReadonlySet<string> = new Set(SITE_FILLED_FIELDS);
/** Columns a file must have: the fields required for an administered dose that the site cannot fill in. */
export const REQUIRED_COLUMNS = REQUIRED_FOR_VACCINATION.filter((f) => !SITE_FILLED.has(f));

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
  const newline = head.indexOf(0x0a, start);
  const firstLine = head.subarray(start, newline < 0 ? head.length : newline).toString('utf8');
  if (firstLine.includes('\t')) return { format: 'cvrs' };
  if (firstLine.includes(',')) return { format: 'csv' };
  return {
    problem: fileFinding(
      'FILE005',
      'The file is neither a CVRS file (tab-delimited) nor a CSV file: its first line has no tabs or commas. The first line must be the header of CVRS variable names.',
    ),
  };
}

/** Maps header cells to dose fields; missing required columns are a file-level error naming them. */
export function readHeader(cells: string[], format: FileFormat): Header | { problem: Finding } {
  const columns = cells.map((c) => {
    const name = c.trim().toLowerCase();
    return FIELD_SET.has(name) ? (name as DoseField) : undefined;
  });
  const present = new Set(columns.filter((c) => c !== undefined));
  if (present.size === 0)
    return {
      problem: fileFinding(
        'FILE005',
        'The first line is not a header of CVRS variable names (vax_event_id, recip_id, admin_date, cvx, …). Add the header row.',
      ),
    };
  const missing = REQUIRED_COLUMNS.filter((f) => !present.has(f));
  if (missing.length > 0)
    return {
      problem: fileFinding(
        'FILE006',
        `The header is missing required column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}. Add ${missing.length > 1 ? 'them' : 'it'} and send the file again.`,
      ),
    };
  const seen = new Set<string>();
  for (const c of columns) {
    if (c === undefined) continue;
    if (seen.has(c))
      return { problem: fileFinding('FILE007', `Column ${c} appears twice in the header. Keep one.`) };
    seen.add(c);
  }
  const extra = cells.filter((_, i) => columns[i] === undefined).map((c) => c.trim());
  const notes =
    extra.length > 0
      ? [
          {
            code: 'FILE008',
            severity: 'warning' as const,
            field: 'header',
            message: `Column${extra.length > 1 ? 's' : ''} ${extra.join(', ')} ${extra.length > 1 ? 'are' : 'is'} not CVRS field${extra.length > 1 ? 's' : ''} and ${extra.length > 1 ? 'were' : 'was'} ignored.`,
          },
        ]
      : [];
  return { format, columns, notes };
}

/** A row's cells as a dose object, by the header's columns; a short or long row is a finding. */
export function rowToInput(
  cells: string[],
  header: Header,
): { input: Record<string, unknown>; findings: Finding[] } {
  const input: Record<string, unknown> = {};
  const n = Math.min(cells.length, header.columns.length);
  for (let i = 0; i < n; i++) {
    const field = header.columns[i];
    if (field !== undefined) input[field] = cells[i];
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
  FILE005: 'The file is neither CVRS nor CSV with a header of CVRS variable names.',
  FILE006: 'The header lacks required columns (they are named).',
  FILE007: 'A column appears twice in the header.',
  FILE008: 'Columns that are not CVRS fields were ignored (warning).',
  FILE009: 'The file was dropped under a site (incoming/<iis_id>/) that is not enrolled.',
  FILE010: 'The CSV quoting is broken (a quote is never closed), so rows cannot be told apart.',
  FILE011: 'An upload URL was issued but no file arrived before it expired.',
};
