/**
 * The 47 fields of CDC's CVRSExtract, in its declaration order (which is the order CDC checks them in, and
 * the order of the v1 header; v2 drops vax_prov_suffix and recip_missed_appt), each with its validator,
 * maximum length and requirements. From CVRSExtract.java's annotations; HL7 mapping left out.
 */
import { isJavaLineTerminator, isJavaSpace } from './java.ts';

export type CvrsVersion = '1' | '2';

/** Event types, as bits: CDC's EventType ordinal + 1 is the last digit of REQD00n / DNTS00n. */
export const VACCINATION = 1;
export const REFUSAL = 2;
export const MISSED_APPOINTMENT = 4;
const V = VACCINATION;
const R = REFUSAL;
const M = MISSED_APPOINTMENT;
const ALL = V | R | M;

export type Check =
  | { kind: 'matches'; regex: string; test: (v: string) => boolean }
  | { kind: 'extType'; regex: string }
  | { kind: 'pprl' }
  | { kind: 'redacted' }
  | { kind: 'date'; format: string; yearMonthToo: boolean }
  | { kind: 'valueSet'; sets: Record<CvrsVersion, string> };

export interface FieldRule {
  name: string;
  check?: Check;
  /** DATA008 above this; fields without a validator are not length-checked. */
  maxLength: number;
  /** Events for which an empty value is REQD, per version. */
  required: Record<CvrsVersion, number>;
  /** Events for which a value is DNTS, per version. */
  doNotSend: Record<CvrsVersion, number>;
  /** Not a column of this version: CDC never reads it and treats it as null. */
  ignored: Record<CvrsVersion, boolean>;
}

const isDigit = (c: number) => c >= 0x30 && c <= 0x39;

/** `^\S+$` */
function noSpace(v: string): boolean {
  for (let i = 0; i < v.length; i++) if (isJavaSpace(v.charCodeAt(i))) return false;
  return v.length > 0;
}

const LINE_TERMINATOR = /[\n\r\u0085\u2028\u2029]/;

/** `^\S+.*$`: a non-space first, and no line terminator after the first space. */
function startsWithNonSpace(v: string): boolean {
  if (v.length === 0 || isJavaSpace(v.charCodeAt(0))) return false;
  // Names are long and almost never hold a line terminator: one native search settles most.
  if (!LINE_TERMINATOR.test(v)) return true;
  let i = 1;
  while (i < v.length && !isJavaSpace(v.charCodeAt(i))) i++;
  for (; i < v.length; i++) if (isJavaLineTerminator(v.charCodeAt(i))) return false;
  return true;
}

/** `\d{5}(-\d{4})?` */
function zip(v: string): boolean {
  if (v.length !== 5 && v.length !== 10) return false;
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (i === 5 ? c !== 0x2d : !isDigit(c)) return false;
  }
  return true;
}

/** `^([0-9A-Za-z]{0,6})$` */
function pin(v: string): boolean {
  if (v.length > 6) return false;
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i) | 0x20;
    if (!isDigit(v.charCodeAt(i)) && !(c >= 0x61 && c <= 0x7a)) return false;
  }
  return true;
}

const matches = (regex: string, test: (v: string) => boolean): Check => ({ kind: 'matches', regex, test });
const valueSet = (name: string): Check => ({ kind: 'valueSet', sets: { '1': name, '2': name } });
const DEFAULT_DATE: Check = { kind: 'date', format: 'yyyy-MM-dd|yyyy-MM', yearMonthToo: true };

const both = (n: number): Record<CvrsVersion, number> => ({ '1': n, '2': n });
const NEVER = both(0);

function field(
  name: string,
  check: Check | undefined,
  opts: Partial<Omit<FieldRule, 'name' | 'check'>> = {},
) {
  return {
    name,
    ...(check ? { check } : {}),
    maxLength: check ? (opts.maxLength ?? 255) : Number.POSITIVE_INFINITY,
    required: opts.required ?? NEVER,
    doNotSend: opts.doNotSend ?? NEVER,
    ignored: opts.ignored ?? { '1': false, '2': false },
  } satisfies FieldRule;
}

const req = { required: both(ALL) };
const refusalOrMissed = { doNotSend: both(M | R) };

