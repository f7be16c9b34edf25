import { normalizeNdc } from '#codecs/codesets/ndc.ts';
import { parseDate } from '#platform/dates.ts';
import { CODE_FIELDS, DATE_FIELDS, DOSE_FIELDS, type Dose, type DoseField, NOT_ECHOED } from './fields.ts';

/** Fields CDC's validator does not length-check (no field validator), and our own iis_id. */
const CDC_UNCHECKED_LENGTH: ReadonlySet<string> = new Set([
  'lot_number',
  'admin_address_street',
  'admin_address_street_2',
  'admin_address_city',
  'iis_id',
]);

import { echo, type Finding, finding, isNoncharacter, shown } from '#platform/findings.ts';

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
/**
 * Tabs and line breaks, which free text (a name, a street) carries as one space: TAB, LF, VT, FF, CR (Word
 * writes VT for a line break within a paragraph), NEL, and Unicode's line and paragraph separators. No delimited
 * format we write (HL7 segments, CVRS lines and cells, results rows) can hold them in a value as they are.
 */
const LINE_BREAKS = /[\t\n\v\f\r\u0085\u2028\u2029]/;
const LINE_BREAK_RUNS = /[\t\n\v\f\r\u0085\u2028\u2029]+/g;
/** HL7's explicit null, which a registry reads as "clear this value": as a value of ours it means nothing. */
const HL7_NULL = '""';
/** Unknown field names reported one by one; more than that come as one finding with their number. */
export const MAX_UNKNOWN_FIELDS_REPORTED = 5;
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
  let unknown = 0;
  for (const key of Object.keys(input)) {
    const kind = KIND.get(key);
    if (kind === undefined) {
      // The name is the sender's text, of any length: it is repeated cut short, and only the first few are.
      if (++unknown <= MAX_UNKNOWN_FIELDS_REPORTED)
        findings.push(
          finding(
            'DQ016',
            shown(key),
            `${echo(key)} is not a CVRS field name and was ignored. Check the spelling against the field list.`,
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
    if (text === '' || text === HL7_NULL) continue;
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
    if (kind === 'text' && LINE_BREAKS.test(text)) {
      text = text.replace(LINE_BREAK_RUNS, ' ').trim();
      if (text === '' || text === HL7_NULL) continue;
    }
    const bad = firstUncarriable(text);
    if (bad) {
      findings.push(uncarriable(field, bad));
      continue;
    }
    const value =
      kind === 'text'
        ? text
        : kind === 'code'
          ? text.toUpperCase()
          : normalizeValue(kind, field, text, findings);
    if (value !== undefined) dose[field] = value;
  }
  if (unknown > MAX_UNKNOWN_FIELDS_REPORTED)
    findings.push(
      finding(
        'DQ016',
        '',
        `${unknown - MAX_UNKNOWN_FIELDS_REPORTED} more field names are not CVRS field names and were ignored (${unknown} in all).`,
      ),
    );
  return { dose: dose as Partial<Dose>, findings };
}

export interface Uncarriable {
  /** The character's code point (a lone surrogate's own). */
  codePoint: number;
  /** Its position in the value, in characters from 1. */
  position: number;
  kind: 'control' | 'noncharacter' | 'surrogate';
}

/**
 * The first character of `text` that no outbound format carries, or undefined. Intake refuses it (DQ029) rather
 * than store what the registry reporter then fails to send on every retry until the DLQ:
 * - C0 controls: XML 1.0 forbids them even as character references; HL7 and CVRS use some as delimiters. TAB, LF
 *   and CR are not counted here: free text has had them turned into spaces, and in a code, date or ID they make
 *   the value fail its own check.
 * - DEL and the C1 controls: XML 1.0 discourages them, no name or code holds one, and they come from text decoded
 *   in the wrong character set (a Windows-1252 quote read as Latin-1 is U+0092).
 * - Noncharacters: never for interchange; XML 1.0 forbids U+FFFE and U+FFFF.
 * - Lone surrogates: not text; UTF-8, which DynamoDB, SQS, XML and every file we write use, cannot encode them.
 */
export function firstUncarriable(text: string): Uncarriable | undefined {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x20 && c < 0x7f) continue;
    let kind: Uncarriable['kind'] | undefined;
    let codePoint = c;
    if (c < 0x20) kind = c === 0x09 || c === 0x0a || c === 0x0d ? undefined : 'control';
    else if (c <= 0x9f) kind = 'control';
    else if (c >= 0xd800 && c <= 0xdfff) {
      const next = text.charCodeAt(i + 1);
      if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        codePoint = text.codePointAt(i)!;
        if (isNoncharacter(codePoint)) kind = 'noncharacter';
        else i++;
      } else kind = 'surrogate';
    } else if (isNoncharacter(c)) kind = 'noncharacter';
    if (kind) return { codePoint, position: [...text.slice(0, i)].length + 1, kind };
  }
  return undefined;
}

