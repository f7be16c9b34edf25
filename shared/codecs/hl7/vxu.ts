/**
 * VXU^V04 (CDC Implementation Guide for Immunization Messaging R1.5, profile Z22): `buildVxu` writes one dose
 * change for a regional registry, `parseVxu` reads a message back into doses. Field placement: mapping.ts.
 */
export { buildVxu } from './vxu-build.ts';
export { type ParsedDose, type ParsedVxu, parseVxu } from './vxu-parse.ts';
export {
  type Action,
  cairFacilities,
  PROFILE,
  type ProcessingId,
  REFUSAL_REASON_DEFAULT,
  type VxuInput,
} from './vxu-types.ts';
