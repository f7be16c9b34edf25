import { normalizeNdc } from '../codesets/ndc.ts';
import { parseDate } from './dates.ts';
import { CODE_FIELDS, DATE_FIELDS, DOSE_FIELDS, type Dose, type DoseField } from './fields.ts';

/** Fields CDC's validator does not length-check (no field validator), and our own iis_id. */
const CDC_UNCHECKED_LENGTH: ReadonlySet<string> = new Set([
  'lot_number',
  'admin_address_street',
  'admin_address_street_2',
  'admin_address_city',
  'iis_id',
]);
import { type Finding, finding } from './findings.ts';

/** Longest value we keep for any field: HL7 ST fields stop at 199 characters. */
export const MAX_FIELD_LENGTH = 199;
/** CDC's maximum lengths (DATA008): 255 unless listed; fields CDC does not length-check are absent. */
const CDC_MAX_LENGTH = new Map<string, number>(
  DOSE_FIELDS.filter((f) => !CDC_UNCHECKED_LENGTH.has(f)).map((f) => [f, 255]),
);
for (const [f, n] of Object.entries({ pprl_id: 100, ndc: 50, mvx: 3, vax_route: 10 }))
  CDC_MAX_LENGTH.set(f, n);

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
const WHITESPACE = /\s/;
const ZIP = /^(\d{5})(?:-?(\d{4}))?$/;
const CDC_ZIP = /^\d{5}(-\d{4})?$/;
const FIPS = /^\d{5}$/;
const YEAR_MONTH = /^\d{4}-\d{2}$/;

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
        finding('DQ024', field, `${field} must be text (or a number for codes), not ${describe(raw)}.`),
      );
      continue;
    }
    if (text === '') continue;
    const cdcMax = CDC_MAX_LENGTH.get(field);
    if (cdcMax !== undefined && text.length > cdcMax) {
      findings.push(tooLong(field, text.length, cdcMax));
      continue;
    }
    if (text.length > MAX_FIELD_LENGTH) {
      findings.push(tooLong(field, text.length));
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

/** Over CDC's limit (DATA008), or within it but over what HL7 carries to the registries (DQ025). */
function tooLong(field: string, length: number, cdcMax?: number): Finding {
  return cdcMax === undefined
    ? finding(
        'DQ025',
        field,
        `${field} is ${length} characters long; the registries take at most ${MAX_FIELD_LENGTH}.`,
      )
    : finding('DATA008', field, `${field} is ${length} characters long; CDC allows at most ${cdcMax}.`);
}

function normalizeValue(kind: Kind, field: DoseField, text: string, findings: Finding[]): string | undefined {
  if (kind === 'date') return normalizeDate(field, text, findings);
  if (kind === 'event-id') {
    if (EVENT_ID.test(text) && !EVENT_ID_FORBIDDEN.test(text)) return text;
    findings.push(
      WHITESPACE.test(text)
        ? finding('DATA005', field, 'vax_event_id must not contain spaces or line breaks.')
        : finding(
            'DQ026',
            field,
            'vax_event_id may contain letters, digits and punctuation, but no accents or any of / ? # % \\ | ^ & ~.',
          ),
    );
    return undefined;
  }
  if (kind === 'ndc') {
    const ndc = normalizeNdc(text);
    if (ndc) return ndc;
    findings.push(
      finding(
        'DATA007',
        field,
        `NDC "${text}" is not a valid NDC. Use the 10- or 11-digit code from the vial with its hyphens, e.g. 80777-273-10.`,
      ),
    );
    return undefined;
  }
  if (kind === 'zip') {
    const m = ZIP.exec(text);
    if (!m) {
      findings.push(finding('DATA005', field, `ZIP code "${text}" must be 5 digits or ZIP+4 (12345-6789).`));
      return undefined;
    }
    const zip = m[2] ? `${m[1]}-${m[2]}` : m[1]!;
    if (!CDC_ZIP.test(text))
      findings.push(
        finding(
          'DATA005',
          field,
          `ZIP code "${text}" was stored as ${zip}; CDC takes only 12345 or 12345-6789.`,
          'warning',
        ),
      );
    return zip;
  }
  if (kind === 'county') {
    const padded = /^\d{4}$/.test(text);
    const digits = padded ? `0${text}` : text;
    if (FIPS.test(digits)) {
      if (padded)
        findings.push(
          finding(
            'DATA007',
            field,
            `County "${text}" was stored as ${digits}; CDC takes only the 5-digit county FIPS code.`,
            'warning',
          ),
        );
      return digits;
    }
    findings.push(
      finding(
        'DATA007',
        field,
        `County "${text}" must be the 5-digit county FIPS code, e.g. 06037 for Los Angeles.`,
      ),
    );
    return undefined;
  }
  return text;
}

/** ISO dates as they are; other layouts we read are stored as ISO with the warning CDC's error would be. */
function normalizeDate(field: DoseField, text: string, findings: Finding[]): string | undefined {
  const parsed = parseDate(text);
  if (parsed.ok) {
    if (parsed.layout === 'us')
      findings.push(
        finding(
          'DATA009',
          field,
          `${field} "${text}" was read as ${parsed.iso}; CDC refuses MM/DD/YYYY dates, so send YYYY-MM-DD.`,
          'warning',
        ),
      );
    else if (parsed.layout !== 'iso')
      findings.push(
        finding(
          'DATA001',
          field,
          `${field} "${text}" was read as ${parsed.iso}; CDC takes only YYYY-MM-DD.`,
          'warning',
        ),
      );
    return parsed.iso;
  }
  if (field === 'recip_dob' && YEAR_MONTH.test(text))
    findings.push(
      finding(
        'DQ028',
        field,
        `recip_dob "${text}" has no day. CDC accepts a year and month, but the registries need the full date of birth.`,
      ),
    );
  else
    findings.push(
      parsed.reason === 'format'
        ? finding(
            'DATA001',
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
