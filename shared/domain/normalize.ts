import { normalizeNdc } from '../codesets/ndc.ts';
import { parseDate } from './dates.ts';
import { CODE_FIELDS, DATE_FIELDS, DOSE_FIELDS, type Dose, type DoseField } from './fields.ts';
import { type Finding, finding } from './findings.ts';

/** Longest value we keep for any field: HL7 ST fields stop at 199 characters. */
export const MAX_FIELD_LENGTH = 199;

type Kind = 'text' | 'code' | 'date' | 'ndc' | 'zip' | 'county' | 'event-id';
/** One lookup per field on the hot path, instead of a chain of set tests. */
const KIND = new Map<string, Kind>(DOSE_FIELDS.map((f) => [f, 'text']));
for (const f of CODE_FIELDS) KIND.set(f, 'code');
for (const f of DATE_FIELDS) KIND.set(f, 'date');
KIND.set('ndc', 'ndc');
KIND.set('vax_event_id', 'event-id');
KIND.set('recip_address_zip', 'zip');
KIND.set('admin_address_zip', 'zip');
KIND.set('recip_address_county', 'county');
KIND.set('admin_address_county', 'county');
const CONTROL = /[\t\r\n]/;
/** Printable ASCII without what cannot sit in a URL path segment or clashes with HL7 delimiters. */
const EVENT_ID = /^[\x21-\x7E]+$/;
const EVENT_ID_FORBIDDEN = /[/?#%\\|^&~]/;
const ZIP = /^(\d{5})(?:-?(\d{4}))?$/;
const FIPS = /^\d{5}$/;

export interface Normalized {
  dose: Partial<Dose>;
  findings: Finding[];
}

/**
 * Turns one submitted object into a dose of trimmed strings: codes upper-cased, dates ISO, NDC 11-digit 5-4-2,
 * ZIP `12345` or `12345-6789`, county FIPS 5 digits. Type and format problems become findings on their field;
 * the value is then left out so later rules do not report the same problem twice.
 */
export function normalizeDose(input: Record<string, unknown>): Normalized {
  const dose = blankDose();
  const findings: Finding[] = [];
  for (const key of Object.keys(input)) {
    const kind = KIND.get(key);
    if (kind === undefined) {
      findings.push(
        finding(
          'DQ016',
          key,
          `"${key}" is not a CVRS field name and was ignored. Check the spelling against the field list.`,
        ),
      );
      continue;
    }
    const field = key as DoseField;
    const raw = input[key];
    let text: string;
    if (raw === null || raw === undefined) continue;
    if (typeof raw === 'string') text = raw.trim();
    else if (typeof raw === 'number' && Number.isFinite(raw)) text = String(raw);
    else {
      findings.push(
        finding('DATA005', field, `${field} must be text (or a number for codes), not ${describe(raw)}.`),
      );
      continue;
    }
    if (text === '') continue;
    if (text.length > MAX_FIELD_LENGTH) {
      findings.push(
        finding(
          'DATA005',
          field,
          `${field} is ${text.length} characters long; at most ${MAX_FIELD_LENGTH} are allowed.`,
        ),
      );
      continue;
    }
    // Only free text can carry tabs or line breaks worth keeping (as spaces); in a code or date they make
    // the value invalid, which the value checks report.
    if (kind === 'text' && CONTROL.test(text)) text = text.replace(/[\t\r\n]+/g, ' ');
    const value =
      kind === 'text'
        ? text
        : kind === 'code'
          ? text.toUpperCase()
          : normalizeValue(kind, field, text, findings);
    if (value !== undefined) dose[field] = value;
  }
  return { dose: dose as Partial<Dose>, findings };
}

function normalizeValue(kind: Kind, field: DoseField, text: string, findings: Finding[]): string | undefined {
  if (kind === 'date') {
    const parsed = parseDate(text);
    if (parsed.ok) return parsed.iso;
    findings.push(
      parsed.reason === 'format'
        ? finding(
            'DATA009',
            field,
            `${field} "${text}" is not a date in a format we read. Use YYYY-MM-DD, e.g. 2021-03-15.`,
          )
        : finding(
            'DATA001',
            field,
            `${field} "${text}" is not a real calendar date. Check the day and month.`,
          ),
    );
    return undefined;
  }
  if (kind === 'event-id') {
    if (EVENT_ID.test(text) && !EVENT_ID_FORBIDDEN.test(text)) return text;
    findings.push(
      finding(
        'DATA005',
        field,
        'vax_event_id may contain letters, digits and punctuation, but no spaces, accents or any of / ? # % \\ | ^ & ~.',
      ),
    );
    return undefined;
  }
  if (kind === 'ndc') {
    const ndc = normalizeNdc(text);
    if (ndc) return ndc;
    findings.push(
      finding(
        'DATA005',
        field,
        `NDC "${text}" is not a valid NDC. Use the 10- or 11-digit code from the vial with its hyphens, e.g. 80777-273-10.`,
      ),
    );
    return undefined;
  }
  if (kind === 'zip') {
    const m = ZIP.exec(text);
    if (m) return m[2] ? `${m[1]}-${m[2]}` : m[1];
    findings.push(finding('DATA005', field, `ZIP code "${text}" must be 5 digits or ZIP+4 (12345-6789).`));
    return undefined;
  }
  if (kind === 'county') {
    const digits = /^\d{4}$/.test(text) ? `0${text}` : text;
    if (FIPS.test(digits)) return digits;
    findings.push(
      finding(
        'DATA005',
        field,
        `County "${text}" must be the 5-digit county FIPS code, e.g. 06037 for Los Angeles.`,
      ),
    );
    return undefined;
  }
  return text;
}

/**
 * Every dose starts with every field, in one order: V8 then gives all doses one fixed object shape, which made
 * normalization about twice as fast as adding ~40 keys to {} (bench). Absent fields stay undefined, which JSON
 * and the content hash skip.
 */
const BLANK: Partial<Record<DoseField, string>> = Object.fromEntries(DOSE_FIELDS.map((f) => [f, undefined]));
const blankDose = (): Partial<Record<DoseField, string>> => ({ ...BLANK });

function describe(v: unknown): string {
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'number') return 'a non-finite number';
  return `a ${typeof v}`;
}
