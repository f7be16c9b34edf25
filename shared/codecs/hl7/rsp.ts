/**
 * Answers an IIS query (QBP^Q11) with RSP^K11, CDC IG R1.5: Z32 (complete history) for a Z34 query, Z42
 * (evaluated history and forecast) for a Z44 one, Z33 (no person records) when nobody matched (QAK-2 NF), too
 * many people did (TM), or the query could not be answered (AE/AR with ERR segments).
 *
 * The guide's Z31 (a list of candidate clients) is deliberately never sent: a list would disclose other people's
 * names, dates of birth and addresses to whoever asked, so several possible matches are answered TM and the
 * sender narrows its query (a patient ID, ZIP) instead.
 *
 * Every value passes through the generic writer (message.ts), which escapes it at the leaf.
 */
import type { Demographics, Forecast, RecordDose } from '#persons/types.ts';
import { echoable } from './ack.ts';
import { cvxCoded, INFORMATION_SOURCE, mvxCoded, NO_UNITS, ndcCoded, sexForHl7 } from './codes.ts';
import { toHl7Date, toHl7Timestamp } from './dates.ts';
import { errSegment, type Hl7Error, MESSAGE_LEVEL_CODES } from './errors.ts';
import { formatMessage, parseSegment, put, type Segment, segment } from './message.ts';
import { echoableSegment, type QbpHeader, type QbpProfile, QUERY_NAMES } from './qbp.ts';

/** What the answer needs of the query; a `ParsedQbp` is one, and so is the header of a query that failed. */
export interface RspQuery {
  header: Pick<QbpHeader, 'messageControlId'> & Partial<QbpHeader>;
  /** Undefined when the query failed before its profile was known (the answer is then a Z33). */
  profile?: QbpProfile;
  queryTag?: string;
  /** The query's QPD, echoed after QAK. */
  qpdText?: string;
  /** Problems that did not stop the query: sent as ERR segments (severity W) with MSA-1 AE, QAK-2 as found. */
  warnings?: readonly Hl7Error[];
}

/** The consolidated person's own identifying data (the record's, never the query's), for PID. */
export type RspDemographics = Pick<
  Demographics,
  'first' | 'middle' | 'last' | 'dob' | 'sex' | 'street' | 'city' | 'state' | 'zip'
>;

export interface RspPerson {
  /** The pipeline's person ID, PID-3.1 with type SR (the registry's own identifier). */
  person_id: string;
  demographics: RspDemographics;
  doses: readonly RecordDose[];
  /** Z42 only; without it a Z42 carries the evaluated history and no forecast block. */
  forecast?: Forecast;
}

export type RspAnswer =
  | { kind: 'record'; person: RspPerson }
  | { kind: 'none' }
  | { kind: 'too-many' }
  | { kind: 'error'; errors: readonly Hl7Error[] };

export interface RspInput {
  query: RspQuery;
  answer: RspAnswer;
  /** MSH-10 of the answer. */
  controlId: string;
  sentAt: Date;
  /** Zone of MSH-7 and of the forecast's "as of" date; California by default. */
  timeZone?: string;
  /** PID-3.4 (HD.1): who assigned the person ID. */
  assigningAuthority?: string;
  /** MSH-3/MSH-4 when the query named no receiver (ours). */
  sendingApplication?: string;
  sendingFacility?: string;
}

export type RspProfile = 'Z32' | 'Z42' | 'Z33';
export type QueryStatus = 'OK' | 'NF' | 'TM' | 'AE' | 'AR';

export const DEFAULT_ASSIGNING_AUTHORITY = 'CAPIPELINE';

