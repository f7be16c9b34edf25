/**
 * One CVRS record through CDC's per-record checks (BeanValidator.verifyBean), in CDC's order: field by field
 * in declaration order (REQD or DNTS, then DATA008, then the field's validator), then the business rules
 * BUSR001–BUSR012. BUSR013 (duplicate vax_event_id) needs the file and is added by file.ts.
 *
 * A record is an array of the 47 field values by declaration order; null is a column the file does not have
 * (CDC prints "null" for it), '' an empty cell.
 */
import { isValidCdcDate, looksLikeUsDate } from './dates.ts';
import { type CvrsVersion, FIELDS, fieldIndex, MISSED_APPOINTMENT, REFUSAL, VACCINATION } from './fields.ts';
import { isEmpty, javaEqualsIgnoreCase, str } from './java.ts';
import type { CdcLevel } from './rules.ts';
import { inValueSet, isCountyInState, isZipInState, type ValueSet, valueSet } from './value-sets.ts';

export type CvrsValues = (string | null)[];

const get = (vals: CvrsValues, i: number): string | null => vals[i] ?? null;

export interface RecordContext {
  version: CvrsVersion;
  /** The day after today, YYYY-MM-DD: BUSR011/BUSR012 want dates before it. */
  tomorrow: string;
}

const EVENT_NAME: Record<number, string> = {
  [VACCINATION]: 'Vaccination',
  [REFUSAL]: 'Refusal',
  [MISSED_APPOINTMENT]: 'Missed Appointment',
};

const F = {
  ext_type: fieldIndex('ext_type'),
  pprl_id: fieldIndex('pprl_id'),
  vax_refusal: fieldIndex('vax_refusal'),
  recip_missed_appt: fieldIndex('recip_missed_appt'),
};
const REDACTED_FIELDS = FIELDS.flatMap((f, i) => (f.check?.kind === 'redacted' ? [i] : []));
const IGNORED: Record<CvrsVersion, number[]> = {
  '1': FIELDS.flatMap((f, i) => (f.ignored['1'] ? [i] : [])),
  '2': FIELDS.flatMap((f, i) => (f.ignored['2'] ? [i] : [])),
};

/** The event a record reports: a refusal wins over a missed appointment. */
function eventOf(vals: CvrsValues): number {
  if (javaEqualsIgnoreCase('YES', get(vals, F.vax_refusal))) return REFUSAL;
  if (javaEqualsIgnoreCase('YES', get(vals, F.recip_missed_appt))) return MISSED_APPOINTMENT;
  return VACCINATION;
}

/** The extract type: what ext_type says (null if it says something else), else guessed from the redaction. */
function extractTypeOf(vals: CvrsValues): 'D' | 'P' | 'I' | null {
  const ext = get(vals, F.ext_type);
  if (!isEmpty(ext)) {
    for (const t of ['D', 'P', 'I'] as const) if (javaEqualsIgnoreCase(t, ext)) return t;
    return null;
  }
  for (let k = 0; k < REDACTED_FIELDS.length; k++)
    if (!javaEqualsIgnoreCase('Redacted', get(vals, REDACTED_FIELDS[k]!))) return 'I';
  return isEmpty(vals[F.pprl_id]) ? 'D' : 'P';
}

/** Fields the version does not have are null whatever the input says, as in CDC's bean. */
export function clearIgnored(vals: CvrsValues, version: CvrsVersion): void {
  for (const i of IGNORED[version]) vals[i] = null;
}

/** Receives a finding as it is made; file.ts builds the final object directly, without a copy. */
export type Emit = (field: string, code: string, level: CdcLevel, message: string) => void;

const Kind = { None: 0, Matches: 1, ExtType: 2, Pprl: 3, Redacted: 4, Date: 5, ValueSet: 6 } as const;
type Kind = (typeof Kind)[keyof typeof Kind];

/** A field's checks for one version, resolved once so the per-row loop only compares and branches. */
interface FieldPlan {
  name: string;
  required: number;
  doNotSend: number;
  maxLength: number;
  kind: Kind;
  test: (v: string) => boolean;
  regex: string;
  format: string;
  yearMonthToo: boolean;
  set: ValueSet | undefined;
  /** The last value found in the set: files repeat values row after row, and equal strings skip the lookup. */
  lastOk: string;
  /** REQD messages by event bit: they name no value, so they are made once. */
  reqd: Record<number, string>;
}

const always = () => true;

