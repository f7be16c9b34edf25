/**
 * Checks an HL7 v2.5.1 message against one of NIST's immunization conformance profiles (Z22 VXU, Z23 ACK, Z44
 * QBP), kept as data in ./data (scripts/generate-hl7-profiles.ts writes it from NIST's XML).
 *
 * What the profiles say and this checks: the message structure (segment order, groups, usage, cardinality),
 * per field and component the usage (R missing, X present), repetitions over Max, lengths, the format of the
 * primitive types with one (DT, DTM, TM, NM, SI), OBX-5 by the type OBX-2 names, and value-set bindings for the
 * tables in ./valuesets.ts. RE missing is never a violation. C/CE elements are optional to the structural check,
 * because the XML gives no predicate for them (NIST keeps predicates and conformance statements in a constraints
 * file the reference folder lacks); the guide's rules for them that we could source are hand-written data in
 * ./data/conditions.json (./conditions.ts), and a failed one is reported under its IZ number or its descriptive
 * id. The profile's `conditional` list still names every C/CE element, judged by a rule or not.
 *
 * Lengths are taken on unescaped values. A primitive over its maximum is an error; a composite field or
 * component over the maximum of the whole is a warning only: those maxima are the base standard's and disagree
 * with the profile's own components (ORC-3 EI_IZ is at most 22 as a field, its EI.1 alone up to 199), and NIST's
 * validator judges length on the primitive parts.
 */

import { Hl7ParseError, type Message, parseMessage, type Repetition, type Segment } from '../message.ts';
import {
  type ConditionRule,
  type ConditionRuleId,
  conditionRules,
  parseSegmentPath,
  type Test,
  typeComponent,
  valueProblem,
} from './conditions.ts';
import ackZ23 from './data/ack-z23.generated.json' with { type: 'json' };
import qbpZ44 from './data/qbp-z44.generated.json' with { type: 'json' };
import vxuZ22 from './data/vxu-z22.generated.json' with { type: 'json' };
import type { DatatypeDef, ElementDef, ProfileData, ProfileId, SegmentDef, StructureNode } from './types.ts';
import { VALUE_SETS } from './valuesets.ts';

export type { ConditionRule, ConditionRuleId } from './conditions.ts';
export type { ProfileId } from './types.ts';

export type ProfileRule =
  | 'usage-R'
  | 'usage-X'
  | 'cardinality'
  | 'length'
  | 'value-set'
  | 'datatype'
  | 'segment-order'
  | 'message-type'
  | ConditionRuleId;

export interface ProfileViolation {
  severity: 'error' | 'warning';
  /** `RXA-6`, `OBX[3]-2`, `PID-3[2].4.1`, `ORDER[2].RXA`: [n] after a segment counts it in the message. */
  location: string;
  rule: ProfileRule;
  message: string;
}

const PROFILES: Readonly<Record<ProfileId, ProfileData>> = {
  VXU_Z22: vxuZ22 as ProfileData,
  ACK_Z23: ackZ23 as ProfileData,
  QBP_Z44: qbpZ44 as ProfileData,
};

export function profileData(profile: ProfileId): ProfileData {
  return PROFILES[profile];
}

export function checkProfile(message: string, profile: ProfileId): ProfileViolation[] {
  const data = PROFILES[profile];
  let parsed: Message;
  try {
    parsed = parseMessage(message);
  } catch (e) {
    if (!(e instanceof Hl7ParseError)) throw e;
    return [{ severity: 'error', location: 'MSH', rule: 'usage-R', message: e.message }];
  }
  const ctx = new Context(data, parsed.segments);
  ctx.checkMessageType();
  ctx.matchChildren(data.structure, '', true);
  ctx.segments.forEach((seg, i) => {
    const def = ctx.defs[i];
    if (def) ctx.checkSegment(seg, def, ctx.labels[i]!);
  });
  ctx.checkConditions();
  return ctx.out;
}

/** Bindings in a profile that `checkProfile` cannot decide: no codes for them in the profile or the project. */
export function uncheckedBindings(profile: ProfileId): string[] {
  const data = PROFILES[profile];
  const elements: ElementDef[] = [
    ...Object.values(data.segments).flatMap((s) => s.fields),
    ...Object.values(data.datatypes).flatMap((d) => d.components),
  ];
  const tables = new Set(elements.flatMap((e) => e.table ?? []));
  return [...tables].filter((t) => VALUE_SETS[t] === undefined && data.valueSets[t] === undefined).sort();
}

