/**
 * Reads a VXU^V04 into doses, the way registries read what EHRs send: every ORC/RXA group is one dose sharing the
 * PID, and whatever cannot be read becomes an `Hl7Error` at its HL7 location, ready for an ACK's ERR segments.
 */

import { type Dose, RACE_FIELDS } from '#doses/fields.ts';
import { shown } from '#platform/findings.ts';
import { adminType, ndc as ndcEntry } from '../codesets/index.ts';
import { normalizeNdc } from '../codesets/ndc.ts';
import { readYesNoUnk } from './codes.ts';
import { fromHl7Date, fromHl7Timestamp } from './dates.ts';
import { errorLocation, type Hl7Error, type Hl7Severity, hl7Error } from './errors.ts';
import { FUNDING_SOURCE_QUESTION, OBSERVATIONS, PLACEMENTS, VFC_ELIGIBILITY_QUESTION } from './mapping.ts';
import {
  componentOf,
  type Message,
  parseMessage,
  parsePath,
  type Repetition,
  repetitions,
  type Segment,
  value,
} from './message.ts';
import { type Action, PROFILE } from './vxu-types.ts';

export interface ParsedDose {
  dose: Partial<Dose>;
  action: Action;
  /** Which RXA of the message (1-based), as in `RXA^n^…` error locations. */
  rxaIndex: number;
  /**
   * The errors found in this dose's own ORC/RXA/RXR/OBX group (also in the message's list). Errors on MSH or PID
   * are in the message's list only: they concern every dose of the message.
   */
  errors: Hl7Error[];
  informationSource?: string;
  refusalReason?: string;
  vfcEligibility?: string;
  fundingSource?: string;
  administeredAmount?: string;
}

export interface ParsedVxu {
  messageControlId: string;
  sendingApplication: string;
  sendingFacility: string;
  receivingApplication: string;
  receivingFacility: string;
  responsibleOrg: string;
  processingId: string;
  sentAt?: Date;
  doses: ParsedDose[];
  errors: Hl7Error[];
}

interface Group {
  orc?: { segment: Segment; seq: number };
  rxa: Segment;
  rxaSeq: number;
  rxr?: { segment: Segment; seq: number };
  obx: { segment: Segment; seq: number }[];
}

/** Dates a dose cannot be recorded without; any other unreadable date is dropped with a warning. */
const REQUIRED_DATES: ReadonlySet<string> = new Set(['recip_dob', 'admin_date']);

/**
 * Reads a VXU^V04 into its doses: every ORC/RXA group becomes one dose sharing the PID. It never throws: what it
 * cannot read becomes an `Hl7Error` at its HL7 location, ready for an ACK's ERR segments.
 */
export function parseVxu(text: string): ParsedVxu {
  const out: ParsedVxu = {
    messageControlId: '',
    sendingApplication: '',
    sendingFacility: '',
    receivingApplication: '',
    receivingFacility: '',
    responsibleOrg: '',
    processingId: '',
    doses: [],
    errors: [],
  };
  let message: Message;
  try {
    message = parseMessage(text);
  } catch (err) {
    out.errors.push(hl7Error('MSH^1', '100', 'E', (err as Error).message));
    return out;
  }
  try {
    readMessage(message, out);
  } catch {
    // Reading is written not to throw; if it does, the sender learns that it is our fault, not its message's.
    out.doses = [];
    out.errors.push(
      hl7Error(
        'MSH^1',
        '207',
        'E',
        'The message could not be processed because of an internal error. Send it again later.',
      ),
    );
  }
  return out;
}

function readMessage(message: Message, out: ParsedVxu): void {
  const msh = message.segments[0]!;
  out.sendingApplication = clean(value(msh, 3));
  out.sendingFacility = clean(value(msh, 4));
  out.receivingApplication = clean(value(msh, 5));
  out.receivingFacility = clean(value(msh, 6));
  out.sentAt = fromHl7Timestamp(clean(value(msh, 7)));
  out.messageControlId = clean(value(msh, 10));
  out.processingId = clean(value(msh, 11));
  out.responsibleOrg = clean(value(msh, 22)) || clean(value(msh, 22, 10));
  if (!checkHeader(msh, out)) return;

  const { pid, groups } = structure(message, out.errors);
  const patient = pid ? readPatient(pid, out.errors) : {};
  for (const group of groups) out.doses.push(readGroup(group, patient, out));
}