/** LOINC questions of the evaluation and forecast OBX (CDC IG R1.5 Z42; names as IIS answers write them). */
export const RSP_OBSERVATIONS = {
  vaccineType: ['30956-7', 'Vaccine Type', 'LN'],
  scheduleUsed: ['59779-9', 'Immunization Schedule Used', 'LN'],
  doseNumber: ['30973-2', 'Dose Number in Series', 'LN'],
  doseValidity: ['59781-5', 'Dose Validity', 'LN'],
  reason: ['30982-3', 'Reason Code', 'LN'],
  vaccineDueNext: ['30979-9', 'Vaccines Due Next', 'LN'],
  nextDoseNumber: ['30973-2', 'Vaccine Due Next Dose Number', 'LN'],
  earliest: ['30981-5', 'Earliest Date Dose Should Be Given', 'LN'],
  due: ['30980-7', 'Date Vaccine Due', 'LN'],
  overdue: ['59778-1', 'Date Dose Is Overdue', 'LN'],
  seriesStatus: ['59783-1', 'Status in Immunization Series', 'LN'],
} as const;

/** ACIP schedule (CDC PHIN VS immunization schedule identifiers): the series rules follow ACIP's. */
const ACIP_SCHEDULE = ['VXC16', 'ACIP', 'CDCPHINVS'] as const;
/** The COVID-19 vaccine group: 30956-7 names the group evaluated and forecast, not the product. */
const COVID_19_GROUP = '213';
/** LOINC answers of 59783-1 (the ones readYesNoUnk in codes.ts reads back). */
const SERIES_STATUS: Readonly<Record<Forecast['status'], readonly [string, string, string] | undefined>> = {
  complete: ['LA13421-5', 'Complete', 'LN'],
  due: ['LA13422-3', 'On schedule', 'LN'],
  not_yet_due: ['LA13422-3', 'On schedule', 'LN'],
  overdue: ['LA13423-1', 'Overdue', 'LN'],
  // No LOINC answer says "not started"; the dates that follow say what is due.
  not_started: undefined,
};
const NO_VACCINE = ['998', 'No vaccine administered', 'CVX'] as const;

export function buildRsp(input: RspInput): string {
  const { query, answer } = input;
  if (answer.kind === 'record' && query.profile === undefined) {
    throw new RangeError('A record answers a Z34 or Z44 query: the query has no profile.');
  }
  const rspProfile: RspProfile = answer.kind !== 'record' ? 'Z33' : query.profile === 'Z44' ? 'Z42' : 'Z32';
  const errors = answer.kind === 'error' ? answer.errors : (query.warnings ?? []);
  const status = queryStatus(answer);
  const msaCode = answer.kind === 'error' ? (status as 'AE' | 'AR') : errors.length > 0 ? 'AE' : 'AA';

  const h = query.header;
  const e = echoable;
  const msh = segment('MSH', [
    e(h.receivingApplication) || input.sendingApplication,
    e(h.receivingFacility) || input.sendingFacility,
    e(h.sendingApplication),
    e(h.sendingFacility),
    toHl7Timestamp(input.sentAt, input.timeZone),
    undefined,
    ['RSP', 'K11', 'RSP_K11'],
    input.controlId,
    // Echoed, so a test query is answered as a test; one that named no usable ID is answered as P.
    h.processingId === 'T' ? 'T' : 'P',
    '2.5.1',
    undefined,
    undefined,
    'NE',
    'NE',
    undefined,
    undefined,
    undefined,
    undefined,
    [rspProfile, 'CDCPHINVS'],
  ]);
  const msa = segment('MSA', [msaCode, echoable(h.messageControlId)]);
  const qpd = query.qpdText ? echoableSegment(parseSegment(query.qpdText.split(/[\r\n]/, 1)[0]!)) : undefined;
  const queryName = query.profile
    ? QUERY_NAMES[query.profile]
    : qpd?.id === 'QPD'
      ? qpd.fields[0]?.[0]
      : undefined;
  const qak = segment('QAK', [
    query.queryTag === undefined ? undefined : echoable(query.queryTag),
    status,
    queryName,
  ]);

  const segments: Segment[] = [msh, msa, ...errors.map(errSegment), qak];
  if (qpd?.id === 'QPD') segments.push(qpd);
  if (answer.kind === 'record') {
    const asOf = toHl7Timestamp(input.sentAt, input.timeZone).slice(0, 8);
    segments.push(...record(answer.person, rspProfile === 'Z42', asOf, input.assigningAuthority));
  }
  return formatMessage(segments);
}

