/**
 * The immunization guide's rules NIST's profile XML leaves out (IZ-nn conformance statements, C/CE predicates),
 * kept as hand-written data in ./data/conditions.json so each rule sits beside its source. This module reads and
 * validates that data and decides one rule's tests against values a caller resolves; ./check.ts finds where a
 * rule applies (an ORDER group, each RXA or OBX, each element typed HD_IZ) and reports what fails.
 */
import raw from './data/conditions.json' with { type: 'json' };
import type { ProfileId } from './types.ts';

/** A guide number seen in a citable text, or `SEGMENT:what` (or `TYPE:what`) when the number is not confirmed. */
export type ConditionRuleId = `IZ-${number}` | `${string}:${string}`;

/** Where a rule is evaluated: once per group instance, once per segment, or at each element of a datatype. */
export type Scope = { readonly group: string } | { readonly segment: string } | { readonly datatype: string };

/**
 * One test. A path is `SEG-f[.c[.s]]` (first repetition) or, in a datatype scope, `TYPE.c`. An empty value is
 * in no list and matches no pattern, so `notIn` holds for it and `in` does not.
 */
export type Test =
  | { readonly path: string; readonly present: boolean }
  | { readonly path: string; readonly in: readonly string[] }
  | { readonly path: string; readonly notIn: readonly string[] }
  | { readonly path: string; readonly matches: string }
  | { readonly path: string; readonly inCodeSystems: string }
  | { readonly pair: readonly [string, string] }
  | { readonly exists: string; readonly where: readonly Test[] };

export interface ConditionRule {
  readonly id: ConditionRuleId;
  readonly profile: ProfileId;
  readonly statement: string;
  readonly scope: Scope;
  /** All must hold for the rule to apply. */
  readonly when: readonly Test[];
  /** Each that fails is one violation. */
  readonly requires: readonly Test[];
  readonly source: string;
  /** True only where the rule's number (or text, for an unnumbered statement) was seen in a citable source. */
  readonly confirmed: boolean;
  readonly note?: string;
}

export interface CodeSystemList {
  readonly codes: readonly string[];
  readonly patterns: readonly string[];
  readonly source: string;
}

export interface Conditions {
  readonly codeSystems: Readonly<Record<string, CodeSystemList>>;
  readonly rules: readonly ConditionRule[];
}

const PROFILE_IDS: readonly string[] = ['VXU_Z22', 'ACK_Z23', 'QBP_Z44'];
const SEGMENT_PATH = /^([A-Z][A-Z0-9]{2})-(\d+)(?:\.(\d+))?(?:\.(\d+))?$/;
const TYPE_PATH = /^([A-Z][A-Z0-9_]*)\.(\d+)$/;
const RULE_ID = /^(IZ-\d+|[A-Z][A-Za-z0-9_]*:[a-z0-9-]+)$/;

export interface SegmentPath {
  readonly segment: string;
  readonly field: number;
  readonly component?: number;
  readonly subcomponent?: number;
}

export function parseSegmentPath(path: string): SegmentPath | undefined {
  const m = SEGMENT_PATH.exec(path);
  if (!m) return undefined;
  return {
    segment: m[1]!,
    field: Number(m[2]),
    ...(m[3] !== undefined ? { component: Number(m[3]) } : {}),
    ...(m[4] !== undefined ? { subcomponent: Number(m[4]) } : {}),
  };
}

/** The component a `TYPE.c` path names, when TYPE is the scope's datatype (HD.2 in HD_IZ: the flavour's base). */
export function typeComponent(path: string): number | undefined {
  const m = TYPE_PATH.exec(path);
  return m ? Number(m[2]) : undefined;
}

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isStrings(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((s) => typeof s === 'string');
}

/**
 * The data, checked: a rule that names an unknown profile or code-system list, writes a path neither form
 * reads, or a pattern that does not compile fails here, at load, not as a silent pass when a message is checked.
 */
