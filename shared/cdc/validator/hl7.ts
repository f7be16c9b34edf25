/**
 * How CDC's CVRS extract-validator (CDC_IIS_Open_Tools `extract-validator`, Java, HAPI 2.3 with only the v2.5.1
 * structures on its classpath) reads an `.hl7` file, so an HL7 file can be validated on the CVRS record each VXU
 * maps to. Behaviour follows that tool's source, quirks included, because the point is to agree with CDC's verdict,
 * not with the HL7 standard:
 *
 * - a file is split into messages at every line starting MSH (or a batch header/trailer), and a message's "line" in
 *   CDC's report is its ordinal, not where it sits in the file;
 * - fields are read with HAPI's Terser paths from the CVRS annotations (`/.ORC-3-1`, `/.PID-10(1)-1`, …), which only
 *   ever look in the first ORDER group, and HAPI places segments into groups by its own iterator (an RXA before any
 *   ORC is not "the" RXA);
 * - values are unescaped the HAPI way and HAPI's default validation corrects them (ST loses leading whitespace) or
 *   rejects the message outright (a malformed date), which stops CDC's whole run.
 *
 * Pure: no I/O; the value sets the `defaults` option needs are reduced to the fields that can take UNK.
 */

import {
  CVRS_FIELDS as DOMAIN_CVRS_FIELDS,
  type CvrsField as DomainCvrsField,
  IDENTIFYING_FIELDS,
} from '#doses/fields.ts';
import {
  type CdcFinding,
  type CdcOptions,
  type CdcResult,
  CdcValidatorStopped,
  validateCvrsRecord,
  validateCvrsText,
} from './index.ts';
import { foldHash, str } from './java.ts';

// ---- the CVRS record ---------------------------------------------------------------------------------------------

/** The two CVRS v1 fields v2 IGNOREs (CVRSExtract.java). */
type V1Only = 'vax_prov_suffix' | 'recip_missed_appt';
export type CvrsField = DomainCvrsField | V1Only;
const at = (from: number, to?: number) => DOMAIN_CVRS_FIELDS.slice(from, to);

/** Every CVRS field in CDC's declaration order: v2's 45 with v1's two where CDC declares them. */
export const CVRS_FIELDS_V1: readonly CvrsField[] = [
  ...at(0, 42),
  'vax_prov_suffix',
  ...at(42, 44),
  'recip_missed_appt',
  ...at(44),
];
export type CvrsVersion = '1' | '2';

const IGNORED_IN_V2: ReadonlySet<string> = new Set(['vax_prov_suffix', 'recip_missed_appt']);

/** The fields (and column order) of a CVRS file of that version: 47 for v1, 45 for v2. */
export function cvrsFields(version: CvrsVersion = '2'): readonly CvrsField[] {
  return version === '1' ? CVRS_FIELDS_V1 : CVRS_FIELDS_V1.filter((f) => !IGNORED_IN_V2.has(f));
}

/**
 * CDC's tool would not produce a record for this message: HAPI refused to parse it, or the message is not a
 * v2.5.1 VXU_V04. In CDC's validator that is not a per-record error but an exception that ends the whole run, so
 * callers should treat the file as unreadable by CDC from this message on.
 */
export class CdcHl7Rejection extends CdcValidatorStopped {
  override name = 'CdcHl7Rejection';
  /** The message's ordinal in its file, when known (validateHl7Text sets it). */
  line?: number;
}

// ---- splitting a file --------------------------------------------------------------------------------------------

export interface SplitHl7Message {
  /** What CDC's report calls the record's line: its ordinal among the file's messages, from 1. */
  line: number;
  /** The physical line (Java `readLine` counting CR, LF and CRLF) where its MSH is, for people reading the file. */
  firstLine: number;
  /** Its segments, each ended by CR, as CDC hands them to HAPI (blank lines inside a message included). */
  message: string;
}

// Java's `.` stops at these five, so a line carrying U+0085/U+2028/U+2029 is not a delimiter to CDC's splitter.
const BATCH_LINE = /^(?:FHS|BHS|BTS|FTS)[^\n\r\u0085\u2028\u2029]*$/;
const DELIMITER_LINE = /^(?:FHS|BHS|BTS|FTS|MSH)[^\n\r\u0085\u2028\u2029]*$/;

/** Lines as Java's BufferedReader.readLine returns them: CR, LF or CRLF end a line; a final terminator adds none. */
function javaLines(text: string): string[] {
  const lines: string[] = [];
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 0x0a && c !== 0x0d) continue;
    lines.push(text.slice(start, i));
    if (c === 0x0d && text.charCodeAt(i + 1) === 0x0a) i++;
    start = i + 1;
  }
  if (start < text.length) lines.push(text.slice(start));
  return lines;
}

/**
 * Whether CDC's validator reads this file as HL7 rather than as a CVRS text file: its first line (after a BOM,
 * which CDC reports as FMT_005 and skips) starts with MSH or a batch/file header.
 */
export function isHl7File(text: string): boolean {
  const first = javaLines(text.startsWith('\uFEFF') ? text.slice(1) : text)[0];
  return first !== undefined && DELIMITER_LINE.test(first);
}