/** False when the message is not a VXU^V04 at all: its content is then not read. */
function checkHeader(msh: Segment, out: ParsedVxu): boolean {
  const err = (field: number, code: string, severity: Hl7Severity, text: string) =>
    out.errors.push(hl7Error(errorLocation('MSH', 1, field), code, severity, text));
  const type = clean(value(msh, 9, 1));
  const event = clean(value(msh, 9, 2));
  if (type !== 'VXU') {
    err(9, '200', 'E', `MSH-9 message type "${shown(type)}" is not supported here; send VXU^V04^VXU_V04.`);
    return false;
  }
  if (event !== 'V04') {
    err(9, '201', 'E', `MSH-9 event "${shown(event)}" is not supported here; send VXU^V04^VXU_V04.`);
    return false;
  }
  if (out.messageControlId === '') {
    err(10, '101', 'E', 'MSH-10 (message control ID) is empty; every message needs a unique one.');
  }
  if (out.processingId !== 'P' && out.processingId !== 'T') {
    err(
      11,
      '202',
      'E',
      `MSH-11 processing ID "${shown(out.processingId)}" is not supported; use P (production) or T (test).`,
    );
  }
  const version = clean(value(msh, 12));
  if (version !== '2.5.1') {
    err(12, '203', 'E', `MSH-12 version "${shown(version)}" is not supported; send HL7 version 2.5.1.`);
  }
  const profiles = repetitions(msh, 21).map((rep) => clean(componentOf(rep, 1)));
  if (profiles.length === 0) {
    err(21, '101', 'W', 'MSH-21 (message profile) is empty; send Z22^CDCPHINVS.');
  } else if (!profiles.includes(PROFILE[0])) {
    err(
      21,
      '200',
      'E',
      `MSH-21 profile "${shown(profiles.join(', '))}" is not supported; send Z22^CDCPHINVS.`,
    );
  }
  return true;
}

/** Splits the segments after MSH into the patient and the order groups, reporting what is out of place. */
function structure(message: Message, errors: Hl7Error[]): { pid?: Segment; groups: Group[] } {
  const seen = new Map<string, number>([['MSH', 1]]);
  let pid: Segment | undefined;
  let pendingOrc: Group['orc'];
  let group: Group | undefined;
  const groups: Group[] = [];
  for (const s of message.segments.slice(1)) {
    const seq = (seen.get(s.id) ?? 0) + 1;
    seen.set(s.id, seq);
    if (s.id === 'MSH') {
      errors.push(hl7Error(`MSH^${seq}`, '100', 'E', 'A second MSH: send each message on its own.'));
      break;
    }
    if (s.id === 'PID') {
      if (pid) errors.push(hl7Error(`PID^${seq}`, '100', 'E', 'A second PID: a VXU is about one patient.'));
      else pid = s;
    } else if (s.id === 'ORC') {
      pendingOrc = { segment: s, seq };
      group = undefined;
    } else if (s.id === 'RXA') {
      group = { orc: pendingOrc, rxa: s, rxaSeq: seq, obx: [] };
      groups.push(group);
      pendingOrc = undefined;
    } else if (s.id === 'RXR') {
      if (group && !group.rxr) group.rxr = { segment: s, seq };
    } else if (s.id === 'OBX') {
      group?.obx.push({ segment: s, seq });
    }
  }
  if (!pid)
    errors.push(hl7Error('PID^1', '100', 'E', 'The message has no PID: it does not say who was vaccinated.'));
  if (groups.length === 0) {
    errors.push(hl7Error('ORC^1', '100', 'E', 'The message has no ORC/RXA: it carries no dose to record.'));
  }
  return { pid, groups };
}

function readPatient(pid: Segment, errors: Hl7Error[]): Partial<Dose> {
  const dose: Partial<Dose> = {};
  const err = (code: string, text: string, field: number, component?: number) =>
    errors.push(hl7Error(errorLocation('PID', 1, field, component), code, 'E', text));
  // The legal name when several are sent (aliases, maiden names).
  const names = repetitions(pid, 5);
  const legal = names.find((rep) => clean(componentOf(rep, 7)).toUpperCase() === 'L') ?? names[0];
  const view: Segment = { id: 'PID', fields: pid.fields.map((f, i) => (i === 4 && legal ? [legal] : f)) };
  readPlacements(view, 1, dose, errors);

  const ids = repetitions(pid, 3);
  const mr = ids.find((rep) => clean(componentOf(rep, 5)).toUpperCase() === 'MR') ?? ids[0];
  const recipId = clean(componentOf(mr, 1));
  if (recipId) dose.recip_id = recipId;

  const races = repetitions(pid, 10)
    .map(codeOfRep)
    .filter((c) => c !== '');
  races.slice(0, RACE_FIELDS.length).forEach((code, i) => {
    dose[RACE_FIELDS[i]!] = code;
  });
  if (races.length > RACE_FIELDS.length) {
    errors.push(
      hl7Error(
        errorLocation('PID', 1, 10),
        '102',
        'W',
        `PID-10 has ${races.length} races; only the first 6 are kept.`,
      ),
    );
  }

  if (!dose.recip_id) err('101', 'PID-3 (patient identifier) is empty; send the patient ID with type MR.', 3);
  if (names.length === 0) err('101', 'PID-5 (patient name) is empty.', 5);
  else {
    if (!dose.recip_last_name) err('101', 'PID-5.1 (last name) is empty.', 5, 1);
    if (!dose.recip_first_name) err('101', 'PID-5.2 (first name) is empty.', 5, 2);
  }
  if (!clean(value(pid, 7))) err('101', 'PID-7 (date of birth) is empty.', 7);
  return dose;
}

