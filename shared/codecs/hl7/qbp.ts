/**
 * Reads an IIS query, QBP^Q11 (CDC IG R1.5): profile Z34 (complete immunization history) or Z44 (evaluated
 * history and forecast), into the `PersonQuery` a person search takes. Field positions follow NIST's Z44
 * conformance profile (QPD-3 patient IDs … QPD-9 phone, RCP-2 quantity limit); Z34 shares the QPD layout.
 * It never throws: what cannot be read becomes an `Hl7Error` at its location, for the ERR segments of the
 * Z33 answer. No error text repeats a value of the query: names, dates of birth and IDs are personal data.
 */

import type { PersonQuery } from '#persons/types.ts';
import { shown } from '#platform/findings.ts';
import { echoable } from './ack.ts';
import { fromHl7Date } from './dates.ts';
import { errorLocation, type Hl7Error, type Hl7Severity, hl7Error } from './errors.ts';
import {
  componentOf,
  formatSegment,
  type Message,
  parseMessage,
  type Repetition,
  repetitions,
  type Segment,
  value,
} from './message.ts';

export type QbpProfile = 'Z34' | 'Z44';
export type QbpError = Hl7Error;

/** QPD-1 (HL7 table 0471 as the guide constrains it) for each query profile. */
export const QUERY_NAMES: Readonly<Record<QbpProfile, readonly [string, string, string]>> = {
  Z34: ['Z34', 'Request Immunization History', 'CDCPHINVS'],
  Z44: ['Z44', 'Request Evaluated History and Forecast', 'CDCPHINVS'],
};

/** What an answer needs from the query's header; every value is already fit to be echoed (see `echoable`). */
export interface QbpHeader {
  messageControlId: string;
  sendingApplication: string;
  sendingFacility: string;
  receivingApplication: string;
  receivingFacility: string;
  /** `P` or `T` as sent (anything else was an error; the answer then says P). */
  processingId: string;
  version: string;
  /** MSH-21.1 of every repetition, as sent. */
  profiles: string[];
}

export interface ParsedQbp {
  header: QbpHeader;
  profile: QbpProfile;
  /** QPD-2, echoed in QAK-1 and in the answer's QPD. */
  queryTag: string;
  query: PersonQuery;
  /**
   * The MR identifier of QPD-3, when one was sent. Its assigning authority is the sender's word only: the site
   * the patient ID belongs to is the authenticated one (pass `iisId`), so the query gets `site_patient` only then.
   */
  patientId?: { recip_id: string; assigningAuthority?: string; assigningFacility?: string };
  /** RCP-2 (CQ with unit RD, records): how many people the sender will take. */
  quantityLimit: number;
  /** The QPD segment, rewritten with the standard delimiters (`|^~\&`), for the answer to echo. */
  qpdText: string;
  /** Problems that did not stop the query (a sex code not in the table, an unreadable ZIP): severity W. */
  warnings: QbpError[];
}

export type QbpResult =
  | { ok: true; query: ParsedQbp }
  | {
      ok: false;
      errors: QbpError[];
      /** Present whenever MSH could be read, so the error answer reaches the sender with its control ID. */
      header?: QbpHeader;
      /** QPD-2 and the QPD as read, when there was a QPD: the error answer echoes them as the guide's Z33 does. */
      queryTag?: string;
      qpdText?: string;
    };

export interface ParseQbpOptions {
  /** The authenticated site's CAIR Org Code: an MR patient ID in QPD-3 is that site's own. */
  iisId?: string;
}

/** RCP-2 when the sender leaves it out (the profile requires it; the guide's examples ask for 10 or fewer). */
export const DEFAULT_QUANTITY_LIMIT = 10;
/** The largest RCP-2 taken as asked: a candidate list is never sent, so a larger one changes nothing. */
const MAX_QUANTITY_LIMIT = 100;
/** Longest name, street or ID a query takes, as the JSON search (shared/persons/api-input.ts). */
const MAX_TEXT = 100;
/** QPD-2 is ST of at most 32 characters in the profile. */
const QUERY_TAG_MAX = 32;
/** HL7 0001 as the IZ profiles bind it, with X, which the JSON search also takes; U means unknown (dropped). */
const SEXES: ReadonlySet<string> = new Set(['F', 'M', 'X', 'U']);