/**
 * The messages of an HL7 file as CDC's HL7MessageParser cuts them: batch/file headers and trailers are dropped,
 * lines before a message that do not start with MSH are dropped, and a message runs from its MSH to the next line
 * that starts with MSH, FHS, BHS, BTS or FTS (no `|` needed: "MSHX" also starts one).
 */
export function splitHl7Messages(text: string): SplitHl7Message[] {
  const lines = javaLines(text.startsWith('\uFEFF') ? text.slice(1) : text);
  const out: SplitHl7Message[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i]!;
    i++;
    if (BATCH_LINE.test(line) || !line.startsWith('MSH')) continue;
    const firstLine = i;
    const segments = [line];
    while (i < lines.length && !DELIMITER_LINE.test(lines[i]!)) {
      segments.push(lines[i]!);
      i++;
    }
    out.push({ line: out.length + 1, firstLine, message: segments.map((s) => `${s}\r`).join('') });
  }
  return out;
}

// ---- HAPI's tokenizing and escaping ------------------------------------------------------------------------------

interface Delimiters {
  field: string;
  component: string;
  repetition: string;
  escape: string;
  subcomponent: string;
}

/** HAPI's split: empty pieces between delimiters are kept, trailing ones are not ("a|" is one piece). */
function hapiSplit(text: string, delim: string): string[] {
  const parts = text.split(delim);
  while (parts.length > 0 && parts.at(-1) === '') parts.pop();
  return parts;
}

/** HAPI's DefaultEscaping.unescape: not the standard's full set, and unknown sequences lose their escape char. */
function hapiUnescape(text: string, d: Delimiters): string {
  const e = d.escape;
  if (!text.includes(e)) return text;
  const sequences: [string, string][] = [
    [`${e}F${e}`, d.field],
    [`${e}S${e}`, d.component],
    [`${e}T${e}`, d.subcomponent],
    [`${e}R${e}`, d.repetition],
    [`${e}E${e}`, e],
    ['\\X000d\\', '\r'],
  ];
  let out = '';
  let i = 0;
  while (i < text.length) {
    if (text[i] !== e) {
      out += text[i];
      i++;
      continue;
    }
    const hit = sequences.find(([seq]) => text.startsWith(seq, i));
    if (hit) {
      out += hit[1];
      i += hit[0].length;
      continue;
    }
    const next = text[i + 1];
    if (next !== undefined && '.CMXZ'.includes(next)) {
      // Formatting, charset and hex sequences are kept verbatim (so `\X41\` stays `\X41\`), when closed.
      const close = text.indexOf(e, i + 1);
      if (close > 0) {
        out += text.slice(i, close + 1);
        i = close + 1;
      } else i++;
    } else if (next === 'H' || next === 'N') {
      if (text.indexOf(e, i + 1) === i + 2) {
        out += text.slice(i, i + 3);
        i += 3;
      } else i++;
    } else i++;
  }
  return out;
}

/** HAPI's DefaultEscaping.escape, needed only to rebuild the text HAPI re-parses for a primitive OBX-5. */
function hapiEscape(text: string, d: Delimiters): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === d.escape) {
      const next = text[i + 1];
      if (next !== undefined && '.CMXZ'.includes(next)) {
        const close = text.indexOf(d.escape, i + 1);
        if (close > 0) {
          out += text.slice(i, close + 1);
          i = close;
          continue;
        }
      } else if ((next === 'H' || next === 'N') && text[i + 2] === '\\') {
        out += text.slice(i, i + 3);
        i += 2;
        continue;
      }
      out += `${d.escape}E${d.escape}`;
    } else if (c === d.field) out += `${d.escape}F${d.escape}`;
    else if (c === d.component) out += `${d.escape}S${d.escape}`;
    else if (c === d.subcomponent) out += `${d.escape}T${d.escape}`;
    else if (c === d.repetition) out += `${d.escape}R${d.escape}`;
    else if (c === '\r') out += '\\X000d\\';
    else out += c;
  }
  return out;
}

// ---- HAPI's default validation of primitives --------------------------------------------------------------------

/** The HAPI primitive type a value is parsed into; only these carry a default validation rule or correction. */
type Primitive = 'ST' | 'TX' | 'FT' | 'ID' | 'IS' | 'NM' | 'SI' | 'DT' | 'TM' | 'DTM' | 'other';

const RULES: Partial<Record<Primitive, { test: RegExp; what: string }>> = {
  NM: { test: /^(?:\+|-)?\d*\.?\d*$/, what: 'a number' },
  SI: { test: /^\d*$/, what: 'a non-negative integer' },
  DT: { test: /^(?:\d{4}(?:[01]\d(?:\d{2})?)?)?$/, what: 'an HL7 date' },
  TM: {
    test: /^(?:[012]\d(?:[0-5]\d(?:[0-5]\d(?:\.\d(?:\d(?:\d(?:\d)?)?)?)?)?)?)?(?:[+-]\d{4})?$/,
    what: 'an HL7 time',
  },
  DTM: {
    test: /^(?:\d{4}(?:[01]\d(?:\d{2}(?:[012]\d(?:[0-5]\d(?:[0-5]\d(?:\.\d(?:\d(?:\d(?:\d)?)?)?)?)?)?)?)?)?)?(?:[+-]\d{4})?$/,
    what: 'an HL7 date/time',
  },
};