function readGroup(group: Group, patient: Partial<Dose>, out: ParsedVxu): ParsedDose {
  const { errors } = out;
  const n = group.rxaSeq;
  const rxa = group.rxa;
  const err = (code: string, severity: Hl7Severity, text: string, field?: number) =>
    errors.push(hl7Error(errorLocation('RXA', n, field), code, severity, text));
  const dose: Partial<Dose> = { ...patient };
  const parsed: ParsedDose = { dose, action: 'A', rxaIndex: n, errors: [] };
  const firstError = errors.length;

  if (!group.orc) {
    errors.push(
      hl7Error(`RXA^${n}`, '100', 'E', 'This RXA has no ORC of its own before it; each dose needs one.'),
    );
  } else {
    readPlacements(group.orc.segment, group.orc.seq, dose, errors);
    if (!dose.vax_event_id) {
      errors.push(
        hl7Error(
          errorLocation('ORC', group.orc.seq, 3),
          '101',
          'E',
          'ORC-3 (filler order number) is empty; it identifies the dose for later updates and deletes.',
        ),
      );
    }
  }
  readPlacements(rxa, n, dose, errors);
  readProduct(rxa, n, dose, errors);
  if (group.rxr) readPlacements(group.rxr.segment, group.rxr.seq, dose, errors);
  if (!dose.iis_id && out.responsibleOrg) dose.iis_id = out.responsibleOrg.toUpperCase();

  const status = clean(value(rxa, 20)).toUpperCase();
  if (status === 'RE') dose.vax_refusal = 'YES';
  else if (status === '' || status === 'CP' || status === 'PA') dose.vax_refusal = 'NO';
  else if (status === 'NA') {
    err(
      '103',
      'E',
      'RXA-20 NA (not administered) cannot be recorded: send RE for a refusal, or leave the dose out.',
      20,
    );
  } else err('103', 'E', `RXA-20 completion status "${shown(status)}" is not CP, PA, RE or NA.`, 20);

  const action = clean(value(rxa, 21)).toUpperCase();
  if (action === 'A' || action === 'U' || action === 'D') parsed.action = action;
  else if (action !== '') err('103', 'E', `RXA-21 action code "${shown(action)}" is not A, U or D.`, 21);

  const source = clean(value(rxa, 9)).toUpperCase();
  if (source) parsed.informationSource = source;
  const reason = clean(value(rxa, 18)).toUpperCase();
  if (reason) parsed.refusalReason = reason;
  const amount = clean(value(rxa, 6));
  if (amount && amount !== '999') parsed.administeredAmount = amount;
  for (const obx of group.obx) readObservation(obx.segment, obx.seq, parsed, errors);

  if (!clean(value(rxa, 3))) err('101', 'E', 'RXA-3 (administration date) is empty.', 3);
  if (!dose.cvx && !dose.ndc) err('101', 'E', 'RXA-5 (vaccine given) is empty; send the CVX code.', 5);
  const administered = dose.vax_refusal === 'NO';
  const historical = source !== '' && source !== '00';
  if (administered && !historical && parsed.action !== 'D' && !dose.lot_number) {
    errors.push(
      hl7Error(
        errorLocation('RXA', n, 15),
        '101',
        'E',
        'RXA-15 (lot number) is empty; an administered dose needs the lot number from the vial.',
        { application: '7', rule: 'DQ006' },
      ),
    );
  }
  parsed.errors = errors.slice(firstError);
  return parsed;
}

