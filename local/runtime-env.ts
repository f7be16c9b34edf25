/**
 * The handlers' environment: the AWS SDK pointed at the stand-ins, the topology's names and secrets. It is put
 * in process.env before any handler module is imported, since module scope reads it once, as in Lambda.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LOCAL_REGION } from './clients.ts';
import type { LocalTopology } from './runtime-types.ts';

export interface HandlerEnvInput {
  topo: LocalTopology;
  endpoints: { dynamodb: string; sqs: string; s3: string };
  /** What provisioning gives the functions: table and bucket names, queue and DLQ URLs, by env var. */
  provisioned: Record<string, string>;
  /** JSON values of the partner secrets: the stand-ins', else the ones given; '{}' when neither. */
  registryCredentials: string | undefined;
  cdcClearinghouse: string | undefined;
  extraEnv: Record<string, string> | undefined;
  dataDir: string | undefined;
}

export function handlerEnv(input: HandlerEnvInput): Record<string, string> {
  const { topo, endpoints, extraEnv, dataDir } = input;
  const env: Record<string, string> = {
    AWS_REGION: LOCAL_REGION,
    AWS_DEFAULT_REGION: LOCAL_REGION,
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
    AWS_ENDPOINT_URL_SQS: endpoints.sqs,
    AWS_ENDPOINT_URL_S3: endpoints.s3,
    AWS_REQUEST_CHECKSUM_CALCULATION: 'WHEN_REQUIRED',
    AWS_RESPONSE_CHECKSUM_VALIDATION: 'WHEN_REQUIRED',
    ...input.provisioned,
  };
  for (const secret of Object.values(topo.secrets ?? {})) {
    if (secret.envVar === 'REGISTRY_CREDENTIALS') {
      // JSON, not a random token: the stand-ins' endpoints and credentials, or what the caller gave, or none.
      env[secret.envVar] = input.registryCredentials ?? '{}';
      continue;
    }
    if (secret.envVar === 'CDC_CLEARINGHOUSE') {
      env[secret.envVar] = input.cdcClearinghouse ?? '{}';
      continue;
    }
    env[secret.envVar] = extraEnv?.[secret.envVar] ?? secretValue(dataDir, secret.envVar);
  }
  Object.assign(env, extraEnv);
  return env;
}

/** Sets `env` in process.env; returns the function that puts back what was there. */
export function applyEnv(env: Record<string, string>): () => void {
  const previousEnv = new Map(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  return () => {
    for (const [k, v] of previousEnv) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
}

function secretValue(dataDir: string | undefined, envVar: string): string {
  const existing = process.env[envVar];
  if (existing) return existing;
  if (!dataDir) return randomBytes(24).toString('base64url');
  // Keep generated local secrets stable across restarts of the same data directory.
  const file = join(dataDir, 'secrets.json');
  const secrets: Record<string, string> = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
  if (!secrets[envVar]) {
    secrets[envVar] = randomBytes(24).toString('base64url');
    writeFileSync(file, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
  }
  return secrets[envVar];
}
