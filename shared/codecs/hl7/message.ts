/**
 * A small generic HL7 v2 reader and writer. A message is kept fully split and unescaped
 * (field → repetition → component → subcomponent), so callers never see escape sequences and the writer is the
 * only place that escapes. Indexes in every public helper are 1-based, as the standard numbers them.
 */

import { shown } from '#platform/findings.ts';
import { DEFAULT_ENCODING, type Encoding, escapeHl7, unescapeHl7 } from './escape.ts';

export type Component = string[];
export type Repetition = Component[];
export type Field = Repetition[];

export interface Segment {
  readonly id: string;
  /** `fields[n - 1]` is SEG-n. For MSH, MSH-1 and MSH-2 hold the separator and encoding characters verbatim. */
  readonly fields: Field[];
}

export interface Message {
  readonly encoding: Encoding;
  readonly segments: Segment[];
}

export class Hl7ParseError extends Error {
  override readonly name = 'Hl7ParseError';
}

const SEGMENT_ID = /^[A-Z][A-Z0-9]{2}$/;
/** MLLP framing (VT … FS CR) and a UTF-8 BOM: transports leave them on; they are not message content. */
function unframe(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && (text.charCodeAt(start) === 0xfeff || text.charCodeAt(start) === 0x0b)) start++;
  while (end > start && [0x1c, 0x0d, 0x0a].includes(text.charCodeAt(end - 1))) end--;
  return text.slice(start, end);
}

/** Segment lines of a message or batch: CR is the standard terminator, CRLF and LF are accepted. */
export function splitLines(text: string): string[] {
  return unframe(text)
    .split(/\r\n|\r|\n/)
    .filter((line) => line.trim() !== '');
}

/** Characters of a malformed MSH-2 an error shows. */
const MSH2_SHOWN = 8;

/** Encoding characters as MSH-1/MSH-2 declare them; a 5th MSH-2 character (v2.7 truncation) is ignored. */
export function encodingOf(mshLine: string): Encoding {
  if (!mshLine.startsWith('MSH') || mshLine.length < 8) {
    throw new Hl7ParseError('The message does not start with an MSH segment.');
  }
  const field = mshLine[3]!;
  const chars = mshLine.slice(4).split(field, 1)[0]!;
  if (chars.length < 4 || chars.length > 5) {
    // Without MSH-1's separator after it, MSH-2 runs on through the message (names, dates of birth): the error,
    // which an ACK carries back, says how long it is and shows its start only.
    const start = [...chars].slice(0, MSH2_SHOWN).join('');
    throw new Hl7ParseError(
      `MSH-2 must hold 4 encoding characters, found ${chars.length}${chars ? ` ("${shown(start)}${start.length < chars.length ? '…' : ''}")` : ''}.`,
    );
  }
  const enc: Encoding = {
    field,
    component: chars[0]!,
    repetition: chars[1]!,
    escape: chars[2]!,
    subcomponent: chars[3]!,
  };
  const all = [enc.field, enc.component, enc.repetition, enc.escape, enc.subcomponent];
  if (new Set(all).size !== 5 || all.some((c) => /[\sA-Za-z0-9]/.test(c))) {
    throw new Hl7ParseError(
      `MSH-1/MSH-2 encoding characters "${shown(field + chars)}" are not 5 distinct delimiters.`,
    );
  }
  return enc;
}

/** Reads one message. Throws `Hl7ParseError` only when it has no usable MSH; everything else is the caller's. */
export function parseMessage(text: string): Message {
  const lines = splitLines(text);
  const first = lines[0];
  if (first === undefined) throw new Hl7ParseError('The message is empty.');
  const encoding = encodingOf(first);
  return { encoding, segments: lines.map((line) => parseSegment(line, encoding)) };
}

export function parseSegment(line: string, enc: Encoding = DEFAULT_ENCODING): Segment {
  const parts = line.split(enc.field);
  const id = parts[0]!;
  if (id === 'MSH') {
    const rest = parts.slice(2).map((raw) => parseField(raw, enc));
    return { id, fields: [[[[enc.field]]], [[[parts[1] ?? '']]], ...rest] };
  }
  return { id, fields: parts.slice(1).map((raw) => parseField(raw, enc)) };
}

function parseField(raw: string, enc: Encoding): Field {
  return raw
    .split(enc.repetition)
    .map((rep) =>
      rep.split(enc.component).map((c) => c.split(enc.subcomponent).map((s) => unescapeHl7(s, enc))),
    );
}

/** Splits a text holding several messages (a batch, or messages simply concatenated) at each MSH. */
export function splitMessages(text: string): string[] {
  const messages: string[][] = [];
  for (const line of splitLines(text)) {
    if (line.startsWith('MSH')) messages.push([line]);
    else if (/^(FHS|BHS|BTS|FTS)/.test(line)) continue;
    else messages.at(-1)?.push(line);
  }
  return messages.map((lines) => `${lines.join('\r')}\r`);
}

// ---- reading values ------------------------------------------------------------------------------------------

/** The unescaped value at SEG-field[repetition].component.subcomponent, or '' when absent. */
export function value(
  segment: Segment | undefined,
  field: number,
  component = 1,
  subcomponent = 1,
  repetition = 1,
): string {
  return segment?.fields[field - 1]?.[repetition - 1]?.[component - 1]?.[subcomponent - 1] ?? '';
}

/** The repetitions of a field, empty ones dropped (`a~~b` has two). */
export function repetitions(segment: Segment | undefined, field: number): Repetition[] {
  return (segment?.fields[field - 1] ?? []).filter((rep) => rep.some((c) => c.some((s) => s !== '')));
}

