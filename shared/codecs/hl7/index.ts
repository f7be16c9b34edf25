/** HL7 v2.5.1 for immunization messaging: escaping, a generic reader/writer, VXU^V04 and ACK. Pure, no I/O. */
export {
  type AckCode,
  type AckInput,
  type AckOutcome,
  ackCodeFor,
  buildAck,
  classifyAck,
  type ParsedAck,
  parseAck,
} from './ack.ts';
export { fromHl7Date, fromHl7Timestamp, toHl7Date, toHl7Timestamp } from './dates.ts';
export {
  errorLocation,
  HL7_0357,
  type Hl7Error,
  type Hl7Severity,
  hl7Error,
  MESSAGE_LEVEL_CODES,
} from './errors.ts';
export { DEFAULT_ENCODING, type Encoding, escapeHl7, unescapeHl7 } from './escape.ts';
export { NOT_IN_VXU, OBSERVATIONS, PLACEMENTS, type Placement } from './mapping.ts';
export {
  type Component,
  componentOf,
  type Field,
  formatMessage,
  formatSegment,
  get,
  Hl7ParseError,
  type Message,
  parseMessage,
  parsePath,
  parseSegment,
  put,
  type Repetition,
  repeat,
  repetitions,
  type Segment,
  segment,
  splitMessages,
  value,
} from './message.ts';
export {
  type Action,
  buildVxu,
  cairFacilities,
  type ParsedDose,
  type ParsedVxu,
  PROFILE,
  type ProcessingId,
  parseVxu,
  REFUSAL_REASON_DEFAULT,
  type VxuInput,
} from './vxu.ts';