// ---------------------------------------------------------------------------------------------------------------

type Severity = ProfileViolation['severity'];

const CODED = new Set(['CE', 'CWE', 'CNE']);

function filled(values: readonly string[]): boolean {
  return values.some((v) => v !== '');
}

function repFilled(rep: Repetition): boolean {
  return rep.some(filled);
}

/** `""` is HL7's explicit null: present, but with nothing in it to measure or format-check. */
function isNull(rep: Repetition): boolean {
  return rep.length === 1 && rep[0]!.length === 1 && rep[0]![0] === '""';
}

function nodeName(node: StructureNode): string {
  return 'group' in node ? node.group : node.segment;
}

function starts(node: StructureNode, id: string): boolean {
  if (!('group' in node)) return node.segment === id;
  for (const c of node.children) {
    if (starts(c, id)) return true;
    if (c.min > 0) return false;
  }
  return false;
}

function overMax(count: number, max: number | '*'): boolean {
  return max !== '*' && count > max;
}

class Context {
  readonly out: ProfileViolation[] = [];
  readonly defs: (SegmentDef | undefined)[];
  readonly labels: string[];
  /** The group path each matched segment sits in (`ORDER[2].`, `ORDER[1].OBSERVATION[3].`, `` at the root). */
  readonly paths: (string | undefined)[];
  private readonly rules: readonly ConditionRule[];
  private pos = 0;
  private readonly known = new Map<string, SegmentDef>();

  private readonly data: ProfileData;
  readonly segments: readonly Segment[];

  constructor(data: ProfileData, segments: readonly Segment[]) {
    this.data = data;
    this.segments = segments;
    for (const def of Object.values(data.segments))
      if (!this.known.has(def.name)) this.known.set(def.name, def);
    this.defs = segments.map(() => undefined);
    this.paths = segments.map(() => undefined);
    this.rules = conditionRules(data.id);
    const totals = new Map<string, number>();
    for (const s of segments) totals.set(s.id, (totals.get(s.id) ?? 0) + 1);
    const seen = new Map<string, number>();
    this.labels = segments.map((s) => {
      const n = (seen.get(s.id) ?? 0) + 1;
      seen.set(s.id, n);
      return totals.get(s.id)! > 1 ? `${s.id}[${n}]` : s.id;
    });
  }

  private add(severity: Severity, location: string, rule: ProfileRule, message: string): void {
    this.out.push({ severity, location, rule, message });
  }

  checkMessageType(): void {
    const msh = this.segments[0]!;
    const part = (c: number) => msh.fields[8]?.[0]?.[c - 1]?.[0] ?? '';
    const { type, event, structure } = this.data.message;
    const expected = event === 'ACK' ? `${type}^*^${structure}` : `${type}^${event}^${structure}`;
    const ok =
      part(1) === type && (event === 'ACK' || part(2) === event) && (part(3) === '' || part(3) === structure);
    if (!ok && part(1) !== '') {
      this.add(
        'error',
        'MSH-9',
        'message-type',
        `MSH-9 is ${part(1)}^${part(2)}^${part(3)}; ${this.data.message.identifier} is ${expected}`,
      );
    }
  }