export const FIELDS: readonly FieldRule[] = [
  field('vax_event_id', matches('^\\S+$', noSpace), req),
  field('ext_type', { kind: 'extType', regex: '^(D|P|I)$' }),
  field('pprl_id', { kind: 'pprl' }, { maxLength: 100 }),
  field('recip_id', matches('^\\S+$', noSpace), req),
  field('recip_first_name', { kind: 'redacted' }),
  field('recip_middle_name', { kind: 'redacted' }),
  field('recip_last_name', { kind: 'redacted' }),
  field('recip_dob', DEFAULT_DATE, req),
  field('recip_sex', valueSet('SEX'), req),
  field('recip_address_street', { kind: 'redacted' }),
  field('recip_address_street_2', { kind: 'redacted' }),
  field('recip_address_city', { kind: 'redacted' }),
  field('recip_address_county', valueSet('COUNTY')),
  field('recip_address_state', valueSet('STATE')),
  field('recip_address_zip', matches('\\d{5}(-\\d{4})?', zip)),
  field('recip_race_1', valueSet('RACEWITHUNK'), req),
  field('recip_race_2', valueSet('RACE')),
  field('recip_race_3', valueSet('RACE')),
  field('recip_race_4', valueSet('RACE')),
  field('recip_race_5', valueSet('RACE')),
  field('recip_race_6', valueSet('RACE')),
  field('recip_ethnicity', valueSet('ETHNICITY'), req),
  field('admin_date', { kind: 'date', format: 'yyyy-MM-dd', yearMonthToo: false }, req),
  field('cvx', valueSet('CVX'), { required: both(V | R), doNotSend: both(M) }),
  field('ndc', valueSet('NDC'), { maxLength: 50, ...refusalOrMissed }),
  field('mvx', valueSet('MVX'), { maxLength: 3, ...refusalOrMissed }),
  field('lot_number', undefined, refusalOrMissed),
  field('vax_expiration', DEFAULT_DATE, refusalOrMissed),
  field('vax_admin_site', valueSet('SITE'), refusalOrMissed),
  field('vax_route', valueSet('ROUTE'), { maxLength: 10, ...refusalOrMissed }),
  field('dose_num', valueSet('DOSE'), { required: both(V), ...refusalOrMissed }),
  field('vax_series_complete', valueSet('YES_NO_UNK'), { required: both(V), ...refusalOrMissed }),
  field('responsible_org', matches('^\\S+.*$', startsWithNonSpace), req),
  field('admin_name', matches('^\\S+.*$', startsWithNonSpace), req),
  // v2 makes the PIN "required if known", which never yields a finding.
  field('vtrcks_prov_pin', matches('^([0-9A-Za-z]{0,6})$', pin), { required: { '1': ALL, '2': 0 } }),
  field(
    'admin_type',
    { kind: 'valueSet', sets: { '1': 'DCHTYPE1', '2': 'DCHTYPE2' } },
    { required: both(V | R) },
  ),
  field('admin_address_street', undefined),
  field('admin_address_street_2', undefined),
  field('admin_address_city', undefined),
  field('admin_address_county', valueSet('COUNTY')),
  field('admin_address_state', valueSet('STATE')),
  field(
    'admin_address_zip',
    matches('^(\\d{5}(-\\d{4})?)?$', (v) => v === '' || zip(v)),
  ),
  field('vax_prov_suffix', valueSet('PROVIDER_SUFFIX'), {
    doNotSend: { '1': M | R, '2': 0 },
    ignored: { '1': false, '2': true },
  }),
  field('vax_refusal', valueSet('YES_NO'), req),
  field('cmorbid_status', valueSet('YES_NO_UNK'), req),
  field('recip_missed_appt', valueSet('YES_NO'), {
    required: { '1': ALL, '2': 0 },
    ignored: { '1': false, '2': true },
  }),
  field('serology', valueSet('YES_NO_UNK'), req),
];

/** Field index by name. */
export const FIELD_INDEX: ReadonlyMap<string, number> = new Map(FIELDS.map((f, i) => [f.name, i]));

export const fieldIndex = (name: string): number => {
  const i = FIELD_INDEX.get(name);
  if (i === undefined) throw new Error(`not a CVRS field: ${name}`);
  return i;
};

/** The header CDC expects for a version, in order. */
export function headersFor(version: CvrsVersion): string[] {
  return FIELDS.filter((f) => !f.ignored[version]).map((f) => f.name);
}