function plan(version: CvrsVersion): FieldPlan[] {
  return FIELDS.map((f) => {
    const c = f.check;
    const p: FieldPlan = {
      name: f.name,
      required: f.required[version],
      doNotSend: f.doNotSend[version],
      maxLength: f.maxLength,
      kind: Kind.None,
      test: always,
      regex: '',
      format: '',
      yearMonthToo: false,
      set: undefined,
      lastOk: '',
      reqd: Object.fromEntries(
        [VACCINATION, REFUSAL, MISSED_APPOINTMENT].map((e) => [
          e,
          `${f.name} is required for ${EVENT_NAME[e]} events`,
        ]),
      ),
    };
    if (!c) return p;
    switch (c.kind) {
      case 'matches':
        return { ...p, kind: Kind.Matches, test: c.test, regex: c.regex };
      case 'extType':
        return { ...p, kind: Kind.ExtType, regex: c.regex };
      case 'pprl':
        return { ...p, kind: Kind.Pprl };
      case 'redacted':
        return { ...p, kind: Kind.Redacted };
      case 'date':
        return { ...p, kind: Kind.Date, format: c.format, yearMonthToo: c.yearMonthToo };
      case 'valueSet':
        return { ...p, kind: Kind.ValueSet, set: valueSet(c.sets[version]) };
      default:
        return p;
    }
  });
}

const PLANS: Record<CvrsVersion, FieldPlan[]> = { '1': plan('1'), '2': plan('2') };
const REQD: Record<number, string> = {
  [VACCINATION]: 'REQD001',
  [REFUSAL]: 'REQD002',
  [MISSED_APPOINTMENT]: 'REQD003',
};
const DNTS: Record<number, string> = {
  [VACCINATION]: 'DNTS001',
  [REFUSAL]: 'DNTS002',
  [MISSED_APPOINTMENT]: 'DNTS003',
};

function checkFields(
  vals: CvrsValues,
  version: CvrsVersion,
  event: number,
  type: 'D' | 'P' | 'I' | null,
  emit: Emit,
): void {
  const plans = PLANS[version];
  for (let i = 0; i < plans.length; i++) {
    const p = plans[i]!;
    const v = vals[i] ?? null;
    const name = p.name;
    if (v === null || v === '') {
      if (p.required & event) emit(name, REQD[event]!, 'ERROR', p.reqd[event]!);
    } else if (p.doNotSend & event) {
      emit(
        name,
        DNTS[event]!,
        'ERROR',
        `${name} (${v}) should not be present for ${EVENT_NAME[event]} events`,
      );
    }
    if (p.kind === Kind.None) continue;
    if (v !== null && v.length > p.maxLength)
      emit(name, 'DATA008', 'ERROR', `${name} (${v}) exceeds maximum length ${p.maxLength}`);
    switch (p.kind) {
      case Kind.ValueSet:
        if (v === p.lastOk) break;
        if (inValueSet(p.set!, v)) {
          if (v !== null) p.lastOk = v;
        } else
          emit(
            name,
            'DATA007',
            'ERROR',
            `${name} (${v}) is not in value set ${p.set!.name}${p.set!.examples}`,
          );
        break;
      case Kind.Matches:
        if (!isEmpty(v) && !p.test(v))
          emit(name, 'DATA005', 'ERROR', `${name} (${v}) does not match the regular expression ${p.regex}`);
        break;
      case Kind.Redacted:
        if (type !== 'I' && !javaEqualsIgnoreCase('Redacted', v))
          emit(name, 'DATA006', 'ERROR', `${name} (${str(v)}) should contain value Redacted`);
        break;
      case Kind.Date:
        if (!isEmpty(v) && !isValidCdcDate(v, p.yearMonthToo)) {
          if (looksLikeUsDate(v))
            emit(
              name,
              'DATA009',
              'ERROR',
              `${name} (${v}) contains an incorrectly formatted date, should match ${p.format}`,
            );
          else
            emit(
              name,
              'DATA001',
              'ERROR',
              `${name} (${v}) contains an invalid date, should match ${p.format}`,
            );
        }
        break;
      case Kind.ExtType:
        if (type === null || !javaEqualsIgnoreCase(type, v))
          emit(
            name,
            'DATA005',
            'ERROR',
            `${name} (${str(v)}) does not match the regular expression ${p.regex}`,
          );
        break;
      case Kind.Pprl:
        if ((type === 'P') !== !isEmpty(v))
          emit(name, 'DATA004', 'ERROR', `${name} (${str(v)}) should not be present`);
        break;
    }
  }
}

