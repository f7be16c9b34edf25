/** A realistic VXU for the registry stand-in tests: the demo site's Moderna dose, as the reporter would send it. */
import { buildVxu, cairFacilities, type VxuInput } from '#codecs/hl7/index.ts';
import type { Dose } from '#doses/fields.ts';
import { demoSite, modernaDose } from '../fixtures/doses.ts';

export const SENT_AT = new Date('2021-03-10T20:00:00Z');

/** `doseOverrides` with `undefined` values leave a field out of the message. */
export function vxu(doseOverrides: Record<string, unknown> = {}, input: Partial<VxuInput> = {}): string {
  const dose = { ...modernaDose(doseOverrides), iis_id: demoSite.iis_id } as unknown as Dose;
  return buildVxu({
    messageControlId: 'MSG-0001',
    sentAt: SENT_AT,
    ...cairFacilities(demoSite.iis_id),
    receivingApplication: 'CAIR',
    receivingFacility: 'CAIRBA',
    processingId: 'P',
    action: 'A',
    // What the reporter sends with an administered dose (IZ-23), as shared/registry/vxu-input.ts does.
    vfcEligibility: 'V01',
    fundingSource: 'VXC50',
    dose,
    ...input,
  });
}

/** Replaces field `n` of the first `id` segment (numbered as the standard numbers them, MSH-1 included). */
export function setField(hl7: string, id: string, n: number, v: string): string {
  return hl7
    .split('\r')
    .map((line) => {
      if (!line.startsWith(`${id}|`)) return line;
      const parts = line.split('|');
      const index = id === 'MSH' ? n - 1 : n;
      while (parts.length <= index) parts.push('');
      parts[index] = v;
      return parts.join('|');
    })
    .join('\r');
}

export function withoutSegments(hl7: string, id: string): string {
  return hl7
    .split('\r')
    .filter((line) => !line.startsWith(`${id}|`))
    .join('\r');
}

export const NO_ADDRESS = {
  recip_address_street: undefined,
  recip_address_city: undefined,
  recip_address_state: undefined,
  recip_address_zip: undefined,
  recip_address_county: undefined,
};
