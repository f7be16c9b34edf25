/**
 * CDK app entry (`cdk.json`: `node infra/app.ts`). Every synthesis is checked against the AWS Solutions,
 * HIPAA Security and Serverless cdk-nag packs; an unacknowledged error-level finding fails `cdk synth`.
 */
import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { App } from 'aws-cdk-lib';
import { buildConsole } from '#console/build.ts';
import { addNagPacks } from './nag.ts';
import { PipelineStack } from './stack.ts';

// The web console is built from this checkout and deployed with the stack (constructs/console-site.ts), into a
// folder of its own made afresh: dist/console may hold a local config.json and chunks of older builds, which
// would be deployed too.
const consoleDir = join(
  process.env.CDK_OUTDIR ?? resolve(import.meta.dirname, '..', 'cdk.out'),
  'console-site',
);
rmSync(consoleDir, { recursive: true, force: true });
await buildConsole(consoleDir);

const app = new App();
new PipelineStack(app, 'CaCovidDosePipeline', {
  description: 'COVID-19 dose reporting pipeline for California (intake, validation, storage, fan-out)',
  consoleDir,
  env:
    process.env.CDK_DEFAULT_ACCOUNT && process.env.CDK_DEFAULT_REGION
      ? { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION }
      : undefined,
});
addNagPacks(app);
app.synth();