  /**
   * Matches segments to the profile's structure in order, as HL7 parsers place them: a segment repeats the
   * element it matches or moves forward to a later one; a group ends at a segment it has no later place for, and
   * a new instance begins when its first segment comes again. What no place fits is out of order.
   */
  matchChildren(children: readonly StructureNode[], path: string, root: boolean): void {
    const counts = children.map(() => 0);
    let ci = 0;
    while (this.pos < this.segments.length) {
      const seg = this.segments[this.pos]!;
      const label = this.labels[this.pos]!;
      if (!this.known.has(seg.id)) {
        this.add(
          'error',
          label,
          'segment-order',
          `${seg.id} is not a segment of ${this.data.message.structure}`,
        );
        this.pos++;
        continue;
      }
      let j = -1;
      for (let k = ci; k < children.length; k++) {
        if (starts(children[k]!, seg.id)) {
          j = k;
          break;
        }
      }
      // The group's first segment again, where it cannot repeat, begins the next instance of the group.
      if (!root && j === 0 && counts[0]! > 0 && overMax(counts[0]! + 1, children[0]!.max)) break;
      if (j < 0) {
        if (!root) break;
        const before = this.pos > 0 ? ` after ${this.labels[this.pos - 1]}` : '';
        this.add(
          'error',
          label,
          'segment-order',
          `${seg.id} is out of order: ${this.data.message.structure} has no place for it${before}`,
        );
        this.defs[this.pos] = this.known.get(seg.id);
        this.pos++;
        continue;
      }
      ci = j;
      const node = children[j]!;
      counts[j]!++;
      const where = `${path}${nodeName(node)}`;
      if ('group' in node) {
        const instance = `${where}[${counts[j]}]`;
        if (node.usage === 'X' || node.max === 0) {
          this.add(
            'error',
            instance,
            'usage-X',
            `The ${node.group} group is not supported in ${this.data.message.identifier}`,
          );
        } else if (overMax(counts[j]!, node.max)) {
          this.add('error', instance, 'cardinality', `More than ${node.max} ${node.group} group(s)`);
        }
        this.matchChildren(node.children, `${instance}.`, false);
      } else {
        this.defs[this.pos] = this.data.segments[node.ref];
        this.paths[this.pos] = path;
        if (node.usage === 'X' || node.max === 0) {
          this.add(
            'error',
            label,
            'usage-X',
            `${seg.id} is not supported in ${this.data.message.identifier}`,
          );
        } else if (overMax(counts[j]!, node.max)) {
          const scope = path === '' ? 'the message' : `one ${path.slice(0, -1)}`;
          this.add('error', label, 'cardinality', `More than ${node.max} ${seg.id} in ${scope}`);
        }
        this.pos++;
      }
    }
    children.forEach((node, k) => {
      if (counts[k]! >= node.min && !(node.usage === 'R' && counts[k] === 0)) return;
      const what = 'group' in node ? `${node.group} group` : `${node.segment} segment`;
      this.add('error', `${path}${nodeName(node)}`, 'usage-R', `Required ${what} is missing`);
    });
  }

  checkSegment(seg: Segment, def: SegmentDef, label: string): void {
    const n = Math.max(def.fields.length, seg.fields.length);
    for (let i = 0; i < n; i++) {
      const f = def.fields[i];
      const reps = (seg.fields[i] ?? []).filter(repFilled);
      const loc = `${label}-${i + 1}`;
      if (f === undefined) {
        if (reps.length > 0)
          this.add(
            'warning',
            loc,
            'usage-X',
            `${loc} is beyond the fields the profile defines for ${seg.id}`,
          );
        continue;
      }
      if (f.usage === 'X' || f.max === 0) {
        if (reps.length > 0) this.add('error', loc, 'usage-X', `${loc} (${f.name}) is not supported`);
        continue;
      }
      if (reps.length === 0) {
        if (f.usage === 'R' || f.min > 0) this.add('error', loc, 'usage-R', `${loc} (${f.name}) is required`);
        continue;
      }
      if (overMax(reps.length, f.max)) {
        this.add(
          'error',
          loc,
          'cardinality',
          `${loc} (${f.name}) repeats ${reps.length} times; at most ${f.max}`,
        );
      }
      const dt = this.datatypeFor(seg, def, i + 1, f.dt);
      reps.forEach((rep, r) => {
        this.checkRepetition(rep, f, dt, r === 0 ? loc : `${loc}[${r + 1}]`);
      });
    }
  }

  /** OBX-5 takes the type OBX-2 names (and for some, OBX-3.1): the profile's dynamic mapping. */
  private datatypeFor(seg: Segment, def: SegmentDef, position: number, dt: string): string {
    const mapping = def.dynamic?.find((m) => m.position === position);
    if (!mapping) return dt;
    const at = (path: string) => {
      const [f = 0, c = 1] = path.split('.').map(Number);
      return seg.fields[f - 1]?.[0]?.[c - 1]?.[0] ?? '';
    };
    const value = at(String(mapping.reference));
    const second = mapping.secondReference ? at(mapping.secondReference) : '';
    const hit =
      mapping.cases.find((c) => c.value === value && c.secondValue === second) ??
      mapping.cases.find((c) => c.value === value && c.secondValue === undefined);
    return hit?.dt ?? dt;
  }