/** QAK-2: OK with the record, NF nobody, TM too many to tell apart, AE/AR as MSA-1 for a failed query. */
function queryStatus(answer: RspAnswer): QueryStatus {
  switch (answer.kind) {
    case 'record':
      return 'OK';
    case 'none':
      return 'NF';
    case 'too-many':
      return 'TM';
    case 'error': {
      // The envelope itself unusable (type, version, processing ID, profile, our fault): nothing was read.
      const rejected = answer.errors.some(
        (x) => x.severity === 'E' && (MESSAGE_LEVEL_CODES.has(x.code) || x.location.startsWith('MSH^')),
      );
      return rejected ? 'AR' : 'AE';
    }
  }
}

function record(person: RspPerson, evaluated: boolean, asOf: string, authority?: string): Segment[] {
  const out: Segment[] = [pid(person, authority)];
  for (const dose of person.doses) {
    out.push(...doseSegments(dose, evaluated));
  }
  if (evaluated && person.forecast) out.push(...forecastSegments(person.forecast, asOf, authority));
  return out;
}

function pid(person: RspPerson, authority = DEFAULT_ASSIGNING_AUTHORITY): Segment {
  const d = person.demographics;
  const p = segment('PID', ['1', undefined, [person.person_id, undefined, undefined, authority, 'SR']]);
  put(p, '5.1', d.last);
  put(p, '5.2', d.first);
  put(p, '5.3', d.middle);
  put(p, '5.7', 'L');
  put(p, '7', toHl7Date(d.dob));
  if (d.sex) put(p, '8', sexForHl7(d.sex));
  if (d.street || d.city || d.state || d.zip) {
    put(p, '11.1', d.street);
    put(p, '11.3', d.city);
    put(p, '11.4', d.state);
    put(p, '11.5', d.zip);
    put(p, '11.6', 'USA');
    put(p, '11.7', 'P');
  }
  return p;
}

/** ORC + RXA of one dose, and for Z42 its evaluation OBX; a refusal is listed but not evaluated. */
function doseSegments(dose: RecordDose, evaluated: boolean): Segment[] {
  // ORC-3 is an EI: the site's own event ID, namespaced by the site that reported it.
  const orc = segment('ORC', ['RE', undefined, [dose.vax_event_id, dose.iis_id]]);
  if (dose.refusal) {
    // As a VXU writes a refusal (IZ-45): ORC-3.1 9999, the site's ID of it in ORC-2.
    put(orc, '2.1', dose.vax_event_id);
    put(orc, '2.2', dose.iis_id);
    put(orc, '3.1', '9999');
  }
  const date = toHl7Date(dose.admin_date);
  const rxa = segment('RXA', ['0', '1', date, date]);
  if (dose.cvx) putCoded(rxa, '5', cvxCoded(dose.cvx));
  if (dose.ndc && !dose.refusal) putCoded(rxa, '5', ndcCoded(dose.ndc), dose.cvx ? 4 : 1);
  // The amount given is not part of the consolidated record: 999 is the guide's "unknown amount".
  put(rxa, '6', '999');
  if (!dose.refusal) {
    const source = dose.historical ? '01' : '00';
    putCoded(rxa, '9', [source, INFORMATION_SOURCE[source] ?? '', 'NIP001']);
  }
  put(rxa, '11.4', dose.iis_id);
  if (!dose.refusal) {
    put(rxa, '15', dose.lot_number);
    if (dose.mvx) putCoded(rxa, '17', mvxCoded(dose.mvx));
  }
  put(rxa, '20', dose.refusal ? 'RE' : 'CP');
  put(rxa, '21', 'A');
  const out = [orc, rxa];
  if (evaluated && !dose.refusal) out.push(...evaluation(dose));
  return out;
}