export function parseQbp(text: string, options: ParseQbpOptions = {}): QbpResult {
  let message: Message;
  try {
    message = parseMessage(text);
  } catch (err) {
    return { ok: false, errors: [hl7Error('MSH^1', '100', 'E', (err as Error).message)] };
  }
  let header: QbpHeader | undefined;
  try {
    header = readHeader(message.segments[0]!);
    return readQuery(message, header, options);
  } catch {
    // Reading is written not to throw; if it does, the sender learns that the fault is ours, not its query's.
    return {
      ok: false,
      errors: [
        hl7Error(
          'MSH^1',
          '207',
          'E',
          'The query could not be processed because of an internal error. Send it again later.',
        ),
      ],
      ...(header ? { header } : {}),
    };
  }
}

function readHeader(msh: Segment): QbpHeader {
  return {
    messageControlId: echoable(clean(value(msh, 10))),
    sendingApplication: echoable(clean(value(msh, 3))),
    sendingFacility: echoable(clean(value(msh, 4))),
    receivingApplication: echoable(clean(value(msh, 5))),
    receivingFacility: echoable(clean(value(msh, 6))),
    processingId: echoable(clean(value(msh, 11))),
    version: echoable(clean(value(msh, 12))),
    profiles: repetitions(msh, 21).map((rep) => echoable(clean(componentOf(rep, 1)).toUpperCase())),
  };
}

function readQuery(message: Message, header: QbpHeader, options: ParseQbpOptions): QbpResult {
  const errors: QbpError[] = [];
  const msh = message.segments[0]!;
  const err = (location: string, code: string, severity: Hl7Severity, text: string) =>
    errors.push(hl7Error(location, code, severity, text));
  const mshAt = (field: number) => errorLocation('MSH', 1, field);

  const type = clean(value(msh, 9, 1)).toUpperCase();
  const event = clean(value(msh, 9, 2)).toUpperCase();
  const structure = clean(value(msh, 9, 3)).toUpperCase();
  if (type !== 'QBP') {
    err(
      mshAt(9),
      '200',
      'E',
      `MSH-9 message type "${shown(type)}" is not supported here; send QBP^Q11^QBP_Q11.`,
    );
    return { ok: false, errors, header };
  }
  if (event !== 'Q11') {
    err(mshAt(9), '201', 'E', `MSH-9 event "${shown(event)}" is not supported here; send QBP^Q11^QBP_Q11.`);
    return { ok: false, errors, header };
  }
  if (structure !== '' && structure !== 'QBP_Q11') {
    err(mshAt(9), '200', 'E', `MSH-9 structure "${shown(structure)}" is not QBP_Q11; send QBP^Q11^QBP_Q11.`);
  }
  if (header.messageControlId === '') {
    err(mshAt(10), '101', 'E', 'MSH-10 (message control ID) is empty; every message needs a unique one.');
  }
  if (header.processingId !== 'P' && header.processingId !== 'T') {
    err(
      mshAt(11),
      '202',
      'E',
      `MSH-11 processing ID "${shown(header.processingId)}" is not supported; use P (production) or T (test).`,
    );
  }
  if (header.version !== '2.5.1') {
    err(mshAt(12), '203', 'E', `MSH-12 version "${shown(header.version)}" is not supported; send 2.5.1.`);
  }
  const mshProfile = header.profiles.find((p): p is QbpProfile => p === 'Z34' || p === 'Z44');
  if (header.profiles.length === 0) {
    err(mshAt(21), '101', 'E', 'MSH-21 (message profile) is empty; send Z34^CDCPHINVS or Z44^CDCPHINVS.');
  } else if (mshProfile === undefined) {
    err(
      mshAt(21),
      '200',
      'E',
      `MSH-21 profile "${shown(header.profiles.join(', '))}" is not supported; send Z34^CDCPHINVS or Z44^CDCPHINVS.`,
    );
  }

  const qpds = message.segments.filter((s) => s.id === 'QPD');
  const qpd = qpds[0];
  if (qpd === undefined) {
    err('QPD^1', '100', 'E', 'The message has no QPD: it does not say whom it asks about.');
    return { ok: false, errors, header };
  }
  if (qpds.length > 1) err('QPD^2', '100', 'E', 'A second QPD: a query asks about one person.');

  const at = (field: number, component?: number) => errorLocation('QPD', 1, field, component);
  const queryName = clean(value(qpd, 1, 1)).toUpperCase();
  let profile: QbpProfile | undefined;
  if (queryName === '') err(at(1), '101', 'E', 'QPD-1 (message query name) is empty; send Z34 or Z44.');
  else if (queryName !== 'Z34' && queryName !== 'Z44') {
    err(at(1, 1), '103', 'E', `QPD-1 query name "${shown(queryName)}" is not Z34 or Z44.`);
  } else if (mshProfile !== undefined && mshProfile !== queryName) {
    err(at(1, 1), '103', 'E', `QPD-1 asks for ${queryName} but MSH-21 names ${mshProfile}; they must agree.`);
  } else profile = queryName;

  const queryTag = echoable(clean(value(qpd, 2)));
  if (queryTag === '') err(at(2), '101', 'E', 'QPD-2 (query tag) is empty; the answer returns it in QAK-1.');
  else if (queryTag.length > QUERY_TAG_MAX) {
    err(at(2), '102', 'E', `QPD-2 (query tag) is longer than ${QUERY_TAG_MAX} characters.`);
  }

  const warnings: QbpError[] = [];
  const person = readPerson(qpd, errors, warnings);
  const patientId = readPatientId(qpd);
  const quantityLimit = readQuantityLimit(message, warnings);

  if (errors.length > 0 || profile === undefined || person === undefined) {
    return {
      ok: false,
      errors: [...errors, ...warnings],
      header,
      ...(queryTag ? { queryTag } : {}),
      qpdText: formatSegment(echoableSegment(qpd)),
    };
  }
  const query: PersonQuery = { ...person };
  if (patientId && options.iisId)
    query.site_patient = { iis_id: options.iisId, recip_id: patientId.recip_id };
  return {
    ok: true,
    query: {
      header,
      profile,
      queryTag,
      query,
      ...(patientId ? { patientId } : {}),
      quantityLimit,
      qpdText: formatSegment(echoableSegment(qpd)),
      warnings,
    },
  };
}

