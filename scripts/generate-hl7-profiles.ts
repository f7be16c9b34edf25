/**
 * Generates shared/codecs/hl7/profile/data/*.generated.json from NIST's HL7 v2.5.1 immunization conformance profiles:
 *   hl7/nist/VXU-Z22_Profile.xml   Z22 unsolicited immunization update (what we send, what we accept)
 *   hl7/nist/ACK-Z23_Profile.xml   Z23 acknowledgement (what registries answer, what we answer)
 *   hl7/nist/QBP-Z44_Profile.xml   Z44 evaluated history and forecast query
 * The project never reads the reference folder at run time; this script is how the profiles get in, kept so they
 * can be regenerated when NIST revises them. Output is deterministic (document order, one element a line).
 *
 *   node scripts/generate-hl7-profiles.ts [referenceDir]     (default ../shared/reference from the repo root)
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { XMLParser } from 'fast-xml-parser';
import type {
  Bound,
  DatatypeDef,
  DynamicMapping,
  ElementDef,
  FieldDef,
  ProfileData,
  ProfileId,
  SegmentDef,
  StructureNode,
  Usage,
} from '#codecs/hl7/profile/types.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const defaultReferenceDir = join(root, '..', 'shared', 'reference');
export const outDir = join(root, 'shared', 'codecs', 'hl7', 'profile', 'data');

export const PROFILES: Readonly<Record<ProfileId, string>> = {
  VXU_Z22: 'hl7/nist/VXU-Z22_Profile.xml',
  ACK_Z23: 'hl7/nist/ACK-Z23_Profile.xml',
  QBP_Z44: 'hl7/nist/QBP-Z44_Profile.xml',
};

export function outFile(id: ProfileId): string {
  return `${id.toLowerCase().replace('_', '-')}.generated.json`;
}

// ---------------------------------------------------------------------------------------------------------------
// The XML, read in document order: a message interleaves Segment and Group children, and their order is the
// structure being checked, so the parser's default (children grouped by tag name) would lose it.

interface XmlNode {
  readonly tag: string;
  readonly attrs: Readonly<Record<string, string>>;
  readonly children: readonly XmlNode[];
}

type Ordered = Record<string, unknown>;

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseAttributeValue: false,
  parseTagValue: false,
  commentPropName: '#comment',
});

function toNodes(raw: unknown): XmlNode[] {
  if (!Array.isArray(raw)) return [];
  const out: XmlNode[] = [];
  for (const item of raw as Ordered[]) {
    const tag = Object.keys(item).find((k) => k !== ':@');
    if (tag === undefined || tag === '#text' || tag === '#comment' || tag.startsWith('?')) continue;
    out.push({ tag, attrs: (item[':@'] ?? {}) as Record<string, string>, children: toNodes(item[tag]) });
  }
  return out;
}

function child(node: XmlNode, tag: string): XmlNode {
  const found = node.children.find((c) => c.tag === tag);
  if (!found) throw new Error(`<${node.tag}> has no <${tag}>`);
  return found;
}

function attr(node: XmlNode, name: string): string {
  const v = node.attrs[name];
  if (v === undefined) throw new Error(`<${node.tag} ${JSON.stringify(node.attrs)}> has no ${name}`);
  return v;
}

const USAGES: ReadonlySet<string> = new Set(['R', 'RE', 'C', 'CE', 'O', 'X', 'B']);

function usage(node: XmlNode): Usage {
  const u = attr(node, 'Usage');
  if (!USAGES.has(u)) throw new Error(`Unknown usage ${u} in <${node.tag} Name="${node.attrs.Name}">`);
  return u as Usage;
}

function bound(text: string, where: string): Bound {
  if (text === '*') return '*';
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${where}: ${text} is not a bound`);
  return n;
}

function count(text: string, where: string): number {
  const b = bound(text, where);
  if (b === '*') throw new Error(`${where}: minimum cannot be *`);
  return b;
}

// ---------------------------------------------------------------------------------------------------------------

function structure(nodes: readonly XmlNode[]): StructureNode[] {
  return nodes
    .filter((n) => n.tag === 'Segment' || n.tag === 'Group')
    .map((n): StructureNode => {
      const min = count(attr(n, 'Min'), n.tag);
      const max = bound(attr(n, 'Max'), n.tag);
      if (n.tag === 'Group') {
        const group = attr(n, 'ID').split('.').at(-1)!;
        return { group, usage: usage(n), min, max, children: structure(n.children) };
      }
      return { segment: '', ref: attr(n, 'Ref'), usage: usage(n), min, max };
    });
}

/** Segment names come from the definitions, which the structure refers to by ID. */
function nameSegments(nodes: StructureNode[], segments: Record<string, SegmentDef>): StructureNode[] {
  return nodes.map((n) => {
    if ('group' in n) return { ...n, children: nameSegments([...n.children], segments) };
    const def = segments[n.ref];
    if (!def) throw new Error(`Segment ref ${n.ref} has no definition`);
    return { segment: def.name, ref: n.ref, usage: n.usage, min: n.min, max: n.max };
  });
}

