import { createHmac } from 'node:crypto';
import {
  CVRS_FIELDS,
  type CvrsField,
  type Dose,
  IDENTIFYING_FIELDS,
  RACE_FIELDS,
  REFUSAL_EMPTY_FIELDS,
} from '#doses/fields.ts';
import * as codes from '../codesets/values.ts';

/**
 * CDC CVRS extract files, Redacted model (ext_type D): the 45 variables in the specification's order, a header
 * row, tab-delimited UTF-8 with LF line ends. Names, street, street 2 and city are the literal "Redacted";
 * pprl_id is empty; recip_id is a keyed hash of the patient's identity here, so it is stable across days and
 * resubmissions but means nothing outside this system. Pure: the secret is a parameter.
 */
export const MAX_RECORDS_PER_FILE = 200_000;
export const REDACTED = 'Redacted';

const REDACT: ReadonlySet<string> = new Set(IDENTIFYING_FIELDS);
const EMPTY_FOR_REFUSAL: ReadonlySet<string> = new Set(REFUSAL_EMPTY_FIELDS);

/** The CDC recip_id: HMAC-SHA-256 of the site and its own patient ID, hex; no name or birth date goes in. */
export function cdcRecipientId(secret: string, iisId: string, recipId: string): string {
  return createHmac('sha256', secret).update(`${iisId}\u0000${recipId}`).digest('hex').slice(0, 32);
}

/**
 * The CDC vax_event_id: sites choose their own event IDs, so two sites can use the same one (CDC would reject
 * the second as a duplicate), and some build them from chart numbers. A keyed hash of site and ID is unique
 * statewide, stable across days (so a change or delete finds its record) and says nothing about the patient.
 */
export function cdcEventId(secret: string, iisId: string, eventId: string): string {
  return createHmac('sha256', secret)
    .update(`event\u0000${iisId}\u0000${eventId}`)
    .digest('hex')
    .slice(0, 32);
}

/** Tabs and line breaks inside values would break the file: CDC asks for spaces. */
const clean = (v: string) => v.replace(/[\t\r\n]+/g, ' ');

/** One dose as a CVRS record: the values in spec order. */
export function cvrsRecord(dose: Partial<Dose>, secret: string): string[] {
  const refusal = dose.vax_refusal === 'YES';
  return CVRS_FIELDS.map((field: CvrsField) => {
    if (field === 'ext_type') return 'D';
    if (field === 'pprl_id') return '';
    if (field === 'vax_event_id') return cdcEventId(secret, dose.iis_id ?? '', dose.vax_event_id ?? '');
    if (field === 'recip_id') return cdcRecipientId(secret, dose.iis_id ?? '', dose.recip_id ?? '');
    if (REDACT.has(field)) return REDACTED;
    if (refusal && EMPTY_FOR_REFUSAL.has(field)) return '';
    return cdcSpelling(field, clean(dose[field] ?? ''));
  });
}

const LATER_RACES: ReadonlySet<string> = new Set(RACE_FIELDS.slice(1));

/**
 * The same value as CDC's value sets spell it, where ours take another spelling: an HL7 route becomes its
 * NCIt equivalent (ID → C38238), and UNK or POL in a second to sixth race, which CDC's RACE set lacks and which
 * say nothing the first race does not, is left out.
 */
function cdcSpelling(field: CvrsField, value: string): string {
  if (value === '') return value;
  if (field === 'vax_route') {
    const entry = codes.route(value);
    const equivalent = entry?.cvrs === false && entry.equivalent ? codes.route(entry.equivalent) : undefined;
    return equivalent?.cvrs ? equivalent.code : value;
  }
  if (LATER_RACES.has(field) && (value === 'UNK' || value === 'POL')) return '';
  return value;
}

export const CVRS_HEADER = CVRS_FIELDS.join('\t');

/** One record as a line of the file (values are tab-free: cvrsRecord cleans them). */
export const cvrsLine = (record: readonly string[]) => record.join('\t');

/** The file's text: the header of variable names, then one line per record (given as values or a line). */
export function cvrsFileText(records: readonly (string | readonly string[])[]): string {
  return `${CVRS_HEADER}\n${records.map((r) => `${typeof r === 'string' ? r : cvrsLine(r)}\n`).join('')}`;
}

/** `yyyymmdd_NN_AAA.txt`: report date, sequence of the day (01…), submitter code (three letters ending in A). */
export function cvrsFileName(reportDate: string, sequence: number, submitter: string): string {
  if (!/^[A-Z]{2}A$/.test(submitter))
    throw new Error(`Submitter code ${submitter} must be three letters ending in A`);
  if (sequence < 1 || sequence > 99) throw new Error(`File sequence ${sequence} must be 1–99`);
  return `${reportDate.replaceAll('-', '')}_${String(sequence).padStart(2, '0')}_${submitter}.txt`;
}

/** Splits records into files of at most MAX_RECORDS_PER_FILE. */
export function splitIntoFiles<T>(records: readonly T[], max = MAX_RECORDS_PER_FILE): T[][] {
  const files: T[][] = [];
  for (let i = 0; i < records.length; i += max) files.push(records.slice(i, i + max));
  return files;
}
