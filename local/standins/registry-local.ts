/**
 * The three regional registry stand-ins `npm start` runs (CAIR2, RIDE, SDIR), each expecting its MSH-6 region
 * code from shared/registry/registries.json, with fresh credentials per start, and the REGISTRY_CREDENTIALS
 * secret value that points the registry reporter at them.
 */
import { randomBytes } from 'node:crypto';
import registries from '#registry/registries.json' with { type: 'json' };
import { portFromEnv } from '../listen.ts';
import type { Logger } from '../log.ts';
import { type RegistryStandin, startRegistryStandin } from './registry.ts';

export const LOCAL_REGISTRIES = ['CAIR2', 'RIDE', 'SDIR'] as const;
export type LocalRegistryName = (typeof LOCAL_REGISTRIES)[number];

/** The facilityID the local reporter sends and the stand-ins expect (the pipeline as sending facility). */
export const LOCAL_FACILITY_ID = 'CADOSEPIPE';

/** One entry of the REGISTRY_CREDENTIALS secret, as shared/registry/report.ts reads it. */
export interface RegistryCredentialsEntry {
  endpoint: string;
  username: string;
  password: string;
  facilityID: string;
}

export interface LocalRegistries {
  standins: Record<LocalRegistryName, RegistryStandin>;
  credentials: Record<LocalRegistryName, RegistryCredentialsEntry>;
  /** JSON for the REGISTRY_CREDENTIALS environment variable / secret. */
  secretValue: string;
  stop(): Promise<void>;
}

export interface LocalRegistriesOptions {
  /** Port per registry on 127.0.0.1 (0 or omitted: a free one). */
  ports?: Partial<Record<LocalRegistryName, number>>;
  logger?: Logger;
  facilityID?: string;
}

/** `CAIR2_STANDIN_PORT`, `RIDE_STANDIN_PORT`, `SDIR_STANDIN_PORT`; unset or empty: a free port. */
export function registryPortsFromEnv(
  env: Record<string, string | undefined> = process.env,
): Partial<Record<LocalRegistryName, number>> {
  const ports: Partial<Record<LocalRegistryName, number>> = {};
  for (const name of LOCAL_REGISTRIES) {
    const port = portFromEnv(`${name}_STANDIN_PORT`, env);
    if (port !== undefined) ports[name] = port;
  }
  return ports;
}

const regionCodes = registries.registries as Record<string, { regionCode: string }>;

export async function startLocalRegistries(options: LocalRegistriesOptions = {}): Promise<LocalRegistries> {
  const facilityID = options.facilityID ?? LOCAL_FACILITY_ID;
  const started: RegistryStandin[] = [];
  const standins = {} as Record<LocalRegistryName, RegistryStandin>;
  const credentials = {} as Record<LocalRegistryName, RegistryCredentialsEntry>;
  try {
    for (const name of LOCAL_REGISTRIES) {
      const username = `pipeline-${name.toLowerCase()}`;
      const password = randomBytes(18).toString('base64url');
      const standin = await startRegistryStandin({
        name,
        port: options.ports?.[name] ?? 0,
        credentials: { username, password, facilityID },
        expectedReceivingFacility: regionCodes[name]?.regionCode,
        logger: options.logger,
      });
      started.push(standin);
      standins[name] = standin;
      credentials[name] = { endpoint: standin.endpoint, username, password, facilityID };
    }
  } catch (err) {
    await Promise.all(started.map((s) => s.stop()));
    throw err;
  }
  return {
    standins,
    credentials,
    secretValue: JSON.stringify(credentials),
    stop: async () => {
      await Promise.all(started.map((s) => s.stop()));
    },
  };
}
