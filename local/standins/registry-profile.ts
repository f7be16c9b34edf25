/**
 * The registry stand-in refuses what NIST's Z22 profile refuses (shared/codecs/hl7/profile), so a VXU our reporter
 * builds that a real registry's conformance check would reject is rejected here too, not accepted by a stand-in
 * written from the same understanding as the builder.
 */
import { type Hl7Error, hl7Error } from '#codecs/hl7/errors.ts';
import { checkProfile, type ProfileViolation } from '#codecs/hl7/profile/check.ts';

/** HL7 0357 (ERR-3) and 0533 (ERR-5) for each kind of violation. */
const CODES: Record<string, { code: string; application: string }> = {
  'usage-R': { code: '101', application: '7' },
  'usage-X': { code: '102', application: '4' },
  cardinality: { code: '102', application: '4' },
  length: { code: '102', application: '4' },
  datatype: { code: '102', application: '4' },
  'value-set': { code: '103', application: '5' },
  'segment-order': { code: '100', application: '4' },
  'message-type': { code: '200', application: '4' },
};

// RXA-6, OBX[2]-5, PID-3[2].4, RXA-11.4.2, or a whole segment (PID, ORDER[2].RXA).
const LOCATION =
  /^(?:[A-Z]+\[(\d+)\]\.)?([A-Z][A-Z0-9]{2})(?:\[(\d+)\])?(?:-(\d+)(?:\[(\d+)\])?(?:\.(\d+))?)?/;

/** ERR-2 (ERL, `SEG^seq^field^rep^comp`) for a violation's location. */
export function erlOf(location: string): string {
  const m = LOCATION.exec(location);
  if (!m) return 'MSH^1';
  const [, group, segment, seq, field, rep, component] = m;
  const parts = [segment, seq ?? group ?? '1'];
  if (field !== undefined) parts.push(field);
  if (component !== undefined) parts.push(rep ?? '1', component);
  else if (rep !== undefined) parts.push(rep);
  return parts.join('^');
}

/**
 * The profile's errors as ERR segments, one per field at most and none on a field the stand-in's own rules
 * already answered. Its warnings are left out: they are the checker's doubts (a composite over a length the
 * profile contradicts, a CWE code outside a set that allows others), not what a registry refuses.
 */
export function profileErrors(hl7: string, known: readonly Hl7Error[]): Hl7Error[] {
  const fieldOf = (erl: string) => erl.split('^').slice(0, 3).join('^');
  const seen = new Set(known.map((e) => fieldOf(e.location)));
  const out: Hl7Error[] = [];
  for (const v of checkProfile(hl7, 'VXU_Z22')) {
    if (v.severity !== 'error') continue;
    const location = erlOf(v.location);
    if (seen.has(fieldOf(location))) continue;
    seen.add(fieldOf(location));
    out.push(toError(v, location));
  }
  return out;
}

/**
 * A conditional rule's violation: a required field is missing (101, 0533 7 required data missing), a required
 * segment such as IZ-23's OBX is (100, 0533 6 required observation missing), or a value is wrong (102).
 */
const MISSING = /\b(is empty|no [A-Z]{3}\b)/;

function toError(v: ProfileViolation, location: string): Hl7Error {
  const missing = MISSING.test(v.message);
  const codes =
    CODES[v.rule] ??
    (missing
      ? location.split('^').length > 2
        ? { code: '101', application: '7' }
        : { code: '100', application: '6' }
      : { code: '102', application: '4' });
  return hl7Error(location, codes.code, 'E', `Z22 profile: ${v.message}`, {
    application: codes.application,
    rule: v.rule,
  });
}
