/**
 * CDC's JSON report (-j), as the Glassfish javax.json pretty printer writes it: a leading newline, four-space
 * indents, `"key": value`, LF line ends, an empty array as "[" newline "]", no newline at the end.
 *
 * Where CDC would write a null vax_event_id (a file without that column), Glassfish throws and CDC's tool
 * writes no JSON report at all; this one writes null there.
 */
import type { CdcResult } from './file.ts';
import { summarize } from './summary.ts';

type Json = string | number | null | Json[] | { [key: string]: Json };

/** Glassfish's string escaping: quote, backslash and control characters only; \u00XX in lower case. */
function quote(s: string): string {
  let out = '"';
  let from = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x20 && c !== 0x22 && c !== 0x5c) continue;
    out += s.slice(from, i);
    from = i + 1;
    switch (c) {
      case 0x22:
        out += '\\"';
        break;
      case 0x5c:
        out += '\\\\';
        break;
      case 0x08:
        out += '\\b';
        break;
      case 0x0c:
        out += '\\f';
        break;
      case 0x0a:
        out += '\\n';
        break;
      case 0x0d:
        out += '\\r';
        break;
      case 0x09:
        out += '\\t';
        break;
      default:
        out += `\\u${c.toString(16).padStart(4, '0')}`;
    }
  }
  return `${out + s.slice(from)}"`;
}

function write(v: Json, level: number, out: string[]): void {
  if (v === null) out.push('null');
  else if (typeof v === 'string') out.push(quote(v));
  else if (typeof v === 'number') out.push(String(v));
  else {
    const inner = `\n${'    '.repeat(level + 1)}`;
    const isArray = Array.isArray(v);
    out.push(isArray ? '[' : '{');
    const entries: [string | undefined, Json][] = isArray ? v.map((x) => [undefined, x]) : Object.entries(v);
    entries.forEach(([k, x], i) => {
      out.push(i === 0 ? inner : `,${inner}`);
      if (k !== undefined) out.push(`${quote(k)}: `);
      write(x, level + 1, out);
    });
    out.push(`\n${'    '.repeat(level)}${isArray ? ']' : '}'}`);
  }
}

export function formatJsonReport(fileName: string, r: CdcResult): string {
  const detail = r.totalRecords > 0 ? r.findings : [];
  const report: Json = {
    filename: fileName,
    detail: detail.map((f) => ({
      vax_event_id: f.vax_event_id,
      line: f.line,
      code: f.code,
      field: f.field,
      level: f.level,
      message: f.message,
    })),
    totalErrors: r.totalErrors,
    failedRecords: r.failedRecords,
    totalRecords: r.totalRecords,
    summary: summarize(r.findings).map((s) => ({
      code: s.code,
      field: s.field,
      count: s.count,
      description: s.description,
      examples: s.examples.map((e) => ({ line: e.line, vax_event_id: e.vax_event_id, message: e.message })),
    })),
  };
  const out = ['\n'];
  write(report, 0, out);
  return out.join('');
}