export function parseConditions(data: unknown): Conditions {
  if (!isObject(data) || !isObject(data.codeSystems) || !Array.isArray(data.rules)) {
    throw new Error('conditions: expected { codeSystems, rules }');
  }
  const codeSystems: Record<string, CodeSystemList> = {};
  for (const [name, list] of Object.entries(data.codeSystems)) {
    if (
      !isObject(list) ||
      !isStrings(list.codes) ||
      !isStrings(list.patterns) ||
      typeof list.source !== 'string'
    ) {
      throw new Error(`conditions: code system list ${name} needs codes, patterns and source`);
    }
    for (const p of list.patterns) new RegExp(p);
    codeSystems[name] = { codes: list.codes, patterns: list.patterns, source: list.source };
  }
  const ids = new Set<string>();
  const rules = data.rules.map((r: unknown, i): ConditionRule => {
    if (!isObject(r)) throw new Error(`conditions: rule ${i} is not an object`);
    const id = r.id;
    if (typeof id !== 'string' || !RULE_ID.test(id))
      throw new Error(`conditions: rule ${i} has id ${String(id)}`);
    if (ids.has(id)) throw new Error(`conditions: ${id} twice`);
    ids.add(id);
    const fail = (why: string): never => {
      throw new Error(`conditions: ${id} ${why}`);
    };
    if (typeof r.profile !== 'string' || !PROFILE_IDS.includes(r.profile)) fail('names no known profile');
    for (const key of ['statement', 'source'] as const) if (typeof r[key] !== 'string') fail(`has no ${key}`);
    if (typeof r.confirmed !== 'boolean') fail('does not say whether it is confirmed');
    if (r.note !== undefined && typeof r.note !== 'string') fail('has a note that is not text');
    const scope = parseScope(r.scope) ?? fail('has no group, segment or datatype scope');
    const inType = 'datatype' in scope;
    const tests = (v: unknown, what: string): Test[] =>
      Array.isArray(v)
        ? v.map((t) => parseTest(t, inType, codeSystems) ?? fail(`has a bad ${what} test`))
        : [];
    if (!Array.isArray(r.when) || !Array.isArray(r.requires) || r.requires.length === 0)
      fail('needs when and requires');
    return {
      id: id as ConditionRuleId,
      profile: r.profile as ProfileId,
      statement: r.statement as string,
      scope,
      when: tests(r.when, 'when'),
      requires: tests(r.requires, 'requires'),
      source: r.source as string,
      confirmed: r.confirmed as boolean,
      ...(typeof r.note === 'string' ? { note: r.note } : {}),
    };
  });
  return { codeSystems, rules };
}

function parseScope(v: unknown): Scope | undefined {
  if (!isObject(v)) return undefined;
  if (typeof v.group === 'string') return { group: v.group };
  if (typeof v.segment === 'string') return { segment: v.segment };
  if (typeof v.datatype === 'string') return { datatype: v.datatype };
  return undefined;
}

function parseTest(v: unknown, inType: boolean, systems: Record<string, CodeSystemList>): Test | undefined {
  if (!isObject(v)) return undefined;
  const pathOk = (p: unknown): p is string =>
    typeof p === 'string' && (inType ? typeComponent(p) !== undefined : parseSegmentPath(p) !== undefined);
  if ('exists' in v) {
    if (inType || typeof v.exists !== 'string' || !Array.isArray(v.where)) return undefined;
    const where = v.where.map((t) => parseTest(t, false, systems));
    return where.every((t) => t !== undefined) ? { exists: v.exists, where } : undefined;
  }
  if ('pair' in v) {
    const [a, b] = isStrings(v.pair) && v.pair.length === 2 ? v.pair : [];
    return pathOk(a) && pathOk(b) ? { pair: [a, b] } : undefined;
  }
  const path = v.path;
  if (!pathOk(path)) return undefined;
  if (typeof v.present === 'boolean') return { path, present: v.present };
  if (isStrings(v.in)) return { path, in: v.in };
  if (isStrings(v.notIn)) return { path, notIn: v.notIn };
  if (typeof v.matches === 'string') {
    new RegExp(v.matches);
    return { path, matches: v.matches };
  }
  if (typeof v.inCodeSystems === 'string' && systems[v.inCodeSystems]) {
    return { path, inCodeSystems: v.inCodeSystems };
  }
  return undefined;
}

export const CONDITIONS: Conditions = parseConditions(raw);

export function conditionRules(profile: ProfileId): ConditionRule[] {
  return CONDITIONS.rules.filter((r) => r.profile === profile);
}

/** Whether `system` is in a code-system list of the data. */
export function inCodeSystems(list: string, system: string, conditions: Conditions = CONDITIONS): boolean {
  const l = conditions.codeSystems[list];
  if (!l) return false;
  return l.codes.includes(system) || l.patterns.some((p) => new RegExp(p).test(system));
}

/** Why a value fails a path test, or undefined when it passes. `present` is whether the element has content. */
export function valueProblem(
  test: Exclude<Test, { pair: unknown } | { exists: unknown }>,
  value: string,
  present: boolean,
  conditions: Conditions = CONDITIONS,
): string | undefined {
  const shown = value === '' ? 'empty' : `"${value}"`;
  if ('present' in test) {
    if (test.present === present) return undefined;
    return test.present ? `${test.path} is empty` : `${test.path} is ${shown}`;
  }
  if ('in' in test)
    return test.in.includes(value) ? undefined : `${test.path} is ${shown}, not ${test.in.join(' or ')}`;
  if ('notIn' in test) return test.notIn.includes(value) ? `${test.path} is ${shown}` : undefined;
  if ('matches' in test) {
    return new RegExp(test.matches).test(value)
      ? undefined
      : `${test.path} ${shown} is not of the form required`;
  }
  // An empty coding system is the component's own usage to judge, not this binding's.
  return value === '' || inCodeSystems(test.inCodeSystems, value, conditions)
    ? undefined
    : `${test.path} is ${shown}, not a coding system of ${test.inCodeSystems}`;
}