interface BusinessRule {
  code: string;
  level: CdcLevel;
  versions: readonly CvrsVersion[];
  a: number;
  b: number;
  /** Whether the record passes, given the values of field a and field b. */
  ok: (a: string | null, b: string | null, ctx: RecordContext) => boolean;
  message: (a: string, av: string, b: string, bv: string, ctx: RecordContext) => string;
}

const BOTH: readonly CvrsVersion[] = ['1', '2'];

function busr(
  code: string,
  a: string,
  b: string,
  ok: BusinessRule['ok'],
  message: BusinessRule['message'],
  level: CdcLevel = 'ERROR',
  versions = BOTH,
): BusinessRule {
  return { code, level, versions, a: fieldIndex(a), b: fieldIndex(b), ok, message };
}

const notMatching = (who: string) => (a: string, av: string, b: string, bv: string) =>
  `${a} (${av}) does not match ${b} (${bv}) for ${who}`;
const implies = (a: string | null, b: string | null) => isEmpty(a) || !isEmpty(b);
const impliesMessage = (who: string) => (a: string, av: string, b: string, bv: string) =>
  `If ${a} (${av}) is present, ${b} (${bv}) should be present for ${who}`;
const beforeTomorrow = (a: string | null, _b: string | null, ctx: RecordContext) =>
  isEmpty(a) || a < ctx.tomorrow;

const BUSINESS_RULES: readonly BusinessRule[] = [
  busr('BUSR001', 'recip_address_county', 'recip_address_state', isCountyInState, notMatching('Recipient')),
  busr(
    'BUSR002',
    'admin_address_county',
    'admin_address_state',
    isCountyInState,
    notMatching('Vaccine Administrator'),
  ),
  busr('BUSR003', 'recip_address_zip', 'recip_address_state', isZipInState, notMatching('Recipient')),
  busr(
    'BUSR004',
    'admin_address_zip',
    'admin_address_state',
    isZipInState,
    notMatching('Vaccine Administrator'),
  ),
  // Fails when either date is missing, as CDC's does.
  busr(
    'BUSR005',
    'recip_dob',
    'admin_date',
    (a, b) => !isEmpty(a) && !isEmpty(b) && a <= b,
    (a, av, b, bv) => `${a} (${av}) is after ${b} (${bv})`,
  ),
  busr(
    'BUSR006',
    'vax_refusal',
    'recip_missed_appt',
    (a, b) => !(javaEqualsIgnoreCase('YES', a) && javaEqualsIgnoreCase('YES', b)),
    (a, av, b, bv) => `${a} (${av}) and ${b} (${bv}) should not both be YES`,
    'ERROR',
    ['1'],
  ),
  busr('BUSR007', 'recip_address_zip', 'recip_address_state', implies, impliesMessage('Recipient'), 'WARN'),
  busr(
    'BUSR008',
    'admin_address_zip',
    'admin_address_state',
    implies,
    impliesMessage('Vaccine Administrator'),
    'WARN',
  ),
  busr('BUSR009', 'recip_address_zip', 'recip_address_county', implies, impliesMessage('Recipient'), 'WARN'),
  busr(
    'BUSR010',
    'admin_address_zip',
    'admin_address_county',
    implies,
    impliesMessage('Vaccine Administrator'),
    'WARN',
  ),
  busr(
    'BUSR011',
    'recip_dob',
    'recip_dob',
    beforeTomorrow,
    (a, av, _b, _bv, ctx) => `If ${a} (${av}) is present it should be less than tomorrow (${ctx.tomorrow})`,
  ),
  busr(
    'BUSR012',
    'admin_date',
    'admin_date',
    beforeTomorrow,
    (a, av, _b, _bv, ctx) => `If ${a} (${av}) is present it should less than tomorrow (${ctx.tomorrow})`,
  ),
];

const RULES_FOR: Record<CvrsVersion, readonly BusinessRule[]> = {
  '1': BUSINESS_RULES.filter((r) => r.versions.includes('1')),
  '2': BUSINESS_RULES.filter((r) => r.versions.includes('2')),
};

/**
 * CDC's per-record findings, in CDC's order. `vals` must already have the version's ignored fields cleared
 * (clearIgnored); it is not changed.
 */
export function checkRecord(vals: CvrsValues, ctx: RecordContext, emit: Emit): void {
  checkFields(vals, ctx.version, eventOf(vals), extractTypeOf(vals), emit);
  for (const r of RULES_FOR[ctx.version]) {
    const a = get(vals, r.a);
    const b = get(vals, r.b);
    if (r.ok(a, b, ctx)) continue;
    const an = FIELDS[r.a]!.name;
    emit(an, r.code, r.level, r.message(an, str(a), FIELDS[r.b]!.name, str(b), ctx));
  }
}