  private checkRepetition(rep: Repetition, el: ElementDef, dtId: string, loc: string): void {
    if (isNull(rep)) return;
    const dt = this.data.datatypes[dtId];
    if (!dt || dt.name === 'varies') return;
    if (dt.components.length === 0) {
      this.checkPrimitive(rep[0]?.[0] ?? '', el, dt, loc);
      return;
    }
    this.checkWholeLength(rep.map((c) => c.join('&')).join('^'), el, loc);
    dt.components.forEach((cdef, c) => {
      this.checkComponent(rep[c] ?? [], cdef, `${loc}.${c + 1}`);
    });
    this.checkTypeRules(dtId, (c) => rep[c - 1] ?? [], loc);
    this.checkBinding(el, dt, (c) => rep[c - 1]?.[0] ?? '', loc);
  }

  private checkComponent(comp: readonly string[], el: ElementDef, loc: string): void {
    const present = filled(comp);
    if (el.usage === 'X') {
      if (present) this.add('error', loc, 'usage-X', `${loc} (${el.name}) is not supported`);
      return;
    }
    if (!present) {
      if (el.usage === 'R') this.add('error', loc, 'usage-R', `${loc} (${el.name}) is required`);
      return;
    }
    const dt = this.data.datatypes[el.dt];
    if (!dt || dt.name === 'varies') return;
    if (dt.components.length === 0) {
      this.checkPrimitive(comp[0] ?? '', el, dt, loc);
      return;
    }
    this.checkWholeLength(comp.join('&'), el, loc);
    dt.components.forEach((sdef, s) => {
      const sloc = `${loc}.${s + 1}`;
      const v = comp[s] ?? '';
      if (sdef.usage === 'X' && v !== '')
        this.add('error', sloc, 'usage-X', `${sloc} (${sdef.name}) is not supported`);
      else if (sdef.usage === 'R' && v === '')
        this.add('error', sloc, 'usage-R', `${sloc} (${sdef.name}) is required`);
      else if (v !== '') {
        const sdt = this.data.datatypes[sdef.dt];
        if (sdt && sdt.components.length === 0) this.checkPrimitive(v, sdef, sdt, sloc);
      }
    });
    this.checkBinding(el, dt, (c) => comp[c - 1] ?? '', loc);
    this.checkTypeRules(el.dt, (c) => [comp[c - 1] ?? ''], loc);
  }

  /** Rules scoped to a datatype (HD_IZ, EI_IZ), at one element of that type: a field or a component. */
  private checkTypeRules(dtId: string, component: (n: number) => readonly string[], loc: string): void {
    for (const rule of this.rules) {
      if (!('datatype' in rule.scope) || rule.scope.datatype !== dtId) continue;
      const at = (path: string) => {
        const n = typeComponent(path)!;
        const comp = component(n);
        return { value: comp[0] ?? '', present: filled(comp), loc: `${loc}.${n}` };
      };
      this.applyRule(rule, at, () => []);
    }
  }

  /** Rules scoped to a segment (each RXA, each OBX) or a group instance (each ORDER). */
  checkConditions(): void {
    for (const rule of this.rules) {
      if ('datatype' in rule.scope) continue;
      for (const { prefix, members } of this.scopes(rule.scope)) {
        const first = (id: string) => members.find((i) => this.segments[i]!.id === id);
        const at: Resolve = (path) => {
          const segment = parseSegmentPath(path)!.segment;
          return this.resolve(first(segment), path, `${prefix}${segment}`);
        };
        const all = (id: string) => ({
          loc: `${prefix}${id}`,
          members: members.filter((i) => this.segments[i]!.id === id),
        });
        this.applyRule(rule, at, (id) => all(id).members.map((i) => this.segmentAt(i)), all);
      }
    }
  }

  /** The segments a group or segment scope covers, each instance with the label prefix its locations take. */
  private scopes(scope: { group: string } | { segment: string }): { prefix: string; members: number[] }[] {
    const placed = this.segments.map((_, i) => i).filter((i) => this.paths[i] !== undefined);
    if ('segment' in scope) {
      return placed
        .filter((i) => this.segments[i]!.id === scope.segment)
        .map((i) => ({ prefix: '', members: [i] }));
    }
    const instance = new RegExp(`(?:^|\\.)${scope.group}\\[\\d+\\]\\.`);
    const byPrefix = new Map<string, number[]>();
    for (const i of placed) {
      const path = this.paths[i]!;
      const m = instance.exec(path);
      if (!m) continue;
      const prefix = path.slice(0, m.index + m[0].length);
      byPrefix.set(prefix, [...(byPrefix.get(prefix) ?? []), i]);
    }
    return [...byPrefix].map(([prefix, members]) => ({ prefix, members }));
  }

