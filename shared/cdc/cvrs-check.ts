import { isRealDate } from '../domain/dates.ts';
import { CODE_FIELDS, CVRS_FIELDS, DATE_FIELDS, type Dose } from '../domain/fields.ts';
import { type Finding, finding } from '../domain/findings.ts';
import { validateDose } from '../domain/validate.ts';

/**
 * The project's own checks of a CVRS extract (Redacted model, ext_type D), as CDC's validator would make them:
 * run on every record before a file leaves, and by the Data Clearinghouse stand-in on what it receives. Pure.
 *
 * Only errors with CDC's codes (REQD*, DATA*, BUSR*) count: the registry's data-quality rules (DQ*) decided
 * at intake whether a dose is kept, and CDC does not apply them. Messages never carry a name, street or city.
 */

/** One problem in a file: `line` is 1-based and counts the header (the first record is line 2). */
export interface CvrsIssue {
  line: number;
  field: string;
  code: string;
  message: string;
  vax_event_id?: string;
}

/** CDC's code for a vax_event_id repeated within one file with other content. */
export const DUPLICATE_EVENT_CODE = 'BUSR013';

const HEADER = CVRS_FIELDS.join('\t');
const HEADER_LOWER = HEADER.toLowerCase();
const FIELD_NAMES: ReadonlySet<string> = new Set(CVRS_FIELDS);
const CDC_CODE = /^(REQD|DNTS|DATA|BUSR)/;
const CDC_WARNINGS: ReadonlySet<string> = new Set(['BUSR007', 'BUSR008', 'BUSR009', 'BUSR010']);
const US_DATE = /^\d{1,2}\/\d{1,2}\/\d{4}$/;
const CODES: ReadonlySet<string> = new Set(CODE_FIELDS);
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const EVENT_ID_COLUMN = CVRS_FIELDS.indexOf('vax_event_id');

/** A record's values as a dose, by CVRS_FIELDS order; empty values are absent. Values are taken as written. */
export function recordToDose(values: readonly string[]): Partial<Dose> {
  const dose: Partial<Record<string, string>> = {};
  CVRS_FIELDS.forEach((field, i) => {
    const v = values[i];
    if (v !== undefined && v !== '') dose[field] = v;
  });
  return dose as Partial<Dose>;
}

/**
 * The errors CDC would report for one record of a Redacted (ext_type D) file; empty when it may be sent.
 * Codes are compared case-insensitively (as CDC does); dates must be YYYY-MM-DD.
 */
export function checkCvrsRecord(values: readonly string[], today: string): Finding[] {
  // We build every record from CVRS_FIELDS, so another length is our bug, not the dose's.
  if (values.length !== CVRS_FIELDS.length)
    throw new Error(`A CVRS record has ${CVRS_FIELDS.length} values, not ${values.length}`);
  const out: Finding[] = [];
  const dose: Partial<Record<string, string>> = recordToDose(values);
  for (const field of CODES) {
    const v = dose[field];
    if (v !== undefined) dose[field] = v.toUpperCase();
  }

  // Dates CDC cannot read: reported here, and left out so the date rules do not compare nonsense.
  const unreadable = new Set<string>();
  for (const field of DATE_FIELDS) {
    const v = dose[field];
    if (v === undefined) continue;
    const m = ISO_DATE.exec(v);
    if (!m)
      out.push(
        US_DATE.test(v)
          ? finding('DATA009', field, `${field} is a MM/DD/YYYY date; CDC takes only YYYY-MM-DD.`, 'error')
          : finding('DATA001', field, `${field} is not a date in the format YYYY-MM-DD, e.g. 2021-03-15.`),
      );
    else if (!isRealDate(Number(m[1]), Number(m[2]), Number(m[3])))
      out.push(finding('DATA001', field, `${field} is not a real calendar date; check the day and month.`));
    else continue;
    unreadable.add(field);
    delete dose[field];
  }

  // Only CDC's own checks decide what CDC gets: the registries' data-quality rules (DQ) were applied at intake.
  // At CDC every one of them is an error but BUSR007–010, including those intake only warns about.
  for (const f of validateDose(dose as Partial<Dose>, { today })) {
    if (!CDC_CODE.test(f.code) || CDC_WARNINGS.has(f.code)) continue;
    if (unreadable.has(f.field)) continue;
    out.push(f.severity === 'error' ? f : { ...f, severity: 'error' });
  }
  return out;
}

/** A file's lines: the header, and each non-empty record line with its 1-based line number. */
export interface CvrsLines {
  header: string;
  rows: { line: number; values: string[] }[];
}

/** Splits a file's text (LF or CRLF) into its header and records; empty lines are skipped. */
export function splitCvrsText(text: string): CvrsLines {
  const lines = text.split(/\r?\n/);
  const rows: CvrsLines['rows'] = [];
  for (let i = 1; i < lines.length; i++) {
    const l = lines[i]!;
    if (l !== '') rows.push({ line: i + 1, values: l.split('\t') });
  }
  return { header: lines[0] ?? '', rows };
}

/**
 * Checks a whole file: the header row of the 45 variable names (case-insensitive), then every record, and
 * that no vax_event_id comes twice. `eventIds` are the first column of every record line, in order.
 */
export function checkCvrsFile(
  text: string,
  today: string,
): { issues: CvrsIssue[]; records: number; eventIds: string[] } {
  const { header, rows } = splitCvrsText(text);
  const headerIssue = checkHeader(header);
  if (headerIssue) return { issues: [headerIssue], records: 0, eventIds: [] };

  const issues: CvrsIssue[] = [];
  const eventIds: string[] = [];
  const firstLine = new Map<string, number>();
  for (const { line, values } of rows) {
    const eventId = values[EVENT_ID_COLUMN] ?? '';
    const withId = eventId === '' ? {} : { vax_event_id: eventId };
    for (const f of checkCvrsRecord(values, today))
      issues.push({ line, field: f.field, code: f.code, message: f.message, ...withId });
    if (eventId === '') continue;
    eventIds.push(eventId);
    const first = firstLine.get(eventId);
    if (first === undefined) firstLine.set(eventId, line);
    else
      issues.push({
        line,
        field: 'vax_event_id',
        code: DUPLICATE_EVENT_CODE,
        message: `Duplicate vax_event_id in file (first on line ${first})`,
        vax_event_id: eventId,
      });
  }
  return { issues, records: rows.length, eventIds };
}

function checkHeader(header: string): CvrsIssue | undefined {
  if (header.toLowerCase() === HEADER_LOWER) return undefined;
  const issue = (message: string): CvrsIssue => ({ line: 1, field: 'header', code: 'DATA005', message });
  if (header.startsWith('\uFEFF'))
    return issue('The file starts with a byte-order mark; save it as UTF-8 without one.');
  const got = header.split('\t');
  for (let i = 0; i < CVRS_FIELDS.length; i++) {
    const want = CVRS_FIELDS[i]!;
    const have = got[i];
    if (have?.toLowerCase() === want) continue;
    // Only a CVRS name is repeated back: a file without its header has a record on line 1.
    const shown =
      have === undefined
        ? 'missing'
        : FIELD_NAMES.has(have.toLowerCase())
          ? `"${have}"`
          : 'not a CVRS variable name';
    return issue(`Header column ${i + 1} must be "${want}" but is ${shown}.`);
  }
  return issue(
    `The header has ${got.length} columns; it must be the ${CVRS_FIELDS.length} CVRS variable names only.`,
  );
}
