/**
 * The local stand-ins alone (DynamoDB, S3, SQS, the intake topology's tables and buckets, quiet), for the bench
 * children that load data straight into the stores and time a job against it. The environment the job's stores
 * read is set by the runtime.
 */
import { startLocalRuntime } from '../local/runtime.ts';
import { intakeOnly } from '../local/topologies.ts';

export const startStandins = () =>
  startLocalRuntime({
    topology: intakeOnly(),
    port: 0,
    schedules: false,
    registries: false,
    clearinghouse: false,
    extraEnv: { ADMIN_KEY: 'bench', POWERTOOLS_LOG_LEVEL: 'ERROR' },
    logger: () => {},
  });
