/**
 * The one test that really bundles: every handler module listed as an `entry` in topology.ts goes through the
 * same NodejsFunction bundling `cdk synth` uses (esbuild, ESM, minified, SDK bundled), and the bundle must load
 * on Node 24 and export `handler`. An entry that does not exist fails the test, after the others are checked.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { App, Stack } from 'aws-cdk-lib';
import { Key } from 'aws-cdk-lib/aws-kms';
import { ASSET_RESOURCE_METADATA_ENABLED_CONTEXT } from 'aws-cdk-lib/cx-api';
import { afterAll, describe, expect, it } from 'vitest';
import { PipelineFunction, REQUIRE_BANNER } from '../../infra/constructs/pipeline-function.ts';
import { ROOT_DIR } from '../../infra/stack.ts';
import { type FunctionSpec, topology } from '../../infra/topology.ts';
import { pascalCase } from '../../infra/topology-checks.ts';

const specs = Object.entries(topology.functions) as [string, FunctionSpec][];
const present = specs.filter(([, spec]) => existsSync(join(ROOT_DIR, spec.entry)));
const missing = specs.filter(([, spec]) => !existsSync(join(ROOT_DIR, spec.entry)));

/** Environment a bundle sees in Lambda, with placeholder values: loading must not need AWS. */
function lambdaEnv(spec: FunctionSpec): Record<string, string> {
  const env: Record<string, string> = {
    AWS_REGION: 'us-west-2',
    AWS_ACCESS_KEY_ID: 'x',
    AWS_SECRET_ACCESS_KEY: 'x',
  };
  for (const table of Object.keys(spec.tables ?? {}))
    env[topology.tables[table as 'sites'].envVar] = `${table}-table`;
  for (const queue of spec.sendsTo ?? [])
    env[topology.queues[queue].envVar] = `https://sqs.us-west-2.amazonaws.com/0/${queue}`;
  for (const secret of spec.secrets ?? [])
    env[`${topology.secrets[secret].envVar}_SECRET_ARN`] = `arn:${secret}`;
  return env;
}

describe('bundling every topology entry', () => {
  const outdir = mkdtempSync(join(tmpdir(), 'pipeline-bundles-'));
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));
  const app = new App({ outdir, context: { [ASSET_RESOURCE_METADATA_ENABLED_CONTEXT]: true } });
  const stack = new Stack(app, 'Bundles');
  const key = new Key(stack, 'Key');
  const functions = present.map(
    ([name, spec]) =>
      [
        name,
        spec,
        new PipelineFunction(stack, `${pascalCase(name)}Function`, { name, spec, rootDir: ROOT_DIR, key }),
      ] as const,
  );
  const assembly = functions.length > 0 ? app.synth() : undefined;
  const template = assembly?.getStackByName(stack.stackName).template as
    | { Resources: Record<string, { Metadata?: Record<string, string> }> }
    | undefined;

  it.each(functions.map(([name, spec, fn]) => [name, spec, fn] as const))(
    '%s bundles to a minified ESM module with a source map that loads on Node 24',
    (_name, spec, fn) => {
      const logicalId = stack.getLogicalId(fn.node.defaultChild as never);
      const assetPath = template!.Resources[logicalId]!.Metadata!['aws:asset:path']!;
      const dir = join(assembly!.directory, assetPath);
      const bundle = join(dir, 'index.mjs');
      expect(existsSync(bundle)).toBe(true);
      expect(existsSync(`${bundle}.map`)).toBe(true);
      const code = readFileSync(bundle, 'utf8');
      expect(code.startsWith(REQUIRE_BANNER)).toBe(true);
      expect(statSync(bundle).size).toBeLessThan(5 * 1024 * 1024);
      // Credentials come from Lambda's environment only: the SDK's default chain (SSO, INI files, processes,
      // web identity, instance metadata) is aliased away at bundle time (infra/bundling.ts).
      expect(code).not.toContain('@aws-sdk/credential-provider-ini');
      expect(code).not.toContain('@aws-sdk/credential-provider-sso');

      const probe = `const m = await import(${JSON.stringify(pathToFileURL(bundle).href)});
        if (typeof m.handler !== 'function') { console.error('no handler export'); process.exit(3); }`;
      execFileSync(process.execPath, ['--input-type=module', '-e', probe], {
        env: { PATH: process.env.PATH, ...lambdaEnv(spec) },
        stdio: 'pipe',
        timeout: 20_000,
      });
    },
  );

  it('every entry listed in topology.ts exists', () => {
    expect(
      missing.map(([name, spec]) => `${name}: ${spec.entry}`),
      'entries in infra/topology.ts without a module',
    ).toEqual([]);
  });
});
