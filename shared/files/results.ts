import { stringify } from 'csv-stringify/sync';
import type { Finding } from '#platform/findings.ts';
import type { FileKind } from './format.ts';
import type { ChunkCounts } from './uploads-store.ts';

/**
 * The results file a site gets back: one row per input row, in order. `row` is the spreadsheet row (the header
 * is row 1), so a clinic can find the line in the file it sent. The second column is the row's own ID:
 * vax_event_id for doses, record_id for a wastage file (same place, named as in the file sent).
 */
export const RESULT_COLUMNS = ['row', 'vax_event_id', 'status', 'codes', 'messages'];
export const WASTAGE_RESULT_COLUMNS = ['row', 'record_id', 'status', 'codes', 'messages'];

/** What a results row says about an input row: a dose's result, or a wastage report's outcome. */
export interface RowResult {
  vax_event_id?: string | null;
  record_id?: string;
  status: 'accepted' | 'rejected' | 'duplicate';
  issues: readonly Finding[];
}

/**
 * Spreadsheets run a cell that starts with = + - @ (or a tab or CR before one) as a formula; a leading
 * apostrophe makes it text (OWASP CSV injection guidance). Values come from the submitted file.
 */
export function neutralize(cell: string): string {
  return /^\s*[=+\-@＝＋－＠]/.test(cell) ? `'${cell}` : cell;
}

export function resultRows(firstRow: number, results: readonly RowResult[]): string {
  return stringify(
    results.map((r, i) => [
      String(firstRow + i),
      neutralize(r.vax_event_id ?? r.record_id ?? ''),
      r.status,
      r.issues.map((f) => f.code).join(' '),
      neutralize(r.issues.map((f) => `${f.severity} ${f.code} ${f.field}: ${f.message}`).join(' | ')),
    ]),
  );
}

export const resultHeader = (kind?: FileKind) =>
  stringify([kind === 'wastage' ? WASTAGE_RESULT_COLUMNS : RESULT_COLUMNS]);

/** The results file of a file rejected as a whole: the header (of its kind, when known) and one line saying why. */
export function fileProblemResults(problem: Finding, kind?: FileKind): string {
  return (
    resultHeader(kind) +
    stringify([
      [
        'file',
        '',
        'rejected',
        problem.code,
        neutralize(`${problem.severity} ${problem.code}: ${problem.message}`),
      ],
    ])
  );
}

export function countResults(results: readonly RowResult[]): ChunkCounts {
  const c: ChunkCounts = {
    rows: results.length,
    accepted: 0,
    rejected: 0,
    duplicates: 0,
    warnings: 0,
    byCode: {},
  };
  for (const r of results) {
    if (r.status === 'accepted') c.accepted++;
    else if (r.status === 'rejected') c.rejected++;
    else c.duplicates++;
    if (r.status !== 'rejected' && r.issues.some((f) => f.severity === 'warning')) c.warnings++;
    for (const f of r.issues) c.byCode[f.code] = (c.byCode[f.code] ?? 0) + 1;
  }
  return c;
}

export function addCounts(all: readonly ChunkCounts[]): ChunkCounts {
  const total: ChunkCounts = { rows: 0, accepted: 0, rejected: 0, duplicates: 0, warnings: 0, byCode: {} };
  for (const c of all) {
    total.rows += c.rows;
    total.accepted += c.accepted;
    total.rejected += c.rejected;
    total.duplicates += c.duplicates;
    total.warnings += c.warnings;
    for (const [code, n] of Object.entries(c.byCode)) total.byCode[code] = (total.byCode[code] ?? 0) + n;
  }
  total.byCode = Object.fromEntries(Object.entries(total.byCode).sort(([a], [b]) => a.localeCompare(b)));
  return total;
}