/** A component of one repetition, for walking `repetitions()`. */
export function componentOf(rep: Repetition | undefined, component: number, subcomponent = 1): string {
  return rep?.[component - 1]?.[subcomponent - 1] ?? '';
}

export interface Path {
  segment: string;
  field: number;
  repetition: number;
  component: number;
  subcomponent: number;
}

const PATH = /^(?:([A-Z][A-Z0-9]{2})-)?(\d+)(?:\[(\d+)\])?(?:\.(\d+))?(?:\.(\d+))?$/;

/** Reads `PID-5.1`, `RXA-11.4.2`, `PID-10[2].1`, or the same without the segment (`5.1`). */
export function parsePath(path: string): Path {
  const m = PATH.exec(path);
  if (!m) throw new RangeError(`Not an HL7 location: "${path}"`);
  const n = (s: string | undefined) => (s === undefined ? 1 : Number(s));
  const p = {
    segment: m[1] ?? '',
    field: Number(m[2]),
    repetition: n(m[3]),
    component: n(m[4]),
    subcomponent: n(m[5]),
  };
  if (p.field < 1 || p.repetition < 1 || p.component < 1 || p.subcomponent < 1) {
    throw new RangeError(`HL7 locations count from 1: "${path}"`);
  }
  return p;
}

/** The value at `SEG-n.c[.s]` in the first segment with that ID (or the `occurrence`-th). */
export function get(message: Message, path: string, occurrence = 1): string {
  const p = parsePath(path);
  const segment = message.segments.filter((s) => s.id === p.segment)[occurrence - 1];
  return value(segment, p.field, p.component, p.subcomponent, p.repetition);
}

// ---- writing ---------------------------------------------------------------------------------------------------

type Leaf = string | undefined | null;
/** A component: a value, or its subcomponents. */
export type ComponentInput = Leaf | readonly Leaf[];
/** A field: a value, its components, or repetitions made with `repeat()`. */
export type FieldInput = Leaf | readonly ComponentInput[] | Repeated;
export interface Repeated {
  readonly repeat: readonly (Leaf | readonly ComponentInput[])[];
}

export function repeat(...reps: (Leaf | readonly ComponentInput[])[]): Repeated {
  return { repeat: reps };
}

/** A segment from positional fields: `fields[0]` is SEG-1 (for MSH, MSH-3). Missing values stay empty. */
export function segment(id: string, fields: readonly FieldInput[]): Segment {
  if (!SEGMENT_ID.test(id)) throw new RangeError(`Not a segment ID: "${id}"`);
  const out: Field[] = fields.map(toField);
  if (id === 'MSH') out.unshift([[[DEFAULT_ENCODING.field]]], [[[encodingChars(DEFAULT_ENCODING)]]]);
  return { id, fields: out };
}

function toField(input: FieldInput): Field {
  if (isRepeated(input)) return input.repeat.map(toRepetition);
  return [toRepetition(input)];
}

function isRepeated(input: FieldInput): input is Repeated {
  return typeof input === 'object' && input !== null && !Array.isArray(input);
}

function toRepetition(input: Leaf | readonly ComponentInput[]): Repetition {
  if (typeof input === 'string' || input === undefined || input === null) return [[input ?? '']];
  return input.map((c) => (Array.isArray(c) ? c.map((s: Leaf) => s ?? '') : [(c as Leaf) ?? '']));
}

/** Sets one value in a segment under construction, growing it as needed (`put(rxa, '11.4.2', pin)`). */
export function put(target: Segment, path: string, v: string | undefined): void {
  if (v === undefined || v === '') return;
  const p = parsePath(path);
  if (p.segment !== '' && p.segment !== target.id) throw new RangeError(`${path} is not in ${target.id}`);
  const fields = target.fields;
  while (fields.length < p.field) fields.push([[['']]]);
  const field = fields[p.field - 1]!;
  while (field.length < p.repetition) field.push([['']]);
  const rep = field[p.repetition - 1]!;
  while (rep.length < p.component) rep.push(['']);
  const comp = rep[p.component - 1]!;
  while (comp.length < p.subcomponent) comp.push('');
  comp[p.subcomponent - 1] = v;
}

function encodingChars(enc: Encoding): string {
  return enc.component + enc.repetition + enc.escape + enc.subcomponent;
}

/** One segment as text, escaped, trailing empty fields/components/subcomponents left off. */
export function formatSegment(seg: Segment, enc: Encoding = DEFAULT_ENCODING): string {
  const isMsh = seg.id === 'MSH';
  const fields = (isMsh ? seg.fields.slice(2) : seg.fields).map((f) => formatField(f, enc));
  while (fields.length > 0 && fields.at(-1) === '') fields.pop();
  if (isMsh) return ['MSH', encodingChars(enc), ...fields].join(enc.field);
  return [seg.id, ...fields].join(enc.field);
}

function formatField(field: Field, enc: Encoding): string {
  const reps = field.map((rep) =>
    trimJoin(
      rep.map((comp) =>
        trimJoin(
          comp.map((s) => escapeHl7(s, enc)),
          enc.subcomponent,
        ),
      ),
      enc.component,
    ),
  );
  return trimJoin(reps, enc.repetition);
}

function trimJoin(parts: string[], sep: string): string {
  let end = parts.length;
  while (end > 0 && parts[end - 1] === '') end--;
  return parts.slice(0, end).join(sep);
}

/** The message as text: every segment, the last included, ends with CR. */
export function formatMessage(segments: readonly Segment[], enc: Encoding = DEFAULT_ENCODING): string {
  return segments.map((s) => `${formatSegment(s, enc)}\r`).join('');
}