  /** A path resolver bound to one segment: what an `exists` test's `where` reads. */
  private segmentAt(i: number): Resolve {
    return (path) => this.resolve(i, path, this.labels[i]!);
  }

  /** A path's value in segment `i`; `absent` is the location to report when the scope has no such segment. */
  private resolve(i: number | undefined, path: string, absent: string): ReturnType<Resolve> {
    if (i === undefined) return { value: '', present: false, loc: absent };
    const p = parseSegmentPath(path)!;
    const field = this.segments[i]!.fields[p.field - 1] ?? [];
    const comp = field[0]?.[(p.component ?? 1) - 1] ?? [];
    const value = comp[(p.subcomponent ?? 1) - 1] ?? '';
    const present =
      p.component === undefined
        ? field.some(repFilled)
        : p.subcomponent === undefined
          ? filled(comp)
          : value !== '';
    const tail = [p.component, p.subcomponent].flatMap((n) => (n === undefined ? [] : [`.${n}`])).join('');
    return { value, present, loc: `${this.labels[i]}-${p.field}${tail}` };
  }

  private applyRule(
    rule: ConditionRule,
    at: Resolve,
    candidates: (segment: string) => Resolve[],
    where?: (segment: string) => { loc: string },
  ): void {
    if (!rule.when.every((t) => testProblem(t, at, candidates) === undefined)) return;
    for (const t of rule.requires) {
      const problem = testProblem(t, at, candidates);
      if (problem === undefined) continue;
      const loc =
        'path' in t
          ? at(t.path).loc
          : 'pair' in t
            ? at(t.pair[at(t.pair[0]).present ? 1 : 0]).loc
            : (where?.(t.exists).loc ?? t.exists);
      this.add('error', loc, rule.id, `${problem}: ${rule.statement}`);
    }
  }

  private checkPrimitive(value: string, el: ElementDef, dt: DatatypeDef, loc: string): void {
    if (value === '' || value === '""') return;
    if (typeof el.maxLen === 'number' && value.length > el.maxLen) {
      this.add(
        'error',
        loc,
        'length',
        `${loc} (${el.name}) is ${value.length} characters; at most ${el.maxLen}`,
      );
    } else if (el.minLen !== undefined && value.length < el.minLen) {
      this.add(
        'error',
        loc,
        'length',
        `${loc} (${el.name}) is ${value.length} characters; at least ${el.minLen}`,
      );
    }
    const problem = formatProblem(dt.name, value);
    if (problem) this.add('error', loc, 'datatype', `${loc} (${el.name}) "${value}" ${problem}`);
    this.checkBinding(el, dt, () => value, loc);
  }

  private checkWholeLength(text: string, el: ElementDef, loc: string): void {
    if (typeof el.maxLen === 'number' && text.length > el.maxLen) {
      this.add(
        'warning',
        loc,
        'length',
        `${loc} (${el.name}) is ${text.length} characters as a whole; the profile gives ${el.maxLen} (its parts are within their own lengths or reported separately)`,
      );
    }
  }

  /**
   * A coded value is checked against each bound value set we hold whose coding system it names; one coded in
   * a system no bound set uses is outside the binding when we hold every bound set, and undecided otherwise.
   * CWE allows codes outside the set by definition, so there a miss is a warning.
   */
  private checkBinding(el: ElementDef, dt: DatatypeDef, component: (n: number) => string, loc: string): void {
    const tables = el.table ?? [];
    if (tables.length === 0) return;
    const coded = CODED.has(dt.name);
    const code = coded || dt.components.length > 0 ? component(el.bindingAt ?? 1) : component(1);
    if (code === '' || code === '""') return;
    const system = coded ? component(3) : '';
    const held = tables.flatMap((t) => {
      const vs = VALUE_SETS[t];
      return vs ? [{ id: t, vs }] : [];
    });
    if (held.length === 0) return;
    const allHeld = held.length === tables.length;
    const candidates = system === '' ? held : held.filter((h) => h.vs.systems.includes(system));
    const severity: Severity = dt.name === 'CWE' ? 'warning' : 'error';
    const bound = tables.join(' or ');
    if (candidates.length === 0) {
      if (allHeld && system !== '') {
        this.add(
          severity,
          loc,
          'value-set',
          `${loc} (${el.name}) is coded in ${system}; the profile binds ${bound}`,
        );
      }
      return;
    }
    if (system === '' && !allHeld) return;
    if (candidates.some((h) => h.vs.has(code))) return;
    this.add(severity, loc, 'value-set', `${loc} (${el.name}) "${code}" is not in ${bound}`);
  }
}

