/**
 * What intake of HL7 does to a parsed dose before the rules: a refusal's ID, CDC's defaults for empty RE fields,
 * an unknown body site left out, and whether the record is historical.
 */
import { createHash } from 'node:crypto';
import { bodySite } from '#codecs/codesets/index.ts';
import type { ParsedDose } from '#codecs/hl7/index.ts';
import { echo, type Finding, finding } from '#platform/findings.ts';
import type { Dose, DoseField } from './fields.ts';

/** ORC-3 of a refusal, as the guide prescribes it (CDC IG R1.5, IZ-45): the same for every refusal. */
export const REFUSAL_ORDER_ID = '9999';

/**
 * A refusal sent with ORC-3 `9999` carries no ID of its own, so it is keyed by what makes it this refusal: the
 * site, the patient, the vaccine, the day and the reason. A site's second refusal gets an ID of its own instead of
 * clashing with the first, and the same refusal sent again gets the same ID, so it is a duplicate.
 */
export function refusalEventId(dose: Partial<Dose>, iisId: string, reason: string | undefined): string {
  const content = [iisId, dose.recip_id, dose.cvx, dose.admin_date, reason]
    .map((v) => (v ?? '').toUpperCase())
    .join('\u001f');
  return `RE-${createHash('sha256').update(content).digest('hex').slice(0, 24).toUpperCase()}`;
}

export function keyRefusal(d: ParsedDose, callerIisId: string): void {
  if (d.dose.vax_refusal !== 'YES' || d.dose.vax_event_id !== REFUSAL_ORDER_ID) return;
  d.dose.vax_event_id = refusalEventId(d.dose, d.dose.iis_id ?? callerIisId, d.refusalReason);
}

/**
 * What CDC's converter fills when a required field is empty (CDC IG's RE fields: race, ethnicity, dose number,
 * series status; and CVRS's yes/no/unknown questions), by whether the dose is a refusal. admin_type is left out
 * although CDC fills it too: the site's enrollment gives the real one.
 */
const UNK_WHEN_MISSING: readonly { field: DoseField; refusal: boolean }[] = [
  { field: 'recip_race_1', refusal: true },
  { field: 'recip_ethnicity', refusal: true },
  { field: 'dose_num', refusal: false },
  { field: 'vax_series_complete', refusal: false },
  { field: 'cmorbid_status', refusal: true },
  { field: 'serology', refusal: true },
];

/**
 * Fills the empty RE fields with `UNK`, as CDC's extract validator does with -d (shared/cdc/validator/hl7.ts
 * applyDefaults), and says so: a message without them is accepted with a warning instead of refused, and the
 * stored dose still has every field CDC requires.
 */
export function applyCdcDefaults(dose: Partial<Dose>): Finding[] {
  const refusal = dose.vax_refusal === 'YES';
  const out: Finding[] = [];
  for (const { field, refusal: alsoForRefusal } of UNK_WHEN_MISSING) {
    if (dose[field] !== undefined || (refusal && !alsoForRefusal)) continue;
    dose[field] = 'UNK';
    out.push(
      finding(
        refusal ? 'REQD002' : 'REQD001',
        field,
        `${field} was not sent; it is recorded as UNK (unknown), as CDC's converter does. Send it when it is known.`,
        'warning',
      ),
    );
  }
  return out;
}

/**
 * RXR-2 is RE in Z22: a body site HL7 table 0163 does not know is no reason to refuse the dose (NIST's test
 * expects a warning and acceptance), so it is left out and the sender warned. JSON and file intake keep CDC's
 * DATA007 error for the same value: there the site typed the field, CDC would refuse the record, and the site can
 * correct it; an EHR's interface sends what its tables hold.
 */
export function dropUnknownBodySite(dose: Partial<Dose>): Finding[] {
  const site = dose.vax_admin_site;
  if (site === undefined || bodySite(site)) return [];
  delete dose.vax_admin_site;
  return [
    finding(
      'DATA007',
      'vax_admin_site',
      `Body site ${echo(site)} is not in HL7 table 0163 (e.g. LD left deltoid, RA right arm); the dose is recorded without it.`,
      'warning',
    ),
  ];
}

/** RXA-9 (NIP001) says the record is not of a dose the sender gave now: 00 is a new record, 01–08 history. */
export function isHistorical(d: ParsedDose): boolean {
  const source = d.informationSource ?? '';
  return source !== '' && source !== '00';
}
