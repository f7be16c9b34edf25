import { HttpError } from './response.ts';

/**
 * The longest value of each identifier a route takes in its path or query, in UTF-8 bytes, checked at the door
 * before any DynamoDB or S3 call (a key over DynamoDB's 2,048-byte partition key answered 500). Each is the
 * longest value that can exist: a longer one names nothing, so it is a malformed request (400 REQ009), on GET
 * as on PUT and DELETE, and the check depends on nothing stored (it tells nothing about other sites).
 * shared/platform/http/openapi.ts documents the same numbers as maxLength.
 */
export const ID_MAX_BYTES = {
  /** Intake refuses a longer one (DQ025: the registries take 199 characters) and takes printable ASCII only. */
  vax_event_id: 199,
  /** A CAIR Org Code: enrollment takes 1–20 letters, digits and hyphens. */
  iis_id: 20,
  /** `up_` or `dr_` and 20 hex digits (shared/files/keys.ts). */
  upload_id: 23,
  /** 5-4-2 with hyphens is 13; read leniently (without hyphens, 11 digits), never longer than 50 (CDC's limit). */
  ndc: 50,
  /** As printed on the vial: 1–20 letters, digits and hyphens. */
  lot_number: 20,
} as const;

export type Identifier = keyof typeof ID_MAX_BYTES;

/**
 * `value` if it is at most `ID_MAX_BYTES[field]` bytes, else 400 REQ009 naming the field and the limit, never
 * the value (which can be megabytes). Undefined passes: a missing identifier is the route's to answer.
 */
export function checkIdentifier<T extends string | undefined>(field: Identifier, value: T): T {
  const max = ID_MAX_BYTES[field];
  // Length first: every UTF-16 unit is at least one byte, so a longer string is too long without measuring.
  if (value !== undefined && (value.length > max || Buffer.byteLength(value, 'utf8') > max))
    throw new HttpError(
      400,
      'REQ009',
      field,
      `${field} is longer than ${max} bytes, so it names nothing here: check the value sent.`,
    );
  return value;
}