/** QPD-4 … QPD-9 into a search; undefined when a required part (names, DOB) is missing or unreadable. */
function readPerson(qpd: Segment, errors: QbpError[], warnings: QbpError[]): PersonQuery | undefined {
  const at = (field: number, component?: number) => errorLocation('QPD', 1, field, component);
  const fail = (location: string, code: string, text: string) =>
    errors.push(hl7Error(location, code, 'E', text));
  const warn = (location: string, code: string, text: string) =>
    warnings.push(hl7Error(location, code, 'W', text));
  /** A text value, or undefined with an error when it is longer than any real one (never quoted). */
  const text = (v: string, location: string, name: string): string | undefined => {
    const t = clean(v);
    if (t.length > MAX_TEXT) {
      fail(location, '102', `${name} is longer than ${MAX_TEXT} characters.`);
      return undefined;
    }
    return t || undefined;
  };

  const last = text(value(qpd, 4, 1), at(4, 1), 'QPD-4.1 (last name)');
  const first = text(value(qpd, 4, 2), at(4, 2), 'QPD-4.2 (first name)');
  const middle = text(value(qpd, 4, 3), at(4, 3), 'QPD-4.3 (middle name)');
  if (clean(value(qpd, 4, 1)) === '') fail(at(4, 1), '101', 'QPD-4.1 (last name) is empty.');
  if (clean(value(qpd, 4, 2)) === '') fail(at(4, 2), '101', 'QPD-4.2 (first name) is empty.');
  const mother = text(value(qpd, 5, 1), at(5, 1), "QPD-5.1 (mother's maiden name)");

  const dobRaw = clean(value(qpd, 6, 1));
  const dob = dobRaw === '' ? undefined : fromHl7Date(dobRaw);
  if (dobRaw === '') fail(at(6), '101', 'QPD-6 (date of birth) is empty.');
  else if (dob === undefined) fail(at(6), '102', 'QPD-6 (date of birth) is not a date; write it YYYYMMDD.');

  const sexRaw = clean(value(qpd, 7, 1)).toUpperCase();
  let sex: string | undefined;
  if (SEXES.has(sexRaw)) sex = sexRaw === 'U' ? undefined : sexRaw;
  else if (sexRaw !== '') {
    warn(
      at(7),
      '103',
      `QPD-7 sex "${shown(sexRaw.slice(0, 3))}" is not F, M or U; the search goes on without it.`,
    );
  }

  const street = text(value(qpd, 8, 1, 1), at(8, 1), 'QPD-8.1 (street)');
  const city = text(value(qpd, 8, 3), at(8, 3), 'QPD-8.3 (city)');
  const state = text(value(qpd, 8, 4), at(8, 4), 'QPD-8.4 (state)')?.toUpperCase();
  const zipRaw = clean(value(qpd, 8, 5));
  let zip: string | undefined;
  if (/^\d{5}(-?\d{4})?$/.test(zipRaw)) zip = zipRaw.slice(0, 5);
  else if (zipRaw !== '') {
    warn(at(8, 5), '102', 'QPD-8.5 (ZIP code) is not 5 digits or ZIP+4; the search goes on without it.');
  }
  const phone = readPhone(qpd, warn);

  if (!last || !first || !dob) return undefined;
  return {
    first,
    last,
    dob,
    ...(middle ? { middle } : {}),
    ...(sex ? { sex } : {}),
    ...(zip ? { zip } : {}),
    ...(street ? { street } : {}),
    ...(city ? { city } : {}),
    ...(state ? { state } : {}),
    ...(phone ? { phone } : {}),
    ...(mother ? { mother_maiden_last: mother } : {}),
  };
}

