import type { Finding, Severity } from '../domain/findings.ts';
import type { Hl7Error } from './errors.ts';

/** ERR segments as findings a site can read: the words at their HL7 location. */
export function hl7ErrorsToFindings(errors: readonly Hl7Error[]): Finding[] {
  const severity: Record<string, Severity> = { E: 'error', W: 'warning', I: 'info' };
  return errors.map((e) => ({
    code: `HL7-${e.code}`,
    severity: severity[e.severity] ?? 'error',
    field: e.location,
    message: e.text || `A problem at ${e.location} (HL7 error ${e.code}).`,
  }));
}
