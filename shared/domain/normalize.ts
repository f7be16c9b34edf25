import { normalizeNdc } from '../codesets/ndc.ts';
import { parseDate } from './dates.ts';
import { CODE_FIELDS, DATE_FIELDS, type Dose, type DoseField, FIELD_SET } from './fields.ts';
import { type Finding, finding } from './findings.ts';

/** Longest value we keep for any field: HL7 ST fields stop at 199 characters. */
export const MAX_FIELD_LENGTH = 199;

const CODE_SET: ReadonlySet<string> = new Set(CODE_FIELDS);
const DATE_SET: ReadonlySet<string> = new Set(DATE_FIELDS);
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
  const dose: Partial<Record<DoseField, string>> = {};
  const findings: Finding[] = [];
  for (const key in input) {
    if (!FIELD_SET.has(key)) {
      findings.push(
        finding('DQ016', key, `"${key}" is not a CVRS field name and was ignored. Check the spelling against the field list.`),
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
      findings.push(finding('DATA005', field, `${field} must be text (or a number for codes), not ${describe(raw)}.`));
      continue;
    }
    if (text === '') continue;
    if (text.length > MAX_FIELD_LENGTH) {
      findings.push(
        finding('DATA005', field, `${field} is ${text.length} characters long; at most ${MAX_FIELD_LENGTH} are allowed.`),
      );
      continue;
    }
    if (text.includes('\t') || text.includes('\n') || text.includes('\r')) text = text.replace(/[\t\r\n]+/g, ' ');
    const value = normalizeValue(field, text, findings);
    if (value !== undefined) dose[field] = value;
  }
  return { dose: dose as Partial<Dose>, findings };
}

function normalizeValue(field: DoseField, text: string, findings: Finding[]): string | undefined {
  if (DATE_SET.has(field)) {
    const parsed = parseDate(text);
    if (parsed.ok) return parsed.iso;
    findings.push(
      parsed.reason === 'format'
        ? finding('DATA009', field, `${field} "${text}" is not a date in a format we read. Use YYYY-MM-DD, e.g. 2021-03-15.`)
        : finding('DATA001', field, `${field} "${text}" is not a real calendar date. Check the day and month.`),
    );
    return undefined;
  }
  if (field === 'ndc') {
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
  if (field === 'recip_address_zip' || field === 'admin_address_zip') {
    const m = ZIP.exec(text);
    if (m) return m[2] ? `${m[1]}-${m[2]}` : m[1];
    findings.push(finding('DATA005', field, `ZIP code "${text}" must be 5 digits or ZIP+4 (12345-6789).`));
    return undefined;
  }
  if (field === 'recip_address_county' || field === 'admin_address_county') {
    const digits = /^\d{4}$/.test(text) ? `0${text}` : text;
    if (FIPS.test(digits)) return digits;
    findings.push(
      finding('DATA005', field, `County "${text}" must be the 5-digit county FIPS code, e.g. 06037 for Los Angeles.`),
    );
    return undefined;
  }
  return CODE_SET.has(field) ? text.toUpperCase() : text;
}

function describe(v: unknown): string {
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'number') return 'a non-finite number';
  return `a ${typeof v}`;
}