/** Java's \s (space, TAB, LF, VT, FF, CR), which is what HAPI's trimming rules strip. */
const isJavaSpace = (code: number): boolean => code === 0x20 || (code >= 0x09 && code <= 0x0d);

function trimStart(v: string): string {
  let i = 0;
  while (i < v.length && isJavaSpace(v.charCodeAt(i))) i++;
  return v.slice(i);
}

function trimEnd(v: string): string {
  let i = v.length;
  while (i > 0 && isJavaSpace(v.charCodeAt(i - 1))) i--;
  return v.slice(0, i);
}

/**
 * The value HAPI stores for a primitive of that type, after its default validation context: ST and FT lose leading
 * whitespace, TX trailing; a value failing its type's rule aborts the parse, which in CDC's tool ends the run.
 */
function primitive(value: string, type: Primitive, where: string): string {
  let v = value;
  if (type === 'ST' || type === 'FT') v = trimStart(v);
  if (type === 'TX') v = trimEnd(v);
  const empty = v === '' || v === '""';
  if ((type === 'ID' || type === 'IS') && v.length > 200) {
    throw new CdcHl7Rejection(`${where} is longer than 200 characters; HAPI rejects the message`);
  }
  if (type === 'FT' && v.length > 32000) {
    throw new CdcHl7Rejection(`${where} is longer than 32000 characters; HAPI rejects the message`);
  }
  const rule = RULES[type];
  if (rule && !empty && !rule.test.test(v)) {
    throw new CdcHl7Rejection(`${where} (${v}) is not ${rule.what}; HAPI rejects the message`);
  }
  return v;
}

/** The primitive type of the first leaf of each v2.5.1 type an OBX-5 may declare in OBX-2. */
const FIRST_LEAF: Record<string, Primitive> = {
  ST: 'ST',
  TX: 'TX',
  FT: 'FT',
  ID: 'ID',
  IS: 'IS',
  NM: 'NM',
  SI: 'SI',
  DT: 'DT',
  TM: 'TM',
  DTM: 'DTM',
  TS: 'DTM',
  DR: 'DTM',
  CE: 'ST',
  CWE: 'ST',
  CNE: 'ST',
  CF: 'ST',
  CX: 'ST',
  EI: 'ST',
  XPN: 'ST',
  PN: 'ST',
  XAD: 'ST',
  AD: 'ST',
  XCN: 'ST',
  CN: 'ST',
  XON: 'ST',
  RP: 'ST',
  SN: 'ST',
  HD: 'IS',
  ED: 'IS',
  CQ: 'NM',
  MO: 'NM',
  CP: 'NM',
  NA: 'NM',
  MA: 'NM',
};
/** Types HAPI 2.3 has a v2.5.1 class for; any other OBX-2 makes it throw while fixing OBX-5's type. */
const V251_TYPES = new Set(
  (
    'AD AUI CCD CCP CD CE CF CNE CNN CP CQ CSU CWE CX DDI DIN DLD DLN DLT DR DT DTM DTN ED EI EIP ELD ERL FC FN FT ' +
    'GTS HD ICD ID IS JCC LA1 LA2 MA MO MOC MOP MSG NA NDL NM NR OCD OSD OSP PIP PL PLN PPN PRL PT PTA QIP QSC RCD ' +
    'RFR RI RMC RP RPT SAD SCV SI SN SPD SPS SRT ST TM TN TQ TS TX UVC VH VID VR WVI WVS XAD XCN XON XPN XTN'
  ).split(' '),
);
/** v2.5.1 primitives: HAPI re-parses these from its own re-encoding of OBX-5, the rest it parses as composites. */
const PRIMITIVE_TYPES = new Set(['ST', 'TX', 'FT', 'ID', 'IS', 'NM', 'SI', 'DT', 'TM', 'DTM', 'TN', 'GTS']);

// ---- one message as HAPI holds it -------------------------------------------------------------------------------

interface RawSegment {
  /** HAPI's name: the text before the first field separator. */
  readonly name: string;
  /** `fields[n]` is SEG-n (for MSH as well: fields[1] is MSH-1, the separator). */
  readonly fields: string[];
}

