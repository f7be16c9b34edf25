// One message as HAPI holds it: segments, fields and their leaves.

import { CdcHl7Rejection } from './cvrs-record.ts';
import { type Delimiters, hapiSplit, hapiUnescape } from './hapi-escaping.ts';
import { type Primitive, primitive } from './hapi-primitives.ts';

export interface RawSegment {
  /** HAPI's name: the text before the first field separator. */
  readonly name: string;
  /** `fields[n]` is SEG-n (for MSH as well: fields[1] is MSH-1, the separator). */
  readonly fields: string[];
}

export interface ParsedMessage {
  readonly delimiters: Delimiters;
  readonly segments: RawSegment[];
}

/** Java's Character.isWhitespace: what HAPI strips from the start of each segment. */
function isJavaWhitespace(code: number): boolean {
  return (
    (code >= 0x09 && code <= 0x0d) ||
    (code >= 0x1c && code <= 0x20) ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a && code !== 0x2007) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x205f ||
    code === 0x3000
  );
}

export function parseRaw(message: string): ParsedMessage {
  const lines = message.split(/\r\n|\r|\n/);
  const first = lines[0] ?? '';
  if (!first.startsWith('MSH') || first.length < 4) {
    throw new CdcHl7Rejection('The message does not start with an MSH segment; HAPI cannot parse it');
  }
  const field = first[3]!;
  const mshFields = hapiSplit(first, field);
  const chars = mshFields[1] ?? '';
  if (chars.length !== 4) {
    throw new CdcHl7Rejection(`MSH-2 (${chars}) must hold exactly 4 encoding characters for HAPI 2.3`);
  }
  const delimiters: Delimiters = {
    field,
    component: chars[0]!,
    repetition: chars[1]!,
    escape: chars[2]!,
    subcomponent: chars[3]!,
  };
  const segments: RawSegment[] = [];
  for (let raw of lines) {
    let start = 0;
    while (start < raw.length && isJavaWhitespace(raw.charCodeAt(start))) start++;
    raw = raw.slice(start);
    // HAPI skips what is shorter than a segment ID: blank lines inside a message are harmless.
    if (raw.length < 3) continue;
    const cut = raw.indexOf(field);
    const name = cut >= 0 ? raw.slice(0, cut) : raw;
    const parts = raw.split(field);
    const fields = name === 'MSH' ? ['MSH', field, ...parts.slice(1)] : parts;
    segments.push({ name, fields });
  }
  return { delimiters, segments };
}

/** The raw (escaped) text of one subcomponent: rep, component and subcomponent count from 1, HAPI-style. */
export function rawLeaf(
  seg: RawSegment | undefined,
  d: Delimiters,
  field: number,
  rep = 1,
  comp = 1,
  sub = 1,
): string {
  const f = seg?.fields[field];
  if (f === undefined) return '';
  // MSH-2 holds the encoding characters themselves and is never split.
  if (seg?.name === 'MSH' && field === 2) return rep === 1 && comp === 1 && sub === 1 ? f : '';
  const r = f.split(d.repetition)[rep - 1];
  if (r === undefined) return '';
  const c = r.split(d.component)[comp - 1];
  if (c === undefined) return '';
  return c.split(d.subcomponent)[sub - 1] ?? '';
}

export function leaf(
  seg: RawSegment | undefined,
  d: Delimiters,
  type: Primitive,
  field: number,
  rep = 1,
  comp = 1,
  sub = 1,
): string {
  const where = `${seg?.name ?? '?'}-${field}`;
  return primitive(hapiUnescape(rawLeaf(seg, d, field, rep, comp, sub), d), type, where);
}
