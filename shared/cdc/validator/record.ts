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
import { inValueSet, isCountyInState, isZipInState, valueSet } from './value-sets.ts';

export type CvrsValues = (string | null)[];

const get = (vals: CvrsValues, i: number): string | null => vals[i] ?? null;

export interface RecordFinding {
  field: string;
  code: string;
  level: CdcLevel;
  message: string;
}

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
const EVENT_DIGIT: Record<number, number> = { [VACCINATION]: 1, [REFUSAL]: 2, [MISSED_APPOINTMENT]: 3 };

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
  const redacted = REDACTED_FIELDS.every((i) => javaEqualsIgnoreCase('Redacted', get(vals, i)));
  if (!redacted) return 'I';
  return isEmpty(vals[F.pprl_id]) ? 'D' : 'P';
}

/** Fields the version does not have are null whatever the input says, as in CDC's bean. */
export function clearIgnored(vals: CvrsValues, version: CvrsVersion): void {
  for (const i of IGNORED[version]) vals[i] = null;
}

function checkField(
  i: number,
  vals: CvrsValues,
  ctx: RecordContext,
  event: number,
  type: 'D' | 'P' | 'I' | null,
  out: RecordFinding[],
): void {
  const f = FIELDS[i]!;
  const v = get(vals, i);
  const name = f.name;
  const push = (code: string, message: string) => out.push({ field: name, code, level: 'ERROR', message });
  if (isEmpty(v)) {
    if (f.required[ctx.version] & event)
      push(`REQD00${EVENT_DIGIT[event]}`, `${name} is required for ${EVENT_NAME[event]} events`);
  } else if (f.doNotSend[ctx.version] & event) {
    push(
      `DNTS00${EVENT_DIGIT[event]}`,
      `${name} (${v}) should not be present for ${EVENT_NAME[event]} events`,
    );
  }
  const check = f.check;
  if (!check) return;
  if (v !== null && v.length > f.maxLength)
    push('DATA008', `${name} (${v}) exceeds maximum length ${f.maxLength}`);
  switch (check.kind) {
    case 'matches':
      if (!isEmpty(v) && !check.test(v))
        push('DATA005', `${name} (${v}) does not match the regular expression ${check.regex}`);
      return;
    case 'extType':
      if (type === null || !javaEqualsIgnoreCase(type, v))
        push('DATA005', `${name} (${str(v)}) does not match the regular expression ${check.regex}`);
      return;
    case 'pprl':
      if ((type === 'P') !== !isEmpty(v)) push('DATA004', `${name} (${str(v)}) should not be present`);
      return;
    case 'redacted':
      if (type !== 'I' && !javaEqualsIgnoreCase('Redacted', v))
        push('DATA006', `${name} (${str(v)}) should contain value Redacted`);
      return;
    case 'date':
      if (!isEmpty(v) && !isValidCdcDate(v, check.yearMonthToo)) {
        if (looksLikeUsDate(v))
          push(
            'DATA009',
            `${name} (${v}) contains an incorrectly formatted date, should match ${check.format}`,
          );
        else push('DATA001', `${name} (${v}) contains an invalid date, should match ${check.format}`);
      }
      return;
    case 'valueSet': {
      const set = valueSet(check.sets[ctx.version]);
      if (!inValueSet(set, v))
        push('DATA007', `${name} (${v}) is not in value set ${set.name}${set.examples}`);
      return;
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

/**
 * CDC's per-record findings, appended to `out` in CDC's order. `vals` must already have the version's
 * ignored fields cleared (clearIgnored); it is not otherwise changed.
 */
export function checkRecord(vals: CvrsValues, ctx: RecordContext, out: RecordFinding[]): void {
  const event = eventOf(vals);
  const type = extractTypeOf(vals);
  for (let i = 0; i < FIELDS.length; i++) checkField(i, vals, ctx, event, type, out);
  for (const r of BUSINESS_RULES) {
    if (!r.versions.includes(ctx.version)) continue;
    const a = get(vals, r.a);
    const b = get(vals, r.b);
    if (r.ok(a, b, ctx)) continue;
    const an = FIELDS[r.a]!.name;
    out.push({
      field: an,
      code: r.code,
      level: r.level,
      message: r.message(an, str(a), FIELDS[r.b]!.name, str(b), ctx),
    });
  }
}
