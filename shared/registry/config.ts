import registries from '../config/registries.json' with { type: 'json' };

/** Per registry, what is not secret (shared/config/registries.json); endpoints and credentials are in REGISTRY_CREDENTIALS. */
export interface RegistryConfig {
  receivingApplication: string;
  regionCode: string;
  maxConcurrent: number;
  failuresToPause: number;
  pauseSeconds: number;
}

export const REGISTRIES = registries.registries as Record<string, RegistryConfig>;