/**
 * QPD-9 (XTN_IZ): area code XTN.6 and local number XTN.7, as the profile wants them; XTN.1 (usage X there, but
 * still what many senders fill) when those are empty. Kept as its digits, 10 of them for a US number.
 */
function readPhone(
  qpd: Segment,
  warn: (location: string, code: string, text: string) => void,
): string | undefined {
  const rep = repetitions(qpd, 9)[0];
  if (rep === undefined) return undefined;
  const split = clean(componentOf(rep, 6)) + clean(componentOf(rep, 7));
  const raw = split || clean(componentOf(rep, 1));
  const digits = raw.replace(/\D/g, '');
  const national = digits.length === 11 && digits.startsWith('1') ? digits.slice(1) : digits;
  if (national.length === 10 || national.length === 7) return national;
  if (raw !== '') {
    warn(
      errorLocation('QPD', 1, 9),
      '102',
      'QPD-9 (phone) is not a 7 or 10 digit number; the search goes on without it.',
    );
  }
  return undefined;
}

/** The MR repetition of QPD-3 (the sender's own patient ID); other types (SR, PI, MA …) are not a site's ID. */
function readPatientId(qpd: Segment): ParsedQbp['patientId'] {
  const mr = repetitions(qpd, 3).find((rep: Repetition) => clean(componentOf(rep, 5)).toUpperCase() === 'MR');
  const id = clean(componentOf(mr, 1));
  if (mr === undefined || id === '' || id.length > MAX_TEXT) return undefined;
  const authority = clean(componentOf(mr, 4));
  const facility = clean(componentOf(mr, 6));
  return {
    recip_id: id,
    ...(authority ? { assigningAuthority: authority.slice(0, MAX_TEXT) } : {}),
    ...(facility ? { assigningFacility: facility.slice(0, MAX_TEXT) } : {}),
  };
}

/** RCP-2.1; a missing or unreadable one is the default (a warning, since the profile requires it). */
function readQuantityLimit(message: Message, warnings: QbpError[]): number {
  const rcp = message.segments.find((s) => s.id === 'RCP');
  const raw = clean(value(rcp, 2, 1));
  const n = /^\d{1,6}$/.test(raw) ? Number(raw) : Number.NaN;
  if (Number.isInteger(n) && n >= 1) return Math.min(n, MAX_QUANTITY_LIMIT);
  const location = rcp ? errorLocation('RCP', 1, 2) : 'RCP^1';
  warnings.push(
    hl7Error(
      location,
      raw === '' ? '101' : '102',
      'W',
      `RCP-2 (quantity limit) is ${raw === '' ? 'empty' : 'not a whole number of records'}; ${DEFAULT_QUANTITY_LIMIT} is used.`,
    ),
  );
  return DEFAULT_QUANTITY_LIMIT;
}

/** Every value of a segment made `echoable`, for the QPD the answer repeats. */
export function echoableSegment(seg: Segment): Segment {
  return {
    id: seg.id,
    fields: seg.fields.map((f) => f.map((rep) => rep.map((comp) => comp.map((sub) => echoable(sub))))),
  };
}

/** Trimmed; HL7's explicit null `""` counts as empty (a query has nothing to clear). */
function clean(v: string): string {
  const t = v.trim();
  return t === '""' ? '' : t;
}