type Resolve = (path: string) => { value: string; present: boolean; loc: string };

function describe(t: Test): string {
  if ('exists' in t)
    return `${t.exists}${t.where.length ? ` with ${t.where.map(describe).join(' and ')}` : ''}`;
  if ('pair' in t) return `${t.pair[0]} and ${t.pair[1]} together`;
  if ('present' in t) return t.present ? `${t.path} valued` : `${t.path} empty`;
  if ('in' in t) return `${t.path} ${t.in.join(' or ')}`;
  if ('notIn' in t) return `${t.path} not ${t.notIn.join(' or ')}`;
  if ('matches' in t) return `${t.path} of the form required`;
  return `${t.path} in ${t.inCodeSystems}`;
}

/** Why a test fails where `at` resolves paths (and `candidates` lists the segments an `exists` may find). */
function testProblem(t: Test, at: Resolve, candidates: (segment: string) => Resolve[]): string | undefined {
  if ('exists' in t) {
    const found = candidates(t.exists).some((r) =>
      t.where.every((w) => testProblem(w, r, () => []) === undefined),
    );
    return found ? undefined : `no ${describe(t)}`;
  }
  if ('pair' in t) {
    const [a, b] = [at(t.pair[0]), at(t.pair[1])];
    if (a.present === b.present) return undefined;
    return a.present
      ? `${t.pair[0]} is valued and ${t.pair[1]} is empty`
      : `${t.pair[1]} is valued and ${t.pair[0]} is empty`;
  }
  const { value, present } = at(t.path);
  return valueProblem(t, value, present);
}

// ---- primitive formats (HL7 v2.5.1 chapter 2.A) ---------------------------------------------------------------

const DTM = /^(\d{4})(?:(\d{2})(?:(\d{2})(?:(\d{2})(?:(\d{2})(?:(\d{2})(?:\.\d{1,4})?)?)?)?)?)?([+-]\d{4})?$/;
const DT = /^(\d{4})(?:(\d{2})(\d{2})?)?$/;
const TM = /^(\d{2})(?:(\d{2})(?:(\d{2})(?:\.\d{1,4})?)?)?([+-]\d{4})?$/;
const NM = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$/;
const SI = /^\d+$/;

function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function badDate(y: string, m: string | undefined, d: string | undefined): string | undefined {
  if (m === undefined) return undefined;
  const month = Number(m);
  if (month < 1 || month > 12) return `has month ${m}`;
  if (d === undefined) return undefined;
  const day = Number(d);
  if (day < 1 || day > daysIn(Number(y), month)) return `has no day ${d} in ${y}-${m}`;
  return undefined;
}

function badTime(h?: string, mi?: string, s?: string, zone?: string): string | undefined {
  if (h !== undefined && Number(h) > 23) return `has hour ${h}`;
  if (mi !== undefined && Number(mi) > 59) return `has minute ${mi}`;
  if (s !== undefined && Number(s) > 59) return `has second ${s}`;
  if (zone !== undefined && (Number(zone.slice(1, 3)) > 14 || Number(zone.slice(3)) > 59)) {
    return `has time zone ${zone}`;
  }
  return undefined;
}

/** Why a value is not of its primitive type, or undefined when it is (or the type has no format to check). */
export function formatProblem(type: string, value: string): string | undefined {
  switch (type) {
    case 'DT': {
      const m = DT.exec(value);
      return m ? badDate(m[1]!, m[2], m[3]) : 'is not a date (YYYY[MM[DD]])';
    }
    case 'DTM': {
      const m = DTM.exec(value);
      if (!m) return 'is not a date/time (YYYY[MM[DD[HH[MM[SS[.S]]]]]][+/-ZZZZ])';
      return badDate(m[1]!, m[2], m[3]) ?? badTime(m[4], m[5], m[6], m[7]);
    }
    case 'TM': {
      const m = TM.exec(value);
      return m ? badTime(m[1], m[2], m[3], m[4]) : 'is not a time (HH[MM[SS[.S]]][+/-ZZZZ])';
    }
    case 'NM':
      return NM.test(value) ? undefined : 'is not a number';
    case 'SI':
      return SI.test(value) ? undefined : 'is not a sequence number (a non-negative integer)';
    default:
      return undefined;
  }
}
