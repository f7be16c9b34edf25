/**
 * Stand-ins for the pipeline's partners, the CAIR registries and the CDC Data Clearinghouse, each started when the
 * topology has its secret (REGISTRY_CREDENTIALS, CDC_CLEARINGHOUSE) and no value for it is given, so that the
 * local pipeline reaches them the way the deployed one reaches the real ones.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { portFromEnv } from './listen.ts';
import type { Logger } from './log.ts';
import type { LocalRuntimeOptions, LocalTopology } from './runtime-types.ts';
import { type ClearinghouseStandin, startClearinghouseStandin } from './standins/clearinghouse.ts';
import {
  type LocalRegistries,
  registryPortsFromEnv,
  startLocalRegistries,
} from './standins/registry-local.ts';
import { generateLocalTls, type LocalTlsMaterial, loadOrCreateLocalTls } from './standins/tls.ts';

/** One set per process for runtimes without a data directory: making keys takes a few hundred milliseconds. */
let inMemoryTls: LocalTlsMaterial | undefined;

const wantsSecret = (topo: LocalTopology, envVar: string) =>
  Object.values(topo.secrets ?? {}).some((s) => s.envVar === envVar);

/** The value given for a secret: in the runtime's extra environment, else in the process's. */
export const givenSecret = (options: LocalRuntimeOptions, envVar: string): string | undefined =>
  options.extraEnv?.[envVar] ?? process.env[envVar];

/** CAIR2, RIDE and SDIR stand-ins, when wanted (see LocalRuntimeOptions.registries). */
export async function startRegistriesIfWanted(
  topo: LocalTopology,
  options: LocalRuntimeOptions,
  logger: Logger,
): Promise<LocalRegistries | undefined> {
  if (options.registries === false || !wantsSecret(topo, 'REGISTRY_CREDENTIALS')) return undefined;
  if (givenSecret(options, 'REGISTRY_CREDENTIALS')) return undefined;
  return startLocalRegistries({ ports: options.registries?.ports ?? registryPortsFromEnv(), logger });
}

export interface LocalClearinghouse {
  standin: ClearinghouseStandin;
  /** CDC_CLEARINGHOUSE for the CDC report: the stand-in's URL, client credentials and, with TLS, its keys. */
  secretValue: string;
  /** Where its TLS material is kept, when it runs mutual TLS with a data directory. */
  tlsDir: string | undefined;
}

/** The CDC Clearinghouse stand-in, when wanted (see LocalRuntimeOptions.clearinghouse). */
export async function startClearinghouseIfWanted(
  topo: LocalTopology,
  options: LocalRuntimeOptions,
  dataDir: string | undefined,
  logger: Logger,
): Promise<LocalClearinghouse | undefined> {
  if (options.clearinghouse === false || !wantsSecret(topo, 'CDC_CLEARINGHOUSE')) return undefined;
  if (givenSecret(options, 'CDC_CLEARINGHOUSE')) return undefined;
  const clientId = 'CAA-LOCAL';
  const clientSecret = randomBytes(18).toString('base64url');
  // Mutual TLS by default, so the local pipeline runs the production path (CDC requires a client certificate).
  const tlsDir = dataDir ? join(dataDir, 'clearinghouse-tls') : undefined;
  let tls: LocalTlsMaterial | undefined;
  if (options.clearinghouse?.tls !== false) {
    if (!tlsDir) inMemoryTls ??= generateLocalTls({ clientName: clientId });
    tls = tlsDir ? loadOrCreateLocalTls(tlsDir) : inMemoryTls;
  }
  const standin = await startClearinghouseStandin({
    port: options.clearinghouse?.port ?? portFromEnv('CLEARINGHOUSE_STANDIN_PORT'),
    clientId,
    clientSecret,
    logger,
    ...(tls
      ? { tls: { key: tls.serverKey, cert: tls.serverCert, ca: tls.ca, requireClientCert: true } }
      : {}),
  });
  const secret = {
    url: standin.url,
    clientId,
    clientSecret,
    ...(tls ? { certificate: tls.clientCert, privateKey: tls.clientKey, ca: tls.ca } : {}),
  };
  return { standin, secretValue: JSON.stringify(secret), tlsDir: tls ? tlsDir : undefined };
}
