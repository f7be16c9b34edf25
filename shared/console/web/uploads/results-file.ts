/**
 * An upload's results file (shared/files/results.ts): `row,<id>,status,codes,messages`, one line per row sent;
 * `messages` joins each finding as `<severity> <code> <field>: <message>` with ` | `. Read back into findings so
 * the console can filter them by code and show each beside its field.
 */
import type { Issue } from '../api.ts';

export interface ResultRow {
  /** The spreadsheet row (the header is row 1), or `file` for a file-level problem. */
  row: string;
  id: string;
  status: string;
  findings: Issue[];
}

const FINDING = /^(error|warning|info) (\S+) ([^:]+): ([\s\S]*)$/;

/** One finding of the messages column (file-level problems have no field: `<severity> <code>: <message>`). */
export function parseFinding(text: string): Issue {
  const m = FINDING.exec(text.trim());
  if (m) return { severity: m[1]!, code: m[2]!, field: m[3]!, message: m[4]! };
  const f = /^(error|warning|info) (\S+): ([\s\S]*)$/.exec(text.trim());
  if (f) return { severity: f[1]!, code: f[2]!, field: 'file', message: f[3]! };
  return { code: '', message: text.trim() };
}

/** The rows of a results file; a neutralized cell (leading `'`, results.ts) is read as sent. */
export async function parseResults(csv: string): Promise<ResultRow[]> {
  const { parse } = await import('csv-parse/browser/esm/sync');
  const records = parse(csv, { relax_column_count: true, skip_empty_lines: true }) as string[][];
  const unquote = (s: string) => (/^'[=+\-@＝＋－＠]/.test(s) ? s.slice(1) : s);
  return records.slice(1).map(([row = '', id = '', status = '', , messages = '']) => ({
    row,
    id: unquote(id),
    status,
    findings: messages ? unquote(messages).split(' | ').map(parseFinding) : [],
  }));
}