function element(n: XmlNode): ElementDef {
  const where = `${n.tag} ${n.attrs.Name}`;
  const e: { -readonly [K in keyof ElementDef]: ElementDef[K] } = {
    name: attr(n, 'Name'),
    usage: usage(n),
    dt: attr(n, 'Datatype'),
  };
  if (n.attrs.MinLength !== undefined) e.minLen = count(n.attrs.MinLength, where);
  if (n.attrs.MaxLength !== undefined) e.maxLen = bound(n.attrs.MaxLength, where);
  if (n.attrs.Binding !== undefined && n.attrs.Binding !== '') e.table = n.attrs.Binding.split(':');
  if (n.attrs.BindingLocation !== undefined) e.bindingAt = count(n.attrs.BindingLocation, where);
  return e;
}

function field(n: XmlNode): FieldDef {
  const { name, usage: u, dt, ...rest } = element(n);
  return {
    name,
    usage: u,
    min: count(attr(n, 'Min'), 'Field'),
    max: bound(attr(n, 'Max'), 'Field'),
    dt,
    ...rest,
  };
}

function dynamic(n: XmlNode): DynamicMapping[] {
  return n.children
    .filter((m) => m.tag === 'Mapping')
    .map((m) => {
      const mapping: { -readonly [K in keyof DynamicMapping]: DynamicMapping[K] } = {
        position: count(attr(m, 'Position'), 'Mapping'),
        reference: count(attr(m, 'Reference'), 'Mapping'),
        cases: m.children
          .filter((c) => c.tag === 'Case')
          .map((c) => {
            const second = c.attrs.SecondValue;
            const value = attr(c, 'Value');
            return second === undefined
              ? { value, dt: attr(c, 'Datatype') }
              : { value, secondValue: second, dt: attr(c, 'Datatype') };
          }),
      };
      if (m.attrs.SecondReference !== undefined) mapping.secondReference = m.attrs.SecondReference;
      return mapping;
    });
}

