/**
 * ACK^V04 (CDC IG R1.5, profile Z23): MSA-1 says how the message went, one ERR per problem says where and how
 * badly. Registries do not agree on MSA-1: CAIR2 answers AE with only warnings for a dose it accepted. So the
 * outcome is read from every ERR-4 severity, and MSA-1 only decides what the errors cannot (AR, or AE with no
 * ERR at all).
 */
import { toHl7Timestamp } from './dates.ts';
import {
  errSegment,
  HL7_0357,
  type Hl7Error,
  type Hl7Severity,
  MESSAGE_LEVEL_CODES,
  RULE_CODE_SYSTEM,
} from './errors.ts';
import {
  componentOf,
  formatMessage,
  Hl7ParseError,
  parseMessage,
  repetitions,
  type Segment,
  segment,
  value,
} from './message.ts';

export type AckCode = 'AA' | 'AE' | 'AR';
export type AckOutcome = 'accepted' | 'accepted-with-warnings' | 'rejected';

export const ACK_PROFILE = ['Z23', 'CDCPHINVS'] as const;

export interface AckInput {
  /** The message being answered; its sender becomes the ACK's receiver. */
  original: {
    messageControlId: string;
    sendingApplication?: string;
    sendingFacility?: string;
    receivingApplication?: string;
    receivingFacility?: string;
    processingId: string;
  };
  ackCode: AckCode;
  errors: readonly Hl7Error[];
  controlId: string;
  sentAt: Date;
  timeZone?: string;
}

/** Longest value an ACK echoes from the message it answers: HL7's ST (MSH-10 and the HD parts) stops at 199. */
const ECHO_MAX = 199;

/**
 * A value of the message answered, as the ACK can carry it whatever the sender wrote: characters XML 1.0 and
 * UTF-8 cannot hold (C0 controls, noncharacters, lone surrogates), which would make the SOAP response fail to
 * encode, become U+FFFD, and it is cut at ECHO_MAX characters.
 */
export function echoable<T extends string | undefined>(v: T): T {
  if (v === undefined) return v;
  const cut = [...v.toWellFormed()].slice(0, ECHO_MAX).join('');
  // biome-ignore lint/suspicious/noControlCharactersInRegex: these are what is replaced
  return cut.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '\uFFFD') as T;
}

export function buildAck(input: AckInput): string {
  const original = {
    ...input.original,
    messageControlId: echoable(input.original.messageControlId) ?? '',
    sendingApplication: echoable(input.original.sendingApplication),
    sendingFacility: echoable(input.original.sendingFacility),
    receivingApplication: echoable(input.original.receivingApplication),
    receivingFacility: echoable(input.original.receivingFacility),
  };
  const msh = segment('MSH', [
    original.receivingApplication,
    original.receivingFacility,
    original.sendingApplication,
    original.sendingFacility,
    toHl7Timestamp(input.sentAt, input.timeZone),
    undefined,
    ['ACK', 'V04', 'ACK'],
    input.controlId,
    // Echoed, so a test message is answered as a test; an unusable one (the reason for a 202) is answered as P.
    original.processingId === 'T' ? 'T' : 'P',
    '2.5.1',
    undefined,
    undefined,
    'NE',
    'NE',
    undefined,
    undefined,
    undefined,
    undefined,
    ACK_PROFILE,
  ]);
  const msa = segment('MSA', [input.ackCode, original.messageControlId]);
  // One ERR writer for every ACK we answer, so ERR-5 (0533 code, our rule code as its alternate) is never lost.
  return formatMessage([msh, msa, ...input.errors.map(errSegment)]);
}

export interface ParsedAck {
  ackCode: AckCode;
  /** MSA-2: the control ID of the message this ACK answers. */
  messageControlId: string;
  /** MSH-10 of the ACK itself. */
  controlId: string;
  errors: Hl7Error[];
}

/** Enhanced-mode commit codes mean the same as their application counterparts for a single message. */
const ACK_CODES: Readonly<Record<string, AckCode>> = {
  AA: 'AA',
  AE: 'AE',
  AR: 'AR',
  CA: 'AA',
  CE: 'AE',
  CR: 'AR',
};

