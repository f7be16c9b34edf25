// The CVRS record an HL7 message maps to, in either CVRS version, and the rejection that ends CDC's run.

import { CVRS_FIELDS as DOMAIN_CVRS_FIELDS, type CvrsField as DomainCvrsField } from '#doses/fields.ts';
import { CdcValidatorStopped } from '../index.ts';

/** The two CVRS v1 fields v2 IGNOREs (CVRSExtract.java). */
type V1Only = 'vax_prov_suffix' | 'recip_missed_appt';
export type CvrsField = DomainCvrsField | V1Only;
const at = (from: number, to?: number) => DOMAIN_CVRS_FIELDS.slice(from, to);

/** Every CVRS field in CDC's declaration order: v2's 45 with v1's two where CDC declares them. */
export const CVRS_FIELDS_V1: readonly CvrsField[] = [
  ...at(0, 42),
  'vax_prov_suffix',
  ...at(42, 44),
  'recip_missed_appt',
  ...at(44),
];
export type CvrsVersion = '1' | '2';

const IGNORED_IN_V2: ReadonlySet<string> = new Set(['vax_prov_suffix', 'recip_missed_appt']);

/** The fields (and column order) of a CVRS file of that version: 47 for v1, 45 for v2. */
export function cvrsFields(version: CvrsVersion = '2'): readonly CvrsField[] {
  return version === '1' ? CVRS_FIELDS_V1 : CVRS_FIELDS_V1.filter((f) => !IGNORED_IN_V2.has(f));
}

/**
 * CDC's tool would not produce a record for this message: HAPI refused to parse it, or the message is not a
 * v2.5.1 VXU_V04. In CDC's validator that is not a per-record error but an exception that ends the whole run, so
 * callers should treat the file as unreadable by CDC from this message on.
 */
export class CdcHl7Rejection extends CdcValidatorStopped {
  override name = 'CdcHl7Rejection';
  /** The message's ordinal in its file, when known (validateHl7Text sets it). */
  line?: number;
}
