/**
 * How the registry stand-ins judge a VXU^V04, the way CAIR2 and its test bed do: pure, no I/O, so the rules can
 * be read and tested on their own.
 *
 * The codec's own reading (`parseVxu`) already reports the header (MSH-9, MSH-11, MSH-12, MSH-21 profile) and the
 * fields a dose cannot be recorded without (PID-3, PID-5.1/5.2, PID-7, RXA-3, RXA-5, RXA-15 for an administered
 * dose). On top of it a registry:
 *
 * - insists on the Z22^CDCPHINVS profile: an empty MSH-21 is a rejection (AR), not the codec's warning;
 * - rejects a message addressed to another registry (MSH-6), when it knows its own code;
 * - refuses an administered dose without RXR (route and site), as CAIR's test bed does (E);
 * - warns about what it can record without but would rather have (W): no patient address (PID-11), no dose
 *   number (OBX 30973-2) for an administered dose. CAIR2 answers those with AE and keeps the dose.
 *
 * MSA-1 follows `ackCodeFor`: AR when the message as a whole is unusable (an E on MSH or a message-level code),
 * AE for any E or W, AA otherwise. An AR answers only what made it one: the content was never looked at.
 */

import {
  type AckCode,
  ackCodeFor,
  buildAck,
  componentOf,
  errorLocation,
  type Hl7Error,
  hl7Error,
  MESSAGE_LEVEL_CODES,
  type Message,
  type ParsedDose,
  type ParsedVxu,
  PROFILE,
  parseMessage,
  parseVxu,
  repetitions,
  type Segment,
  value,
} from '#codecs/hl7/index.ts';
import { profileErrors } from './registry-profile.ts';

export interface RegistryRules {
  /** MSH-6 this registry answers to (e.g. `CAIRBA`); compared case-insensitively. Unchecked when omitted. */
  expectedReceivingFacility?: string;
}

export interface ReceivedDose {
  /** ORC-3.1, or ORC-2.1 for a refusal (ORC-3.1 9999); '' when the message had none. */
  vax_event_id: string;
  /** RXA-21. */
  action: 'A' | 'U' | 'D';
  /** RXA-11.4.1, else MSH-22 ('' when neither). */
  iis_id: string;
}

export interface Judgement {
  messageControlId: string;
  doses: ReceivedDose[];
  errors: Hl7Error[];
  ackCode: AckCode;
  /** The codec's full reading, for building the ACK's MSH. */
  parsed: ParsedVxu;
}

const DOSE_NUMBER_QUESTION = '30973-2';

/** Reads a VXU and decides what a registry would answer: its ERR list and MSA-1. Never throws. */
export function judgeVxu(hl7: string, rules: RegistryRules = {}): Judgement {
  const parsed = parseVxu(hl7);
  let message: Message | undefined;
  try {
    message = parseMessage(hl7);
  } catch {
    // parseVxu has already said why (an error at MSH^1).
  }
  const errors = message ? [...headerErrors(parsed, message, rules)] : [...parsed.errors];
  if (message) errors.push(...profileErrors(hl7, errors));

  if (ackCodeFor(errors) === 'AR' && message) {
    // Rejected as a whole: answer only what made it so, as a registry that never read the content would.
    const blocking = errors.filter(isMessageLevel);
    return finish(parsed, blocking.length > 0 ? blocking : errors, message);
  }
  if (message) errors.push(...contentErrors(parsed, message));
  return finish(parsed, errors, message);
}

function finish(parsed: ParsedVxu, errors: Hl7Error[], message?: Message): Judgement {
  const orcs = message?.segments.filter((s) => s.id === 'ORC') ?? [];
  return {
    messageControlId: parsed.messageControlId,
    doses: parsed.doses.map((d) => summarize(d, orcs[d.rxaIndex - 1])),
    errors,
    ackCode: ackCodeFor(errors),
    parsed,
  };
}

/** A refusal's ORC-3.1 is 9999 for every refusal (IZ-45); the sender's own ID for it is then ORC-2.1. */
function summarize(d: ParsedDose, orc: Segment | undefined): ReceivedDose {
  const placer = value(orc, 3).trim() === '9999' ? value(orc, 2).trim() : '';
  return {
    vax_event_id: placer || d.dose.vax_event_id || '',
    action: d.action,
    iis_id: d.dose.iis_id ?? '',
  };
}

function isMessageLevel(e: Hl7Error): boolean {
  return e.severity === 'E' && (MESSAGE_LEVEL_CODES.has(e.code) || e.location.startsWith('MSH^'));
}

