/** What VXU writers and readers share: the input of a dose change to write, and CAIR's identifier placement. */
import type { Dose } from '#doses/fields.ts';

export type Action = 'A' | 'U' | 'D';
export type ProcessingId = 'P' | 'T';
export type RefusalIdPlacement = 'ORC-2' | 'none';

export const PROFILE = ['Z22', 'CDCPHINVS'] as const;

export interface VxuInput {
  messageControlId: string;
  sentAt: Date;
  sendingApplication?: string;
  /** MSH-4: the site's Org Code when it reports directly, the sending facility's ID when that reports for it. */
  sendingFacility: string;
  receivingApplication?: string;
  /** MSH-6: the registry region code, e.g. `CAIRBA`. */
  receivingFacility?: string;
  /** MSH-22: the Org Code of the site responsible for the record. */
  responsibleOrg: string;
  processingId: ProcessingId;
  action: Action;
  dose: Dose;
  /** RXA-9 (NIP001) for an administered dose; `00` (new record) unless the dose is historical. */
  informationSource?: string;
  /** RXA-18 (NIP002) for a refusal; `03` patient decision by default (see REFUSAL_REASON_DEFAULT). */
  refusalReason?: string;
  /** OBX 64994-7, HL7 table 0064 (V01–V07), when known. */
  vfcEligibility?: string;
  /** OBX 30963-3, e.g. VXC50 public, when known. */
  fundingSource?: string;
  /** RXA-6 in mL (with RXA-7 mL); `999` is written when absent, which Z22 reserves for an unknown amount. */
  administeredAmount?: string;
  /**
   * Where a refusal's own ID travels. ORC-3.1 is `9999` for every refusal (CDC IG R1.5, IZ-45), so a registry
   * that needs our ID to update or delete it reads ORC-2 (placer order number); `none` sends it nowhere.
   */
  refusalIdAt?: RefusalIdPlacement;
  /** OIDs by HD namespace (MSH-4, RXA-11.4, PID-3.4, …), for a registry that assigned them; else HD.1 alone. */
  hdOids?: Readonly<Record<string, string>>;
  /** Zone MSH-7 is written in; California by default. */
  timeZone?: string;
}

/**
 * CVRS does not say who refused. COVID-19 vaccine is mostly given to adults who decide for themselves, so a
 * refusal is recorded as the patient's decision unless the caller knows it was a parent's (`00`).
 */
export const REFUSAL_REASON_DEFAULT = '03';

/**
 * CAIR2's identifier placement by site role (CDPH's DX onboarding table, domain.md): MSH-4 is whoever submits
 * (role 1 the site itself; role 2 its distinct sending facility; role 3 a sending facility for many sites), while
 * MSH-22 and RXA-11.4 are always the site the dose belongs to.
 */
export function cairFacilities(
  siteOrgCode: string,
  sendingFacilityId?: string,
): { sendingFacility: string; responsibleOrg: string } {
  return { sendingFacility: sendingFacilityId || siteOrgCode, responsibleOrg: siteOrgCode };
}