/**
 * The evaluation of one dose (Z42), as IIS answers carry it: vaccine group, validity, the dose's place in the
 * series when valid, the reason when not, and the schedule. One observation group: OBX-4 sub-ID 1 on every OBX.
 */
function evaluation(dose: RecordDose): Segment[] {
  const obs = observations('1');
  const ev = dose.evaluation;
  obs.add('CE', RSP_OBSERVATIONS.vaccineType, cvxCoded(COVID_19_GROUP));
  obs.add('ID', RSP_OBSERVATIONS.doseValidity, ev.valid ? 'Y' : 'N');
  if (ev.valid && ev.series_dose !== undefined) {
    obs.add('NM', RSP_OBSERVATIONS.doseNumber, String(ev.series_dose), NO_UNITS);
  }
  if (!ev.valid && ev.reason) obs.add('ST', RSP_OBSERVATIONS.reason, ev.reason);
  obs.add('CE', RSP_OBSERVATIONS.scheduleUsed, ACIP_SCHEDULE);
  return obs.segments;
}

/**
 * The forecast (Z42): a "no vaccine administered" RXA (CVX 998, RXA-20 NA) dated the day of the answer, under an
 * ORC whose filler order number is 9999, carrying the forecast OBX. A complete series says so in 59783-1 and has
 * no due dates: nothing is due.
 */
function forecastSegments(f: Forecast, asOf: string, authority = DEFAULT_ASSIGNING_AUTHORITY): Segment[] {
  const orc = segment('ORC', ['RE', undefined, ['9999', authority]]);
  const rxa = segment('RXA', ['0', '1', asOf, asOf, NO_VACCINE, '999']);
  put(rxa, '20', 'NA');
  const obs = observations('1');
  obs.add('CE', RSP_OBSERVATIONS.vaccineType, cvxCoded(COVID_19_GROUP));
  const status = SERIES_STATUS[f.status];
  if (status) obs.add('CE', RSP_OBSERVATIONS.seriesStatus, status);
  if (f.status !== 'complete') {
    if (f.cvx) obs.add('CE', RSP_OBSERVATIONS.vaccineDueNext, cvxCoded(f.cvx));
    if (f.next_dose !== undefined) {
      obs.add('NM', RSP_OBSERVATIONS.nextDoseNumber, String(f.next_dose), NO_UNITS);
    }
    if (f.earliest) obs.add('DT', RSP_OBSERVATIONS.earliest, toHl7Date(f.earliest));
    if (f.due) obs.add('DT', RSP_OBSERVATIONS.due, toHl7Date(f.due));
    // 59778-1 is the first day the dose is overdue; the forecast gives the last day it is not.
    if (f.overdue_after) obs.add('DT', RSP_OBSERVATIONS.overdue, toHl7Date(nextDay(f.overdue_after)));
  }
  obs.add('CE', RSP_OBSERVATIONS.scheduleUsed, ACIP_SCHEDULE);
  return [orc, rxa, ...obs.segments];
}

/** OBX under one RXA: OBX-1 counts from 1 within the order group, OBX-4 is the observation group. */
function observations(subId: string) {
  const segments: Segment[] = [];
  const add = (
    type: string,
    question: readonly string[],
    answer: string | readonly string[],
    units?: readonly string[],
  ) => {
    const obx = segment('OBX', [String(segments.length + 1), type, question, subId]);
    if (typeof answer === 'string') put(obx, '5', answer);
    else putCoded(obx, '5', answer);
    if (units) putCoded(obx, '6', units);
    put(obx, '11', 'F');
    segments.push(obx);
  };
  return { segments, add };
}

function putCoded(target: Segment, at: string, coded: readonly string[], firstComponent = 1): void {
  for (const [i, v] of coded.entries()) put(target, `${at}.${firstComponent + i}`, v);
}

/** `2021-04-07` → `2021-04-08`, across months and years. */
function nextDay(iso: string): string {
  const [y, m, d] = iso.split('-').map(Number);
  return new Date(Date.UTC(y!, m! - 1, d! + 1)).toISOString().slice(0, 10);
}
