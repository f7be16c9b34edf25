/**
 * CDK app entry (`cdk.json`: `node infra/app.ts`). Every synthesis is checked against the AWS Solutions,
 * HIPAA Security and Serverless cdk-nag packs; an unacknowledged error-level finding fails `cdk synth`.
 */
import { App } from 'aws-cdk-lib';
import { addNagPacks } from './nag.ts';
import { PipelineStack } from './stack.ts';

const app = new App();
new PipelineStack(app, 'CaCovidDosePipeline', {
  description: 'COVID-19 dose reporting pipeline for California (intake, validation, storage, fan-out)',
  env:
    process.env.CDK_DEFAULT_ACCOUNT && process.env.CDK_DEFAULT_REGION
      ? { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION }
      : undefined,
});
addNagPacks(app);
app.synth();