/** The codec's errors, with MSH-21 and MSH-6 read as a registry reads them. */
function headerErrors(parsed: ParsedVxu, message: Message, rules: RegistryRules): Hl7Error[] {
  const msh = message.segments[0]!;
  const profileAt = errorLocation('MSH', 1, 21);
  // The codec only warns about an empty MSH-21; a registry that requires the profile rejects it.
  const errors = parsed.errors.filter((e) => !(e.location === profileAt && e.severity !== 'E'));
  const notVxu = parsed.errors.some((e) => e.location === errorLocation('MSH', 1, 9));
  if (notVxu) return errors;

  const profiles = repetitions(msh, 21);
  const z22 = profiles.some(
    (rep) =>
      componentOf(rep, 1).trim() === PROFILE[0] && componentOf(rep, 2).trim().toUpperCase() === PROFILE[1],
  );
  const alreadyRejected = errors.some((e) => e.location === profileAt && e.severity === 'E');
  if (!z22 && !alreadyRejected) {
    errors.push(
      profiles.length === 0
        ? hl7Error(profileAt, '101', 'E', 'MSH-21 (message profile) is empty; send Z22^CDCPHINVS.')
        : hl7Error(profileAt, '200', 'E', 'MSH-21 profile is not supported; send Z22^CDCPHINVS.'),
    );
  }

  const expected = rules.expectedReceivingFacility?.trim().toUpperCase();
  const receiving = value(msh, 6).trim().toUpperCase();
  if (expected && receiving !== expected) {
    errors.push(
      hl7Error(
        errorLocation('MSH', 1, 6),
        '103',
        'E',
        `MSH-6 (receiving facility) must be ${expected} for this registry.`,
      ),
    );
  }
  return errors;
}

interface GroupFacts {
  rxr: boolean;
  doseNumber: boolean;
}

/** RXR and dose-number OBX of each ORC/RXA group, keyed by the RXA's sequence (as in `RXA^n`). */
function groupFacts(message: Message): Map<number, GroupFacts> {
  const facts = new Map<number, GroupFacts>();
  let rxaSeq = 0;
  let current: GroupFacts | undefined;
  for (const s of message.segments.slice(1)) {
    if (s.id === 'ORC') current = undefined;
    else if (s.id === 'RXA') {
      rxaSeq++;
      current = { rxr: false, doseNumber: false };
      facts.set(rxaSeq, current);
    } else if (s.id === 'RXR' && current) current.rxr = true;
    else if (s.id === 'OBX' && current) {
      const question = value(s, 3).trim();
      const answer = value(s, 5).trim() || value(s, 5, 4).trim();
      if (question === DOSE_NUMBER_QUESTION && answer !== '') current.doseNumber = true;
    }
  }
  return facts;
}

/** A dose given now and recorded now: not a refusal, not historical (RXA-9 other than 00), not a delete. */
function administeredNow(d: ParsedDose): boolean {
  const source = d.informationSource ?? '00';
  return d.dose.vax_refusal === 'NO' && source === '00' && d.action !== 'D';
}

function contentErrors(parsed: ParsedVxu, message: Message): Hl7Error[] {
  const errors: Hl7Error[] = [];
  const pid = message.segments.find((s) => s.id === 'PID');
  if (pid && repetitions(pid, 11).length === 0) {
    errors.push(
      hl7Error(
        errorLocation('PID', 1, 11),
        '101',
        'W',
        'PID-11 (patient address) is empty; the registry uses it to match and locate the patient. The dose was recorded.',
      ),
    );
  }
  const facts = groupFacts(message);
  for (const d of parsed.doses) {
    const f = facts.get(d.rxaIndex);
    if (!f || !administeredNow(d)) continue;
    if (!f.rxr) {
      errors.push(
        hl7Error(
          `RXR^${d.rxaIndex}`,
          '100',
          'E',
          `RXA ${d.rxaIndex} is an administered dose without RXR; send the route (RXR-1) and site (RXR-2).`,
        ),
      );
    }
    if (!f.doseNumber) {
      errors.push(
        hl7Error(
          `RXA^${d.rxaIndex}`,
          '101',
          'W',
          `RXA ${d.rxaIndex} has no dose number (OBX 30973-2); the registry will compute it. The dose was recorded.`,
        ),
      );
    }
  }
  return errors;
}

export interface AckOptions {
  /** MSH-3 of the ACK when the message named no receiving application. */
  registryName: string;
  controlId: string;
  sentAt: Date;
  timeZone?: string;
  /** MSA-2 when it should name another message than the one judged (a fault a test plays). */
  answers?: string;
}

/** The ACK^V04 text for a judgement: MSA-1, and one ERR per error with its location, 0357 code and severity. */
export function ackText(j: Judgement, opts: AckOptions): string {
  const p = j.parsed;
  return buildAck({
    original: {
      messageControlId: opts.answers ?? p.messageControlId,
      sendingApplication: p.sendingApplication,
      sendingFacility: p.sendingFacility,
      receivingApplication: p.receivingApplication || opts.registryName,
      receivingFacility: p.receivingFacility,
      processingId: p.processingId,
    },
    ackCode: j.ackCode,
    errors: j.errors,
    controlId: opts.controlId,
    sentAt: opts.sentAt,
    timeZone: opts.timeZone,
  });
}
