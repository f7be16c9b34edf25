// A generated file as bytes, and the bytes as the stream the planner reads.

import { Readable } from 'node:stream';
import { CVRS_FIELDS } from '#doses/fields.ts';
import { REQUIRED_COLUMNS } from '#files/format.ts';
import type { FileInput } from './files-input.ts';
import { modernaDose } from './shapes.ts';

/** The file's bytes, and how many rows (records after the header, blank lines not counted) it holds. */
export function fileBytes(input: FileInput): {
  bytes: Buffer;
  rows: number;
  broken: 'nul' | 'latin1' | 'quote' | undefined;
} {
  const sep = input.format === 'cvrs' ? '\t' : ',';
  const cell = (v: string) => {
    if (input.format === 'cvrs') return v.replace(/[\r\n\t]/g, ' ');
    return /[",\r\n]/.test(v) || v.startsWith(' ') ? `"${v.replaceAll('"', '""')}"` : v;
  };
  const data = input.rows.flatMap((r, i) => (r.kind === 'data' ? [i] : []));
  const lines: string[] = [input.columns.map((c) => (input.format === 'csv' ? cell(c) : c)).join(sep)];
  let rows = 0;
  let quoteBroken = false;
  for (const [i, r] of input.rows.entries()) {
    if (r.kind === 'blank') {
      lines.push('');
      continue;
    }
    if (r.kind === 'spaces') {
      rows++;
      lines.push('  ');
      continue;
    }
    let id = `F-${i}`;
    let conflict = false;
    if (input.repeat.kind !== 'none' && data.length > 1) {
      const at = data[1 + (input.repeat.at % (data.length - 1))]!;
      const of = data[input.repeat.of % data.indexOf(at)]!;
      if (i === at) {
        id = `F-${of}`;
        conflict = input.repeat.kind === 'conflict';
      }
    }
    const dose = modernaDose({
      vax_event_id: id,
      recip_id: `R-${id}`,
      ...(conflict ? { recip_first_name: 'Other' } : {}),
    });
    const values = input.columns.map((c) => String(dose[c.toLowerCase()] ?? ''));
    for (const [k, v] of Object.entries(r.changes)) {
      const at = Number(k) % Math.max(values.length, 1);
      // The repeat's ID stays, so it is a repeat whatever else changes.
      if (input.columns[at]?.toLowerCase() !== 'vax_event_id') values[at] = v;
    }
    for (let e = 0; e < r.extraCells; e++) values.push('extra');
    values.length = Math.max(2, values.length - r.dropCells);
    let line = values.map(cell).join(sep);
    if (
      input.format === 'csv' &&
      input.corrupt.kind === 'open-quote' &&
      input.corrupt.row % data.length === data.indexOf(i)
    ) {
      line = `${line}${sep}"unclosed`;
      quoteBroken = true;
    }
    rows++;
    lines.push(line);
  }
  for (let b = 0; b < input.trailingBlank; b++) lines.push('');
  let text = '';
  lines.forEach((l, i) => {
    const last = i === lines.length - 1;
    text += l + (last && !input.lastEnding ? '' : input.endings[i % input.endings.length]!);
  });
  let bytes = Buffer.from(text, 'utf8');
  if (input.bom) bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), bytes]);
  // A NUL typed into a cell is a NUL byte in the file: binary, refused whole.
  let broken: 'nul' | 'latin1' | 'quote' | undefined = text.includes('\u0000')
    ? 'nul'
    : quoteBroken
      ? 'quote'
      : undefined;
  if (input.corrupt.kind === 'nul' || input.corrupt.kind === 'latin1') {
    const at = input.corrupt.at % (bytes.length + 1);
    bytes = Buffer.concat([
      bytes.subarray(0, at),
      Buffer.from([input.corrupt.kind === 'nul' ? 0x00 : 0xe9]),
      bytes.subarray(at),
    ]);
    broken = input.corrupt.kind;
  }
  return { bytes, rows, broken };
}

/** Whether the header names every required column, each once (as readHeader wants). */
export function headerUsable(columns: readonly string[]): boolean {
  const names = columns.map((c) => c.trim().toLowerCase());
  const known = names.filter((n) => (CVRS_FIELDS as readonly string[]).includes(n));
  return REQUIRED_COLUMNS.every((c) => names.includes(c)) && new Set(known).size === known.length;
}

/** The bytes as a stream cut at the given points (a CR at the end of a piece, a UTF-8 sequence split...). */
export function pieces(bytes: Buffer, splits: readonly number[]): Readable {
  const at = [...new Set(splits.map((s) => s % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let from = 0;
  for (const s of [...at, bytes.length]) {
    if (s > from) out.push(bytes.subarray(from, s));
    from = s;
  }
  return Readable.from(out);
}
