import * as z from 'zod/mini';
import * as geography from '#codecs/codesets/geography.ts';
import { adminType } from '#codecs/codesets/values.ts';
import { normalizeDose } from '#doses/normalize.ts';
import { echo, type Finding, finding } from '#platform/findings.ts';

/** An enrolled administering site (a CAIR Org Code) with the CVRS admin_* fields it reports under. */
export interface Site {
  iis_id: string;
  admin_name: string;
  vtrcks_prov_pin?: string;
  admin_type: string;
  admin_address_street?: string;
  admin_address_street_2?: string;
  admin_address_city?: string;
  admin_address_county: string;
  admin_address_state: string;
  admin_address_zip?: string;
  responsible_org: string;
  /** The HIE or EHR vendor (its own iis_id) allowed to submit for this site. */
  sending_facility_iis_id?: string;
  enrolled_at: string;
}

const text = (max: number) => z.string().check(z.trim(), z.minLength(1), z.maxLength(max));

export const SiteInput = z.object({
  iis_id: text(20).register(z.globalRegistry, { description: 'CAIR Org Code of the site' }),
  admin_name: text(199),
  vtrcks_prov_pin: z.optional(text(6)),
  admin_type: z.union([text(2), z.number()]),
  admin_address_street: z.optional(text(199)),
  admin_address_street_2: z.optional(text(199)),
  admin_address_city: z.optional(text(199)),
  admin_address_county: z.union([text(5), z.number()]),
  admin_address_state: text(2),
  admin_address_zip: z.optional(text(10)),
  responsible_org: text(199),
  sending_facility_iis_id: z.optional(text(20)),
});
export type SiteInput = z.infer<typeof SiteInput>;

const IIS_ID = /^[A-Z0-9-]{1,20}$/;

/** Normalizes an enrollment request the way doses are normalized and checks its codes. */
export function validateSiteInput(input: unknown, now: Date): { site?: Site; findings: Finding[] } {
  const parsed = SiteInput.safeParse(input);
  if (!parsed.success) {
    return {
      findings: parsed.error.issues.map((i) => {
        const field = String(i.path[0] ?? 'body');
        return i.code === 'invalid_type' && i.input === undefined
          ? finding('SITE002', field, `${field} is required to enroll a site.`)
          : finding('SITE003', field, `${field} is not valid: ${i.message}.`);
      }),
    };
  }
  const { sending_facility_iis_id, ...fields } = parsed.data;
  const { dose, findings } = normalizeDose(fields);
  const site = {
    ...dose,
    iis_id: dose.iis_id ?? '',
    sending_facility_iis_id: sending_facility_iis_id?.toUpperCase(),
    enrolled_at: now.toISOString(),
  } as Site;
  if (!IIS_ID.test(site.iis_id))
    findings.push(
      finding('SITE003', 'iis_id', 'iis_id (CAIR Org Code) may contain only letters, digits and hyphens.'),
    );
  if (site.vtrcks_prov_pin && !/^[A-Z0-9]{6}$/.test(site.vtrcks_prov_pin))
    findings.push(
      finding('DATA005', 'vtrcks_prov_pin', 'vtrcks_prov_pin is the 6-character VTrckS provider PIN.'),
    );
  if (site.sending_facility_iis_id === site.iis_id)
    findings.push(
      finding('SITE003', 'sending_facility_iis_id', 'A site cannot be its own sending facility.'),
    );
  if (!adminType(site.admin_type))
    findings.push(
      finding('DATA007', 'admin_type', `admin_type ${echo(site.admin_type)} must be a CVRS admin_type 1–28.`),
    );
  if (!geography.state(site.admin_address_state))
    findings.push(
      finding('DATA007', 'admin_address_state', 'admin_address_state must be a USPS state code.'),
    );
  const county = geography.county(site.admin_address_county);
  if (!county)
    findings.push(
      finding('DATA007', 'admin_address_county', 'admin_address_county must be a 5-digit county FIPS code.'),
    );
  else if (county.state !== site.admin_address_state)
    findings.push(
      finding(
        'BUSR002',
        'admin_address_county',
        `County ${county.fips} is in ${county.state}, not ${site.admin_address_state}.`,
      ),
    );
  if (site.admin_address_zip && !geography.zipInState(site.admin_address_zip, site.admin_address_state))
    findings.push(
      finding(
        'BUSR004',
        'admin_address_zip',
        `ZIP ${site.admin_address_zip} is not in ${site.admin_address_state}.`,
      ),
    );
  return findings.some((f) => f.severity === 'error') ? { findings } : { site, findings };
}
