/**
 * Locally every function runs in one process and sees every environment variable, so a handler that reads a
 * variable its topology entry does not bind would work on a laptop and fail in AWS. This test closes that gap:
 * it follows each handler's imports (esbuild's metafile) and checks that every variable our code reads is one
 * the topology binds to that function.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { REPORTING_QUEUES } from '#doses/outbox/publish.ts';
import {
  AUTH_ENV,
  BUCKET_ENV,
  dlqEnvName,
  QUEUE_ENV,
  SECRET_ENV,
  TABLE_ENV,
  TOKEN_CLAIMS_ENV,
} from '#platform/env-names.ts';
import { ROOT_DIR } from '../../infra/stack.ts';
import { type FunctionSpec, topology } from '../../infra/topology.ts';
import { signInEnv } from '../../infra/topology-checks.ts';

/** Variables that are not bindings: set by Lambda itself, or optional configuration with a default. */
const AMBIENT = /^(AWS_|POWERTOOLS_|_HANDLER$|LAMBDA_|REGISTRY_ROUTING(_AS_OF)?$|INGEST_CHUNK_ROWS$)/;

function bound(name: string, spec: FunctionSpec): Set<string> {
  // Sign-in: the authorizer's issuer and audiences, the token trigger's machine clients (set by the stack).
  const env = new Set<string>(signInEnv(topology, name));
  for (const t of Object.keys(spec.tables ?? {}))
    env.add(topology.tables[t as keyof typeof topology.tables].envVar);
  for (const q of spec.sendsTo ?? []) env.add(topology.queues[q].envVar);
  for (const q of spec.watchesQueues ?? []) {
    env.add(topology.queues[q].envVar);
    env.add(dlqEnvName(topology.queues[q].envVar));
  }
  for (const b of Object.keys(spec.buckets ?? {}))
    env.add(topology.buckets[b as keyof typeof topology.buckets].envVar);
  for (const s of spec.secrets ?? []) env.add(topology.secrets[s].envVar);
  return env;
}

async function readsOf(entry: string): Promise<Set<string>> {
  const res = await build({
    entryPoints: [join(ROOT_DIR, entry)],
    bundle: true,
    platform: 'node',
    format: 'esm',
    write: false,
    metafile: true,
    outfile: '/dev/null',
    logLevel: 'silent',
  });
  const reads = new Set<string>();
  for (const input of Object.keys(res.metafile.inputs)) {
    if (input.includes('node_modules') || !/\.ts$/.test(input)) continue;
    const src = readFileSync(join(ROOT_DIR, input), 'utf8');
    for (const m of src.matchAll(/(?:requiredEnv|getSecret)\('([A-Z0-9_]+)'\)|process\.env\.([A-Z0-9_]+)/g))
      reads.add((m[1] ?? m[2])!);
    // Names read through shared/platform/env-names.ts (TABLE_ENV.doses, …), the way the functions name them.
    // (infra/topology.ts declares every name with them; that is no read.)
    if (!input.startsWith('infra/'))
      for (const m of src.matchAll(
        /\b(TABLE_ENV|QUEUE_ENV|BUCKET_ENV|SECRET_ENV|AUTH_ENV|TOKEN_CLAIMS_ENV)\.(\w+)/g,
      ))
        reads.add((ENV_NAMES[m[1]!] as Record<string, string>)[m[2]!] ?? `unknown ${m[1]}.${m[2]}`);
    // The outbox publisher looks its queues up by name: it reads the URL of every reporting queue.
    if (input.endsWith('shared/doses/outbox/publish.ts'))
      for (const q of REPORTING_QUEUES) reads.add(topology.queues[q].envVar);
    // sendAll(queue, …) (shared/files/messages.ts) reads the URL of the queue it is called with.
    for (const m of src.matchAll(/\bsendAll\(\s*'([A-Za-z]+)'/g))
      reads.add(topology.queues[m[1] as keyof typeof topology.queues]?.envVar ?? `unknown queue ${m[1]}`);
  }
  return reads;
}

const ENV_NAMES: Record<string, unknown> = {
  TABLE_ENV,
  QUEUE_ENV,
  BUCKET_ENV,
  SECRET_ENV,
  AUTH_ENV,
  TOKEN_CLAIMS_ENV,
};

describe('environment bindings', () => {
  it.each(Object.entries(topology.functions) as [string, FunctionSpec][])(
    '%s reads only variables its topology entry binds',
    async (name, spec) => {
      const unbound = [...(await readsOf(spec.entry))].filter(
        (v) => !AMBIENT.test(v) && !bound(name, spec).has(v),
      );
      expect(unbound).toEqual([]);
    },
  );
});
