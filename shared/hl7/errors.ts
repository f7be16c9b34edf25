/**
 * Errors as an HL7 ACK carries them (ERR segment): where, which HL7 table 0357 condition, how severe, and words
 * for a person. Readers of VXU produce them; ACK writers and readers move them across.
 */

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

export function hl7Error(location: string, code: string, severity: Hl7Severity, text: string): Hl7Error {
  return { location, code, severity, text };
}
