/**
 * Errors as an HL7 ACK carries them (ERR segment): where, which HL7 table 0357 condition, how severe, and words
 * for a person. Readers of VXU produce them; ACK writers and readers move them across.
 */

import { type Segment, segment } from './message.ts';

/** E rejects what it is about; W accepts it with a message; I is advice. */
export type Hl7Severity = 'E' | 'W' | 'I';

export interface Hl7Error {
  /**
   * ERR-2 (ERL) as text: `SEG^sequence^field`, or `SEG^sequence^field^repetition^component` when a component is
   * meant. ERL puts the field repetition before the component, so `PID^1^5^1^2` is PID-5.2 of the first PID.
   */
  location: string;
  /** HL7 table 0357 code, kept as text because registries send codes of their own too. */
  code: string;
  severity: Hl7Severity;
  text: string;
  /** HL7 table 0533 code for ERR-5.1, where we know which applies. */
  application?: string;
  /** Our rule code (CDC's where CDC has one, docs/rules.md), carried in ERR-5's alternate triplet. */
  rule?: string;
}

/** HL7 table 0357 (v2.5.1), message error condition codes. */
export const HL7_0357: Readonly<Record<string, string>> = Object.freeze({
  '0': 'Message accepted',
  '100': 'Segment sequence error',
  '101': 'Required field missing',
  '102': 'Data type error',
  '103': 'Table value not found',
  '200': 'Unsupported message type',
  '201': 'Unsupported event code',
  '202': 'Unsupported processing id',
  '203': 'Unsupported version id',
  '204': 'Unknown key identifier',
  '205': 'Duplicate key identifier',
  '206': 'Application record locked',
  '207': 'Application internal error',
});

/** HL7 table 0533 (CDC IG R1.5), application error codes: the Z23 profile binds ERR-5.1 to it. */
export const HL7_0533: Readonly<Record<string, string>> = Object.freeze({
  '1': 'Illogical Date error',
  '2': 'Invalid Date',
  '3': 'Illogical Value error',
  '4': 'Invalid value',
  '5': 'Table value not found',
  '6': 'Required observation missing',
  '7': 'Required data missing',
  '8': 'Data was ignored',
});

/**
 * The coding system of our rule codes in ERR-5.4–6. HL7 table 0396 gives local codes the form `99zzz`; ours are
 * not a PHIN VADS value set (so not PHINVS or CDCPHINVS) and not only CDC's (DQ, STK and SITE are ours), so
 * they get a local name of their own: California dose pipeline rules, listed in docs/rules.md.
 */
export const RULE_CODE_SYSTEM = '99CADOSE';

/** ERR-8 (TX) is at most 250 characters in the Z23 profile. */
export const ERR_TEXT_MAX = 250;

/**
 * Conditions about the message as a whole (type, event, processing ID, version, profile, a receiver fault):
 * answered with AR, not AE, because no part of the content was looked at.
 */
export const MESSAGE_LEVEL_CODES: ReadonlySet<string> = new Set(['200', '201', '202', '203', '207']);

/** ERR-2 text for a location; `component` adds the repetition ERL needs before it. */
export function errorLocation(
  segment: string,
  sequence: number,
  field?: number,
  component?: number,
  repetition = 1,
): string {
  const parts: (string | number)[] = [segment, sequence];
  if (field !== undefined) parts.push(field);
  if (field !== undefined && component !== undefined) parts.push(repetition, component);
  return parts.join('^');
}

export function hl7Error(
  location: string,
  code: string,
  severity: Hl7Severity,
  text: string,
  codes: { application?: string; rule?: string } = {},
): Hl7Error {
  const e: Hl7Error = { location, code, severity, text };
  if (codes.application !== undefined) e.application = codes.application;
  if (codes.rule !== undefined) e.rule = codes.rule;
  return e;
}

/**
 * One ERR segment as the Z23 profile has it: ERR-2 location, ERR-3 the 0357 condition, ERR-4 severity, ERR-5
 * the 0533 code with our rule code as its alternate (the profile binds ERR-5.1 to 0533, so the rule code cannot
 * take that place), ERR-8 the words for a person, cut to the profile's 250.
 */
export function errSegment(e: Hl7Error): Segment {
  // ERR-5.1 is required whenever ERR-5 is sent, so a rule code goes out only beside its 0533 code.
  const err5 =
    e.application === undefined
      ? undefined
      : [
          e.application,
          HL7_0533[e.application] ?? '',
          'HL70533',
          ...(e.rule !== undefined ? [e.rule, e.rule, RULE_CODE_SYSTEM] : []),
        ];
  // Cut between characters: half a surrogate pair is a lone surrogate, which no UTF-8 transport (SOAP) carries.
  const cut = /[\uD800-\uDBFF]/.test(e.text.charAt(ERR_TEXT_MAX - 4)) ? ERR_TEXT_MAX - 4 : ERR_TEXT_MAX - 3;
  const text = e.text.length > ERR_TEXT_MAX ? `${e.text.slice(0, cut)}...` : e.text;
  return segment('ERR', [
    undefined,
    e.location ? e.location.split('^') : undefined,
    [e.code, HL7_0357[e.code] ?? '', 'HL70357'],
    e.severity,
    err5,
    undefined,
    undefined,
    text,
  ]);
}