/** RXA-5 holds up to two triplets; each says by its coding system whether it is the CVX or the NDC. */
function readProduct(rxa: Segment, n: number, dose: Partial<Dose>, errors: Hl7Error[]): void {
  for (const first of [1, 4]) {
    const code = clean(value(rxa, 5, first)).toUpperCase();
    if (!code) continue;
    const system = clean(value(rxa, 5, first + 2)).toUpperCase();
    if (system === 'CVX' || (system === '' && first === 1 && /^\d{1,3}$/.test(code))) dose.cvx ??= code;
    else if (system === 'NDC') {
      const ndc = normalizeNdc(code);
      if (ndc) dose.ndc ??= ndc;
      else {
        errors.push(
          hl7Error(
            errorLocation('RXA', n, 5, first),
            '102',
            'W',
            `RXA-5 NDC "${shown(code)}" is not an NDC; it was left out.`,
          ),
        );
      }
    }
  }
  // A sender that codes the product only by NDC still says which vaccine it was.
  if (!dose.cvx && dose.ndc) {
    const cvx = ndcEntry(dose.ndc)?.cvx;
    if (cvx) dose.cvx = cvx;
  }
}

function readObservation(obx: Segment, seq: number, parsed: ParsedDose, errors: Hl7Error[]): void {
  const question = clean(value(obx, 3, 1)).toUpperCase();
  const answer = (clean(value(obx, 5, 1)) || clean(value(obx, 5, 4))).toUpperCase();
  if (!answer) return;
  if (question === VFC_ELIGIBILITY_QUESTION[0]) parsed.vfcEligibility = answer;
  else if (question === FUNDING_SOURCE_QUESTION[0]) parsed.fundingSource = answer;
  const o = OBSERVATIONS.find((obs) => obs.question[0] === question);
  if (!o) return;
  if (o.field === 'dose_num') {
    parsed.dose.dose_num = answer;
    return;
  }
  const yn = readYesNoUnk(answer);
  if (yn) parsed.dose[o.field] = yn;
  else {
    errors.push(
      hl7Error(
        errorLocation('OBX', seq, 5),
        '103',
        'W',
        `OBX-5 "${shown(answer)}" for ${o.question[1]} is not yes, no or unknown; it was left out.`,
      ),
    );
  }
}

/** Applies the generic rows of the mapping table that live in this segment. */
function readPlacements(seg: Segment, seq: number, dose: Partial<Dose>, errors: Hl7Error[]): void {
  for (const p of PLACEMENTS) {
    if (p.kind === 'custom') continue;
    const path = parsePath(p.at);
    if (path.segment !== seg.id) continue;
    const raw =
      p.kind === 'coded'
        ? codeOfRep(repetitions(seg, path.field)[0])
        : clean(value(seg, path.field, path.component, path.subcomponent, path.repetition));
    if (raw === '' || notOurs(p.field, raw, seg)) continue;
    if (p.kind === 'text') dose[p.field] = raw;
    else if (p.kind === 'code' || p.kind === 'coded') dose[p.field] = raw.toUpperCase();
    else {
      const iso = fromHl7Date(raw, { allowMonth: p.kind === 'month-date' });
      if (iso) dose[p.field] = iso;
      else {
        const required = REQUIRED_DATES.has(p.field);
        // The value is not quoted back: a date of birth is personal data, and error texts are stored and logged.
        errors.push(
          hl7Error(
            errorLocation(seg.id, seq, path.field),
            '102',
            required ? 'E' : 'W',
            `${seg.id}-${path.field} is not a date; write it YYYYMMDD.${required ? '' : ' It was left out.'}`,
          ),
        );
      }
    }
  }
}

/**
 * Two CVRS placements share their slot with what Z22 puts there. RXA-11.4.2 with HD.3 `ISO` is the facility's
 * OID (HD_IZ), not a VTrckS PIN; RXA-11.6 is HL7 0305 (person location type, e.g. C clinic), which CVRS's
 * admin_type 1–28 reuses. What is Z22's is left to the site's enrollment, which has the real values.
 */
function notOurs(field: string, raw: string, seg: Segment): boolean {
  if (field === 'vtrcks_prov_pin') return clean(value(seg, 11, 4, 3)).toUpperCase() === 'ISO';
  if (field === 'admin_type') return adminType(raw) === undefined;
  return false;
}

/** A CE/CWE's code: the identifier, or the alternate identifier when only that is sent. */
function codeOfRep(rep: Repetition | undefined): string {
  return (clean(componentOf(rep, 1)) || clean(componentOf(rep, 4))).toUpperCase();
}

/** Trimmed; HL7's explicit null `""` (meaning "clear this value") counts as empty: a dose change replaces all. */
function clean(v: string): string {
  const t = v.trim();
  return t === '""' ? '' : t;
}
