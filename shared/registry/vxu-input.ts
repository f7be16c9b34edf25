/**
 * The VXU input for one dose version sent to one registry: the dose, and every registry-specific choice from
 * shared/registry/registries.json (who MSH-4 names, HD forms, where a refusal's ID goes, COVID-19 eligibility and
 * funding), so the builder writes all it can and the reporter has one place that decides what goes out.
 */
import { ndc } from '#codecs/codesets/index.ts';
import { doseVolumeMl } from '#codecs/hl7/codes.ts';
import { type Action, cairFacilities, type VxuInput } from '#codecs/hl7/index.ts';
import type { Dose } from '#doses/fields.ts';
import type { RegistryConfig } from './config.ts';

export const SENDING_APPLICATION = 'CA-COVID-PIPELINE';

export interface VxuFor {
  dose: Dose;
  action: Action;
  /** The site's own sending facility (an HIE or EHR vendor), when it has one. */
  siteSendingFacility?: string;
  config: RegistryConfig;
  /** The facilityID of our SOAP credentials for this registry. */
  facilityID: string;
  messageControlId: string;
  sentAt: Date;
  /** The version is a historical record (intake read RXA-9 other than 00). */
  historical?: boolean;
}

export function vxuFor(args: VxuFor): VxuInput {
  const { dose, config } = args;
  const hl7 = config.hl7;
  const submitter =
    hl7.sendingFacility.value === 'soap-facility-id' ? args.facilityID : args.siteSendingFacility;
  return {
    messageControlId: args.messageControlId,
    sentAt: args.sentAt,
    sendingApplication: SENDING_APPLICATION,
    receivingApplication: config.receivingApplication,
    receivingFacility: config.regionCode,
    ...cairFacilities(dose.iis_id, submitter),
    processingId: 'P',
    action: args.action,
    dose,
    // A site reports the doses it gave (RXA-9 00); a historical record it forwarded goes as one (01), which Z22
    // lets go without lot and expiration.
    informationSource: args.historical ? '01' : '00',
    vfcEligibility: hl7.covid19.vfcEligibility.value,
    fundingSource: hl7.covid19.fundingSource.value,
    administeredAmount: administeredAmount(dose),
    refusalIdAt: hl7.refusalIdAt.value,
    hdOids: hl7.hdOids.value,
  };
}

/**
 * RXA-6: the product's dose volume where the code sets know the product; otherwise the amount is unknown and the
 * builder writes 999. CVRS has no amount field, so a dose given at another volume than its CVX's standard one
 * (a half-volume Moderna booster under CVX 207) cannot be told apart here.
 */
function administeredAmount(dose: Dose): string | undefined {
  if (dose.vax_refusal === 'YES') return undefined;
  const cvx = dose.cvx || (dose.ndc ? ndc(dose.ndc)?.cvx : undefined);
  return cvx ? doseVolumeMl(cvx) : undefined;
}