export function profileFrom(xml: string, id: ProfileId, file: string): ProfileData {
  const doc = toNodes(parser.parse(xml));
  const profile = doc.find((n) => n.tag === 'ConformanceProfile');
  if (!profile) throw new Error(`${file}: no <ConformanceProfile>`);
  const meta = child(profile, 'MetaData');
  const messages = child(profile, 'Messages').children.filter((n) => n.tag === 'Message');
  if (messages.length !== 1) throw new Error(`${file}: expected one <Message>, found ${messages.length}`);
  const message = messages[0]!;

  const segments: Record<string, SegmentDef> = {};
  const conditional: string[] = [];
  for (const s of child(profile, 'Segments').children.filter((n) => n.tag === 'Segment')) {
    const name = attr(s, 'Name');
    const fields = s.children.filter((n) => n.tag === 'Field').map(field);
    const mapping = s.children.find((n) => n.tag === 'DynamicMapping');
    segments[attr(s, 'ID')] = mapping ? { name, fields, dynamic: dynamic(mapping) } : { name, fields };
    fields.forEach((f, i) => {
      if (f.usage === 'C' || f.usage === 'CE') conditional.push(`${name}-${i + 1}`);
    });
  }

  const datatypes: Record<string, DatatypeDef> = {};
  for (const d of child(profile, 'Datatypes').children.filter((n) => n.tag === 'Datatype')) {
    const components = d.children.filter((n) => n.tag === 'Component').map(element);
    datatypes[attr(d, 'ID')] = { name: attr(d, 'Name'), components };
    components.forEach((c, i) => {
      if (c.usage === 'C' || c.usage === 'CE') conditional.push(`${attr(d, 'ID')}.${i + 1}`);
    });
  }

  const predicates = ['Predicate', 'ConformanceStatement', 'ValueSetDefinition', 'TableLibrary'];
  const found = predicates.filter((tag) => xml.includes(`<${tag}`));
  if (found.length > 0) {
    // The data format has no place for them yet: fail loudly rather than drop rules silently.
    throw new Error(`${file} now carries ${found.join(', ')}: extend the generator and the checker`);
  }

  const data: ProfileData = {
    id,
    source: {
      file,
      name: attr(meta, 'Name'),
      org: attr(meta, 'OrgName'),
      version: attr(meta, 'Version'),
      date: attr(meta, 'Date'),
      specification: attr(meta, 'SpecificationName'),
    },
    message: {
      type: attr(message, 'Type'),
      event: attr(message, 'Event'),
      structure: attr(message, 'StructID'),
      identifier: attr(message, 'Identifier'),
    },
    structure: nameSegments(structure(message.children), segments),
    segments,
    datatypes,
    valueSets: {},
    conditional,
  };
  checkReferences(data);
  return data;
}

function checkReferences(data: ProfileData): void {
  const dts = (els: readonly ElementDef[]) => els.map((e) => e.dt);
  const used = [
    ...Object.values(data.segments).flatMap((s) => [
      ...dts(s.fields),
      ...(s.dynamic ?? []).flatMap((m) => m.cases.map((c) => c.dt)),
    ]),
    ...Object.values(data.datatypes).flatMap((d) => dts(d.components)),
  ];
  const missing = [...new Set(used.filter((dt) => !(dt in data.datatypes)))];
  if (missing.length > 0) throw new Error(`${data.source.file}: datatypes used but not defined: ${missing}`);
}

/** JSON with each small object on one line, so a profile change shows as a one-line diff. */
export function compactJson(value: unknown, indent = ''): string {
  const flat = JSON.stringify(value);
  if (typeof value !== 'object' || value === null || flat.length + indent.length <= 160) return flat;
  const inner = `${indent}  `;
  const items = Array.isArray(value)
    ? value.map((v) => inner + compactJson(v, inner))
    : Object.entries(value).map(([k, v]) => `${inner}${JSON.stringify(k)}: ${compactJson(v, inner)}`);
  const [open, close] = Array.isArray(value) ? ['[', ']'] : ['{', '}'];
  return `${open}\n${items.join(',\n')}\n${indent}${close}`;
}

export function generate(referenceDir: string = defaultReferenceDir, out: string = outDir): ProfileData[] {
  mkdirSync(out, { recursive: true });
  return (Object.entries(PROFILES) as [ProfileId, string][]).map(([id, file]) => {
    const data = profileFrom(readFileSync(join(referenceDir, file), 'utf8'), id, file);
    writeFileSync(join(out, outFile(id)), `${compactJson(data)}\n`);
    return data;
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  for (const p of generate(process.argv[2] ? resolve(process.argv[2]) : defaultReferenceDir)) {
    const segs = Object.keys(p.segments).length;
    const dts = Object.keys(p.datatypes).length;
    console.log(`${p.id}: ${segs} segments, ${dts} datatypes, ${p.conditional.length} conditional elements`);
  }
}
