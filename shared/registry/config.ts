import type { RefusalIdPlacement } from '#codecs/hl7/vxu-types.ts';
import registries from './registries.json' with { type: 'json' };

/** A registry-specific choice and what it rests on (a guide, a public example, or why it is a default). */
export interface Sourced<T> {
  value: T;
  source: string;
}

/**
 * Who MSH-4 names. `soap-facility-id`: the facilityID we submit under, the pipeline as sending facility for
 * many sites (CAIR2 role 3). `site-sending-facility`: the site's own sending facility, else the site (roles 2
 * and 1), for a registry where each site's submitter has its own credentials.
 */
export type SendingFacilityRule = 'soap-facility-id' | 'site-sending-facility';

export interface RegistryHl7Config {
  sendingFacility: Sourced<SendingFacilityRule>;
  /** HD namespace → OID the registry assigned; empty: every HD goes as HD.1 alone. */
  hdOids: Sourced<Record<string, string>>;
  refusalIdAt: Sourced<RefusalIdPlacement>;
  /** OBX 64994-7 and 30963-3 for COVID-19 vaccine, the only vaccine the pipeline reports. */
  covid19: { vfcEligibility: Sourced<string>; fundingSource: Sourced<string> };
}

/** Per registry, what is not secret (shared/registry/registries.json); endpoints and credentials are in REGISTRY_CREDENTIALS. */
export interface RegistryConfig {
  receivingApplication: string;
  regionCode: string;
  maxConcurrent: number;
  failuresToPause: number;
  pauseSeconds: number;
  hl7: RegistryHl7Config;
}

export const REGISTRIES = registries.registries as Record<string, RegistryConfig>;