/** Reads an ACK. Throws `Hl7ParseError` when it has no MSH or no readable MSA-1: that is no answer at all. */
export function parseAck(text: string): ParsedAck {
  const message = parseMessage(text);
  const msh = message.segments[0]!;
  const msa = message.segments.find((s) => s.id === 'MSA');
  const raw = value(msa, 1).trim().toUpperCase();
  const ackCode = ACK_CODES[raw];
  if (ackCode === undefined)
    throw new Hl7ParseError(`The ACK's MSA-1 "${raw}" is not an acknowledgment code.`);
  const errors = message.segments.filter((s) => s.id === 'ERR').map((err) => readErr(err, ackCode));
  return { ackCode, messageControlId: value(msa, 2).trim(), controlId: value(msh, 10).trim(), errors };
}

function readErr(err: Segment, ackCode: AckCode): Hl7Error {
  // v2.5.1 puts the location in ERR-2 and the code in ERR-3; v2.3.1-style senders put both in ERR-1 (ELD).
  const erl = repetitions(err, 2)[0] ?? [];
  const eld = repetitions(err, 1)[0] ?? [];
  const location = trimJoin((erl.length > 0 ? erl : eld.slice(0, 3)).map((c) => c[0] ?? ''));
  const code = value(err, 3).trim() || componentOf(eld, 4).trim();
  const stated = value(err, 4).trim().toUpperCase();
  // Without ERR-4 an AA's remark can only be advice, and anything else is taken as the error it may be.
  const severity: Hl7Severity =
    stated === 'E' || stated === 'W' || stated === 'I' ? stated : ackCode === 'AA' ? 'W' : 'E';
  const text =
    value(err, 8).trim() ||
    value(err, 3, 2).trim() ||
    value(err, 7).trim() ||
    componentOf(eld, 4, 2).trim() ||
    (HL7_0357[code] ?? '');
  const application = value(err, 5).trim();
  const rule = value(err, 5, 6).trim() === RULE_CODE_SYSTEM ? value(err, 5, 4).trim() : '';
  return {
    location,
    code,
    severity,
    text,
    ...(application ? { application } : {}),
    ...(rule ? { rule } : {}),
  };
}

function trimJoin(parts: string[]): string {
  let end = parts.length;
  while (end > 0 && parts[end - 1]!.trim() === '') end--;
  return parts
    .slice(0, end)
    .map((p) => p.trim())
    .join('^');
}

/**
 * What an ACK means for the dose, by every ERR-4 and never by MSA-1 alone: any E, or AR, rejects; W or I
 * errors with AE (CAIR2's way of accepting with a warning) or with AA accept with warnings; AA alone accepts.
 * An AE without any ERR is rejected: nothing shows the registry kept the dose.
 */
export function classifyAck(ack: {
  ackCode: AckCode;
  errors: readonly Pick<Hl7Error, 'severity'>[];
}): AckOutcome {
  if (ack.ackCode === 'AR') return 'rejected';
  if (ack.errors.some((e) => e.severity === 'E')) return 'rejected';
  if (ack.ackCode === 'AE') return ack.errors.length > 0 ? 'accepted-with-warnings' : 'rejected';
  return ack.errors.some((e) => e.severity === 'W') ? 'accepted-with-warnings' : 'accepted';
}

/**
 * MSA-1 a receiver answers with: AR when the envelope itself is unusable (an error on MSH, or a message-level
 * code: type, event, processing ID, version, profile, internal fault), AE when any error or warning was found
 * in the content, AA otherwise (info alone is still AA).
 */
export function ackCodeFor(errors: readonly Hl7Error[]): AckCode {
  const blocking = errors.filter((e) => e.severity === 'E');
  if (blocking.some((e) => MESSAGE_LEVEL_CODES.has(e.code) || e.location.startsWith('MSH^'))) return 'AR';
  if (errors.some((e) => e.severity === 'E' || e.severity === 'W')) return 'AE';
  return 'AA';
}
