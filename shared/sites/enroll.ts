import { type Finding, hasError } from '#platform/findings.ts';
import { issueSiteKey } from './key-management.ts';
import { type Site, validateSiteInput } from './site.ts';
import { createSite, getSite } from './store.ts';

export type Enrollment =
  | { kind: 'invalid'; findings: Finding[] }
  | { kind: 'already-enrolled'; iis_id: string }
  /** The key is shown once, in the answer: only its hash is stored. */
  | { kind: 'enrolled'; site: Site; apiKey: string; findings: Finding[] };

/**
 * Enrolls a site and issues its first key. A sending facility must be enrolled before the sites it sends for:
 * site access (access.ts) trusts the link, so it may only point at a site we know.
 */
export async function enrollSite(input: unknown, now: Date): Promise<Enrollment> {
  const { site, findings } = validateSiteInput(input, now);
  if (site?.sending_facility_iis_id && !(await getSite(site.sending_facility_iis_id)))
    findings.push({
      code: 'SITE003',
      severity: 'error',
      field: 'sending_facility_iis_id',
      message: `Sending facility ${site.sending_facility_iis_id} is not enrolled. Enroll the HIE or vendor first, then this site.`,
    });
  if (!site || hasError(findings)) return { kind: 'invalid', findings };
  const res = await createSite(site);
  if (!res.created) return { kind: 'already-enrolled', iis_id: site.iis_id };
  const { apiKey } = await issueSiteKey(site.iis_id, now.toISOString());
  return { kind: 'enrolled', site, apiKey, findings };
}