const WHAT: Readonly<Record<Uncarriable['kind'], string>> = {
  control: 'a control character',
  noncharacter: 'a Unicode noncharacter',
  surrogate: 'half of a UTF-16 surrogate pair (not a character)',
};

/** DQ029, by field, character and position: never the value, which may be a name. */
function uncarriable(field: string, bad: Uncarriable): Finding {
  const cp = `U+${bad.codePoint.toString(16).toUpperCase().padStart(4, '0')}`;
  return finding(
    'DQ029',
    field,
    `${field} has ${WHAT[bad.kind]} (${cp}) at position ${bad.position}, which the registries' and CDC's formats cannot carry. Remove it and send the dose again.`,
  );
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
        `NDC ${echo(text)} is not a valid NDC. Use the 10- or 11-digit code from the vial with its hyphens, e.g. 80777-273-10.`,
      ),
    );
    return undefined;
  }
  if (kind === 'zip') {
    const m = ZIP.exec(text);
    if (!m) {
      findings.push(
        finding('DATA005', field, `${named(field, text)} must be 5 digits or ZIP+4 (12345-6789).`),
      );
      return undefined;
    }
    const zip = m[2] ? `${m[1]}-${m[2]}` : m[1]!;
    if (!CDC_ZIP.test(text))
      findings.push(
        finding(
          'DATA005',
          field,
          NOT_ECHOED.has(field)
            ? `${field} is a ZIP+4 without its hyphen; it was stored with it, as CDC takes only 12345 or 12345-6789.`
            : `${named(field, text)} was stored as ${zip}; CDC takes only 12345 or 12345-6789.`,
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
            NOT_ECHOED.has(field)
              ? `${field} has 4 digits; it was stored with a leading 0, as CDC takes only the 5-digit county FIPS code.`
              : `${named(field, text)} was stored as ${digits}; CDC takes only the 5-digit county FIPS code.`,
            'warning',
          ),
        );
      return digits;
    }
    findings.push(
      finding(
        'DATA007',
        field,
        `${named(field, text)} must be the 5-digit county FIPS code, e.g. 06037 for Los Angeles.`,
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
          NOT_ECHOED.has(field)
            ? `${field} is written MM/DD/YYYY; it was read as month, day, year and stored as YYYY-MM-DD. CDC refuses MM/DD/YYYY dates, so send YYYY-MM-DD.`
            : `${named(field, text)} was read as ${parsed.iso}; CDC refuses MM/DD/YYYY dates, so send YYYY-MM-DD.`,
          'warning',
        ),
      );
    else if (parsed.layout !== 'iso')
      findings.push(
        finding(
          'DATA001',
          field,
          NOT_ECHOED.has(field)
            ? `${field} is not written YYYY-MM-DD; it was read and stored as YYYY-MM-DD, but CDC takes only YYYY-MM-DD.`
            : `${named(field, text)} was read as ${parsed.iso}; CDC takes only YYYY-MM-DD.`,
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
        'recip_dob has a year and month but no day. CDC accepts that, but the registries need the full date of birth.',
      ),
    );
  else
    findings.push(
      parsed.reason === 'format'
        ? finding(
            'DATA001',
            field,
            `${named(field, text)} is not a date in a format we read. Use YYYY-MM-DD, e.g. 2021-03-15.`,
          )
        : finding(
            'DATA001',
            field,
            `${named(field, text)} is not a real calendar date. Check the day and month.`,
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

/** The field, and its value (cut short) where the value is not the recipient's (NOT_ECHOED_FIELDS). */
function named(field: string, text: string): string {
  return NOT_ECHOED.has(field) ? field : `${field} ${echo(text)}`;
}

function describe(v: unknown): string {
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'number') return 'a non-finite number';
  return `a ${typeof v}`;
}