interface ParsedMessage {
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

function parseRaw(message: string): ParsedMessage {
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
function rawLeaf(
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

function leaf(
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

// ---- where HAPI puts each segment (VXU_V04, v2.5.1) ---------------------------------------------------------------

interface Def {
  readonly name: string;
  readonly segment: boolean;
  readonly repeating: boolean;
  readonly required: boolean;
  readonly children: Def[];
  parent?: Def;
  position: number;
  nextLeaf?: Def;
}

const seg = (name: string, repeating = false, required = false): Def => ({
  name,
  segment: true,
  repeating,
  required,
  children: [],
  position: 0,
});
const group = (name: string, repeating: boolean, required: boolean, children: Def[]): Def => ({
  name,
  segment: false,
  repeating,
  required,
  children,
  position: 0,
});

/** VXU_V04 as HAPI's v2.5.1 model defines it; the parser's placement depends on every optional/repeating flag. */
function vxuDefinition(): Def {
  const root = group('VXU_V04', false, true, [
    seg('MSH', false, true),
    seg('SFT', true),
    seg('PID', false, true),
    seg('PD1'),
    seg('NK1', true),
    group('PATIENT', false, false, [seg('PV1', false, true), seg('PV2')]),
    seg('GT1', true),
    group('INSURANCE', true, false, [seg('IN1', false, true), seg('IN2'), seg('IN3')]),
    group('ORDER', true, false, [
      seg('ORC', false, true),
      group('TIMING', true, false, [seg('TQ1', false, true), seg('TQ2', true)]),
      seg('RXA', false, true),
      seg('RXR'),
      group('OBSERVATION', true, false, [seg('OBX', false, true), seg('NTE', true)]),
    ]),
  ]);
  let previousLeaf: Def | undefined;
  const link = (d: Def) => {
    d.children.forEach((c, i) => {
      c.parent = d;
      c.position = i;
      if (c.segment) {
        if (previousLeaf) previousLeaf.nextLeaf = c;
        previousLeaf = c;
      } else link(c);
    });
  };
  link(root);
  return root;
}

const firstChildrenCache = new WeakMap<Def, Set<string>>();
function firstChildren(d: Def): Set<string> {
  let names = firstChildrenCache.get(d);
  if (!names) {
    names = new Set();
    for (const c of d.children) {
      for (const n of firstChildren(c)) names.add(n);
      if (c.required) break;
    }
    names.add(d.name);
    firstChildrenCache.set(d, names);
  }
  return names;
}

const followingCache = new WeakMap<Def, Set<string>>();
function followingLeaves(d: Def): Set<string> {
  let names = followingCache.get(d);
  if (!names) {
    names = new Set();
    if (d.nextLeaf) {
      names.add(d.nextLeaf.name);
      for (const n of followingLeaves(d.nextLeaf)) names.add(n);
    }
    for (let p = d.parent; p; p = p.parent) {
      if (p.repeating) for (const n of firstChildren(p)) names.add(n);
    }
    followingCache.set(d, names);
  }
  return names;
}

const isFinalChild = (d: Def): boolean => !d.parent || d.position === d.parent.children.length - 1;

/** A placed position: a definition, or a nonstandard segment HAPI added after one (it inherits its neighbour's). */
interface Position {
  readonly def: Def;
  readonly nonstandard?: string;
  rep: number;
}

/** An instance of a group: each child name → its repetitions (segments are raw segments, groups are instances). */
interface GroupInstance {
  readonly children: Map<string, (RawSegment | GroupInstance)[]>;
}

const newGroup = (): GroupInstance => ({ children: new Map() });
const VXU_V04 = vxuDefinition();

/** Walks a placement path from the message down, creating group repetitions as HAPI's Group.get does. */
function walk(message: GroupInstance, path: readonly Position[], leaf?: RawSegment): GroupInstance {
  let current = message;
  for (let i = 1; i < path.length; i++) {
    const p = path[i]!;
    const name = p.nonstandard ?? p.def.name;
    const reps = current.children.get(name) ?? [];
    current.children.set(name, reps);
    if (leaf && i === path.length - 1) {
      reps[p.rep] = leaf;
      break;
    }
    while (reps.length <= p.rep) reps.push(newGroup());
    current = reps[p.rep] as GroupInstance;
  }
  return current;
}

/**
 * Places segments the way HAPI's parser MessageIterator does (unexpected segments allowed): into the next position
 * whose name matches, into a new repetition of a repeating group only when the segment can start it, and anywhere
 * else as a nonstandard segment, which Terser paths never find. So an RXA with no ORC before it is not "the" RXA.
 */
function place(segments: readonly RawSegment[]): GroupInstance {
  const message = newGroup();
  let path: Position[] = [{ def: VXU_V04, rep: 0 }];

  const popUntilMatch = (direction: string, from: readonly Position[]): Position[] | undefined => {
    const popped = from.slice(0, -1);
    const top = popped[popped.length - 1]!.def;
    if (firstChildren(top).has(direction)) return popped;
    if (isFinalChild(top)) return popped.length > 1 ? popUntilMatch(direction, popped) : undefined;
    return popped;
  };
  const addNonstandard = (direction: string) => {
    const parentPath = path.slice(0, -1);
    const parentDef = parentPath[parentPath.length - 1]!.def;
    const parent = walk(message, parentPath);
    const taken = (n: string) => parent.children.has(n) || parentDef.children.some((c) => c.name === n);
    // HAPI renames a nonstandard segment whose name the group already has (a second RXA becomes RXA2).
    let name = direction;
    for (let n = 2; taken(name); n++) name = `${direction}${n}`;
    path = [...parentPath, { def: path[path.length - 1]!.def, nonstandard: name, rep: 0 }];
  };

  for (const segment of segments) {
    const direction = segment.name;
    for (;;) {
      const p = path[path.length - 1]!;
      // A nonstandard position answers to its own name and otherwise behaves like the definition before it.
      const d = p.def;
      const isNonstandard = p.nonstandard !== undefined;
      const isSegment = isNonstandard || d.segment;
      const hasChildren = !isNonstandard && d.children.length > 0;
      const following = followingLeaves(d);
      if ((p.nonstandard ?? d.name) === direction && (isNonstandard || d.repeating || p.rep === -1)) {
        p.rep++;
        break;
      }
      if (isSegment && !d.nextLeaf && !following.has(direction)) {
        addNonstandard(direction);
        break;
      }
      if (hasChildren && firstChildren(d).has(direction)) {
        p.rep++;
        path.push({ def: d.children[0]!, rep: -1 });
        continue;
      }
      if (!hasChildren && !following.has(direction)) {
        addNonstandard(direction);
        break;
      }
      if (isFinalChild(d)) {
        const popped = popUntilMatch(direction, path);
        if (!popped) {
          addNonstandard(direction);
          break;
        }
        path = popped;
        continue;
      }
      path[path.length - 1] = { def: d.parent!.children[d.position + 1]!, rep: -1 };
    }
    walk(message, path, segment);
  }
  return message;
}

function child(g: GroupInstance | undefined, name: string, rep = 0): RawSegment | GroupInstance | undefined {
  return g?.children.get(name)?.[rep];
}
const segmentIn = (g: GroupInstance | undefined, name: string): RawSegment | undefined =>
  child(g, name) as RawSegment | undefined;
const groupIn = (g: GroupInstance | undefined, name: string, rep = 0): GroupInstance | undefined =>
  child(g, name, rep) as GroupInstance | undefined;

// ---- checks HAPI makes while parsing, before CDC reads anything --------------------------------------------------

/** Date/time and numeric fields of the VXU segments whose malformed values make HAPI 2.3 refuse the message. */
const TYPED_FIELDS: Record<string, [number, Primitive][]> = {
  MSH: [[7, 'DTM']],
  PID: [
    [1, 'SI'],
    [7, 'DTM'],
    [29, 'DTM'],
    [33, 'DTM'],
  ],
  NK1: [[1, 'SI']],
  ORC: [[9, 'DTM']],
  RXA: [
    [1, 'NM'],
    [2, 'NM'],
    [3, 'DTM'],
    [4, 'DTM'],
    [6, 'NM'],
    [16, 'DTM'],
    [22, 'DTM'],
  ],
  OBX: [
    [1, 'SI'],
    [14, 'DTM'],
  ],
};

function checkStructure(parsed: ParsedMessage): void {
  const msh = parsed.segments[0]!;
  const d = parsed.delimiters;
  const version = (msh.fields[12] ?? '').split(d.component)[0] ?? '';
  if (version !== '2.5.1') {
    throw new CdcHl7Rejection(
      `MSH-12 is "${version}": CDC's validator only carries HAPI's v2.5.1 structures and fails on other versions`,
    );
  }
  // HAPI takes MSH-9.3 when there are three components, else MSH-9.1_MSH-9.2 through its event map.
  const type = hapiSplit(msh.fields[9] ?? '', d.component);
  const structure = type.length >= 3 ? type[2]! : type.length === 2 ? `${type[0]}_${type[1]}` : '';
  if (structure !== 'VXU_V04') {
    throw new CdcHl7Rejection(
      `MSH-9 (${msh.fields[9] ?? ''}) is not a VXU_V04; CDC's converter cannot read it`,
    );
  }
}

function checkPrimitives(parsed: ParsedMessage): void {
  const d = parsed.delimiters;
  for (const s of parsed.segments) {
    for (const [field, type] of TYPED_FIELDS[s.name] ?? []) {
      const reps = (s.fields[field] ?? '').split(d.repetition);
      for (let r = 1; r <= reps.length; r++) leaf(s, d, type, field, r);
    }
    if (s.name === 'OBX') obxValue(s, d);
  }
}

// ---- OBX ---------------------------------------------------------------------------------------------------------

/**
 * OBX-5 as CDC reads it (first repetition, first leaf) once HAPI has retyped it from OBX-2. A primitive type is
 * re-parsed from HAPI's re-encoding, so when components follow, its value is the first component still escaped.
 */
function obxValue(obx: RawSegment, d: Delimiters): string {
  const obx2 = rawLeaf(obx, d, 2);
  const reps = hapiSplit(obx.fields[5] ?? '', d.repetition);
  if (obx2 === '') {
    // HAPI keeps an untyped OBX-5 only while each repetition is a lone empty value.
    const valued = reps.some(
      (rep) => hapiSplit(rep, d.component).length > 1 || (hapiSplit(rep, d.subcomponent)[0] ?? '') !== '',
    );
    if (valued) {
      throw new CdcHl7Rejection(
        'OBX-5 is valued but OBX-2 is not; HAPI cannot type it and rejects the message',
      );
    }
    return '';
  }
  if (!V251_TYPES.has(obx2)) {
    throw new CdcHl7Rejection(`OBX-2 (${obx2}) is not an HL7 v2.5.1 data type; HAPI rejects the message`);
  }
  const type = FIRST_LEAF[obx2] ?? 'other';
  if (!PRIMITIVE_TYPES.has(obx2)) return leaf(obx, d, type, 5);
  const encodedComponents = hapiSplit(reps[0] ?? '', d.component).map((c) =>
    hapiSplit(c, d.subcomponent)
      .map((s) => hapiEscape(hapiUnescape(s, d), d))
      .join(d.subcomponent),
  );
  while (encodedComponents.length > 0 && encodedComponents.at(-1) === '') encodedComponents.pop();
  const encoded = encodedComponents.join(d.component);
  const cut = encoded.includes(d.component)
    ? encoded.indexOf(d.component)
    : encoded.includes(d.subcomponent)
      ? encoded.indexOf(d.subcomponent)
      : -1;
  const value = cut >= 0 ? encoded.slice(0, cut) : hapiUnescape(encoded, d);
  return primitive(value, type, 'OBX-5');
}

/** Every OBX that opens an OBSERVATION group, in every ORDER group: the only ones CDC looks at. */
function orderObservations(message: GroupInstance): RawSegment[] {
  const out: RawSegment[] = [];
  for (const order of (message.children.get('ORDER') ?? []) as GroupInstance[]) {
    for (const observation of (order.children.get('OBSERVATION') ?? []) as GroupInstance[]) {
      const obx = segmentIn(observation, 'OBX');
      if (obx) out.push(obx);
    }
  }
  return out;
}

/** The first order OBX whose OBX-3 code and coding system match (case-insensitively); its OBX-5, or ''. */
function observed(obxs: readonly RawSegment[], d: Delimiters, code: string, system: string): string {
  for (const obx of obxs) {
    const id = leaf(obx, d, 'ST', 3, 1, 1);
    const sys = leaf(obx, d, 'ID', 3, 1, 3);
    if (id !== '' && id.toLowerCase() === code.toLowerCase() && sys.toLowerCase() === system.toLowerCase()) {
      return obxValue(obx, d);
    }
  }
  return '';
}

// ---- the mapping -------------------------------------------------------------------------------------------------

/** CDC's date handling: TS digits cut to yyyy[-MM[-dd]], whatever follows is dropped, nothing is checked. */
function cvrsDate(value: string): string {
  if (value === '') return '';
  let out = value.slice(0, 4);
  if (value.length > 4) {
    out += `-${value.slice(4, 6)}`;
    if (value.length > 6) out += `-${value.slice(6, 8)}`;
  }
  return out;
}

const isRefusalCode = (v: string, code: string): string =>
  v.toLowerCase() === code.toLowerCase() ? 'YES' : 'NO';

const SEROLOGY: Record<string, string> = { yes: 'YES', no: 'NO', unk: 'UNK' };

export interface VxuToCvrsOptions {
  /** CDC's `-d`: fill required UNK-able fields with UNK, clear do-not-send ones, derive ext_type. Off by default. */
  defaults?: boolean;
}

/**
 * The CVRS record CDC's validator derives from one VXU (one element of `splitHl7Messages`): every field of that
 * version present, '' when the message has no value. Throws `CdcHl7Rejection` where CDC's tool would stop instead.
 */
export function vxuToCvrs(
  message: string,
  version: CvrsVersion = '2',
  options: VxuToCvrsOptions = {},
): Record<string, string> {
  const parsed = parseRaw(message);
  checkStructure(parsed);
  checkPrimitives(parsed);
  const d = parsed.delimiters;
  const placed = place(parsed.segments);
  const msh = segmentIn(placed, 'MSH');
  const pid = segmentIn(placed, 'PID');
  const order = groupIn(placed, 'ORDER');
  const orc = segmentIn(order, 'ORC');
  const rxa = segmentIn(order, 'RXA');
  const rxr = segmentIn(order, 'RXR');
  const obxs = orderObservations(placed);

  // MSH-22 is past the 21 fields HAPI's v2.5.1 MSH knows, so it is untyped and kept as sent (no trimming).
  const sendingOrg = hapiUnescape(rawLeaf(msh, d, 22), d);

  const r: Record<CvrsField, string> = {
    vax_event_id: leaf(orc, d, 'ST', 3),
    ext_type: leaf(msh, d, 'ST', 8),
    pprl_id: leaf(pid, d, 'ST', 3, 2),
    recip_id: leaf(pid, d, 'ST', 3, 1),
    recip_first_name: leaf(pid, d, 'ST', 5, 1, 1),
    recip_middle_name: leaf(pid, d, 'ST', 5, 1, 3),
    recip_last_name: leaf(pid, d, 'ST', 5, 1, 2),
    recip_dob: cvrsDate(leaf(pid, d, 'DTM', 7)),
    recip_sex: leaf(pid, d, 'IS', 8),
    recip_address_street: leaf(pid, d, 'ST', 11, 1, 1),
    recip_address_street_2: leaf(pid, d, 'ST', 11, 1, 2),
    recip_address_city: leaf(pid, d, 'ST', 11, 1, 3),
    recip_address_county: leaf(pid, d, 'IS', 11, 1, 9),
    recip_address_state: leaf(pid, d, 'ST', 11, 1, 4),
    recip_address_zip: leaf(pid, d, 'ST', 11, 1, 5),
    recip_race_1: leaf(pid, d, 'ST', 10, 1),
    recip_race_2: leaf(pid, d, 'ST', 10, 2),
    recip_race_3: leaf(pid, d, 'ST', 10, 3),
    recip_race_4: leaf(pid, d, 'ST', 10, 4),
    recip_race_5: leaf(pid, d, 'ST', 10, 5),
    recip_race_6: leaf(pid, d, 'ST', 10, 6),
    recip_ethnicity: leaf(pid, d, 'ST', 22),
    admin_date: cvrsDate(leaf(rxa, d, 'DTM', 3)),
    cvx: leaf(rxa, d, 'ST', 5, 1, 1),
    ndc: leaf(rxa, d, 'ST', 5, 1, 4),
    mvx: leaf(rxa, d, 'ST', 17),
    lot_number: leaf(rxa, d, 'ST', 15),
    vax_expiration: cvrsDate(leaf(rxa, d, 'DTM', 16)),
    vax_admin_site: leaf(rxr, d, 'ST', 2),
    vax_route: leaf(rxr, d, 'ST', 1),
    dose_num: observed(obxs, d, '30973-2', 'LN'),
    vax_series_complete: observed(obxs, d, '59783-1', 'LN'),
    responsible_org: sendingOrg !== '' ? sendingOrg : leaf(msh, d, 'IS', 4),
    admin_name: leaf(rxa, d, 'IS', 11, 1, 4, 1),
    vtrcks_prov_pin: leaf(rxa, d, 'ST', 11, 1, 4, 2),
    admin_type: leaf(rxa, d, 'IS', 11, 1, 6),
    admin_address_street: leaf(rxa, d, 'ST', 11, 1, 9),
    admin_address_street_2: leaf(rxa, d, 'ST', 11, 1, 10),
    admin_address_city: leaf(rxa, d, 'ST', 11, 1, 11),
    admin_address_county: leaf(rxa, d, 'ST', 11, 1, 16),
    admin_address_state: leaf(rxa, d, 'ST', 11, 1, 12),
    admin_address_zip: leaf(rxa, d, 'ST', 11, 1, 13),
    vax_prov_suffix: leaf(rxa, d, 'ST', 10, 1, 21),
    // RXA-20 maps RE to YES and anything else, empty included, to NO.
    vax_refusal: isRefusalCode(leaf(rxa, d, 'ID', 20), 'RE'),
    // "PHIN VS" with a space: CDC's annotation spells it so, and the match is exact apart from case.
    cmorbid_status: observed(obxs, d, 'VXC8', 'PHIN VS'),
    recip_missed_appt: isRefusalCode(leaf(rxa, d, 'ID', 20), 'MA'),
    serology: SEROLOGY[observed(obxs, d, '75505-8', 'LN').toLowerCase()] ?? '',
  };
  if (options.defaults) applyDefaults(r, version);
  const out: Record<string, string> = {};
  for (const f of cvrsFields(version)) out[f] = r[f];
  return out;
}

// ---- CDC's -d defaults -------------------------------------------------------------------------------------------

type Event = 'VACCINATION' | 'REFUSAL' | 'MISSED_APPOINTMENT';
const ALL_EVENTS: readonly Event[] = ['VACCINATION', 'REFUSAL', 'MISSED_APPOINTMENT'];

/** Required fields whose value set accepts UNK (RACEWITHUNK, ETHNICITY, DOSE, YES_NO_UNK, DCHTYPE2), by event. */
const UNK_WHEN_MISSING: Partial<Record<CvrsField, readonly Event[]>> = {
  recip_race_1: ALL_EVENTS,
  recip_ethnicity: ALL_EVENTS,
  dose_num: ['VACCINATION'],
  vax_series_complete: ['VACCINATION'],
  admin_type: ['VACCINATION', 'REFUSAL'],
  cmorbid_status: ALL_EVENTS,
  serology: ALL_EVENTS,
};

const DO_NOT_SEND: Partial<Record<CvrsField, readonly Event[]>> = {
  cvx: ['MISSED_APPOINTMENT'],
  ndc: ['MISSED_APPOINTMENT', 'REFUSAL'],
  mvx: ['MISSED_APPOINTMENT', 'REFUSAL'],
  lot_number: ['MISSED_APPOINTMENT', 'REFUSAL'],
  vax_expiration: ['MISSED_APPOINTMENT', 'REFUSAL'],
  vax_admin_site: ['MISSED_APPOINTMENT', 'REFUSAL'],
  vax_route: ['MISSED_APPOINTMENT', 'REFUSAL'],
  dose_num: ['MISSED_APPOINTMENT', 'REFUSAL'],
  vax_series_complete: ['MISSED_APPOINTMENT', 'REFUSAL'],
};

const REDACTED_FIELDS: readonly CvrsField[] = IDENTIFYING_FIELDS;

function applyDefaults(r: Record<CvrsField, string>, version: CvrsVersion): void {
  // In v2 recip_missed_appt is never read from the message, so only a refusal changes the event.
  const missed = version === '1' && r.recip_missed_appt.toUpperCase() === 'YES';
  const event: Event =
    r.vax_refusal.toUpperCase() === 'YES' ? 'REFUSAL' : missed ? 'MISSED_APPOINTMENT' : 'VACCINATION';
  const doNotSend: Partial<Record<CvrsField, readonly Event[]>> =
    version === '1' ? { ...DO_NOT_SEND, vax_prov_suffix: ['MISSED_APPOINTMENT', 'REFUSAL'] } : DO_NOT_SEND;
  for (const f of CVRS_FIELDS_V1) {
    if (doNotSend[f]?.includes(event)) r[f] = '';
    else if (r[f] === '' && UNK_WHEN_MISSING[f]?.includes(event)) r[f] = 'UNK';
  }
  r.ext_type = REDACTED_FIELDS.every((f) => r[f].toLowerCase() === 'redacted') ? 'D' : 'I';
  if (r.ext_type === 'I') {
    // CDC's clearinghouse rejects an empty name or street line in identified data, so the tool sends a space.
    if (r.recip_middle_name === '') r.recip_middle_name = ' ';
    if (r.recip_address_street_2 === '') r.recip_address_street_2 = ' ';
  }
  r.recip_address_zip = zipWithDash(r.recip_address_zip);
  r.admin_address_zip = zipWithDash(r.admin_address_zip);
}

function zipWithDash(zip: string): string {
  return zip.length > 5 && !zip.includes('-') ? `${zip.slice(0, 5)}-${zip.slice(5)}` : zip;
}

// ---- a whole file ------------------------------------------------------------------------------------------------

const localToday = (): string => {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
};

/**
 * An HL7 file through CDC's validator: each message mapped to its CVRS record and checked by the CVRS record
 * rules, the duplicate-id rule across the file, FMT_005 for a byte order mark (the only header finding CDC makes
 * for HL7). "line" is the message's ordinal. A file whose first line is not HL7 is what CDC reads as CVRS text,
 * and goes to validateCvrsText. Throws CdcHl7Rejection (with `line`) where CDC's run stops on a message.
 */
export function validateHl7Text(
  text: string | Uint8Array,
  opts: CdcOptions & VxuToCvrsOptions = {},
): CdcResult {
  const input = typeof text === 'string' ? text : new TextDecoder('utf-8', { ignoreBOM: true }).decode(text);
  if (!isHl7File(input)) return validateCvrsText(input, opts);
  const version = opts.version ?? '2';
  const today = opts.today ?? localToday();
  const findings: CdcFinding[] = [];
  const header: CdcFinding[] = input.startsWith('\uFEFF')
    ? [
        {
          line: -1,
          vax_event_id: null,
          field: 'Header',
          code: 'FMT_005',
          level: 'ERROR',
          message: 'File starts with a Unicode Byte Order Mark (FEFF)',
        },
      ]
    : [];
  findings.push(...header);
  // A format finding counts as one failed record, and the first record does not count again (CDC's errorCount).
  let failed = header.length > 0 ? 1 : 0;
  const ids = new Map<string, { hash: number; line: number }>();
  const messages = splitHl7Messages(input);
  for (const { line, message } of messages) {
    let record: Record<string, string>;
    try {
      record = vxuToCvrs(message, version, opts);
    } catch (e) {
      if (e instanceof CdcHl7Rejection) e.line = line;
      throw e;
    }
    const id = record.vax_event_id ?? '';
    if (line === 1) for (const f of header) f.vax_event_id = id;
    const found = validateCvrsRecord(record, { version, today }).map((f) => ({ ...f, line }));
    // BUSR013 as CDC's BeanValidator has it: the earlier record's hash XOR its line against this one's hash.
    let hash = 0;
    for (const f of CVRS_FIELDS_V1) hash = foldHash(hash, record[f] ?? null);
    if (hash === 0) hash = 31;
    const key = id.toUpperCase();
    const before = ids.get(key);
    ids.set(key, { hash, line });
    if (before && (before.hash ^ before.line) !== hash) {
      found.push({
        line,
        vax_event_id: id,
        field: 'vax_event_id',
        code: 'BUSR013',
        level: 'ERROR',
        message: `Value of vax_event_id (${str(id)}) duplicates vax_event_id at line ${before.line}`,
      });
    }
    if (found.length > 0 && (line > 1 || header.length === 0)) failed++;
    findings.push(...found);
  }
  return {
    findings,
    totalRecords: messages.length,
    failedRecords: failed,
    totalErrors: findings.length,
    cdcErrorCount: messages.length > 0 ? findings.length : 0,
  };
}
