/**
 * The local runtime: stand-ins for DynamoDB, SQS and S3 on loopback, the topology's resources provisioned on
 * them, and the same handler modules that run in AWS wired to an HTTP API, SQS pollers and a scheduler.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { SQSClient } from '@aws-sdk/client-sqs';
import { writeConsoleConfig } from '#console/build.ts';
import { AUTH_ENV } from '#platform/env-names.ts';
import { type IndexSpec, topology } from '../infra/topology.ts';
import { localClientConfig } from './clients.ts';
import type { ConsoleSite } from './console-site.ts';
import {
  ENDPOINTS_FILE,
  type EndpointsFile,
  type LocalEndpoints,
  processAlive,
  type QueueDepth,
  queueDepths,
  readEndpointsFile,
  writeEndpointsFile,
} from './endpoints.ts';
import type { LocalIamEnforcer } from './iam/index.ts';
import { createInvoker } from './lambda.ts';
import { portFromEnv } from './listen.ts';
import { defaultLogger, type Logger } from './log.ts';
import { captureFunctionLogs } from './metering/log-capture.ts';
import { createMeter, type Meter } from './metering/meter.ts';
import { provision } from './provision.ts';
import { applyEnv, handlerEnv } from './runtime-env.ts';
import { type LocalOidc, startOidcIfWanted } from './runtime-oidc.ts';
import { givenSecret, startClearinghouseIfWanted, startRegistriesIfWanted } from './runtime-partners.ts';
import type { LocalRuntime, LocalRuntimeOptions, LocalTopology } from './runtime-types.ts';
import { startDynamo } from './standins/dynamodb.ts';
import { CONSOLE_CLIENT_ID } from './standins/oidc.ts';
import { corsRules } from './standins/s3-cors.ts';
import { startSqsS3 } from './standins/sqs-s3.ts';
import { localTlsFiles } from './standins/tls.ts';
import { startHttpApi } from './triggers/http-api.ts';
import { startLambdaApi } from './triggers/lambda-api.ts';
import { startS3Notifications } from './triggers/s3-notifications.ts';
import { type Scheduler, startScheduler } from './triggers/scheduler.ts';
import { type SqsPoller, startSqsPoller } from './triggers/sqs-poller.ts';

export type { LocalRuntime, LocalRuntimeOptions, LocalTopology } from './runtime-types.ts';

const REPO_ROOT = resolve(import.meta.dirname, '..');

/** The stack's function names (infra/topology.ts): the only ones with a synthesized role. */
const STACK_FUNCTIONS = new Set(Object.keys(topology.functions));

/**
 * LOCAL_IAM=on enforces IAM on runtimes that do not say (`iam` omitted) and whose functions all are the stack's
 * (a topology of test-only functions has no synthesized role to check against, and is said so once).
 */
function iamFromEnv(topo: LocalTopology, logger: Logger): boolean {
  if (process.env.LOCAL_IAM !== 'on') return false;
  const foreign = Object.keys(topo.functions).filter((name) => !STACK_FUNCTIONS.has(name));
  if (foreign.length === 0) return true;
  logger(
    `[local] IAM not enforced: ${foreign.join(', ')} not in the stack (LOCAL_IAM=on applies to its functions)`,
  );
  return false;
}

export async function startLocalRuntime(options: LocalRuntimeOptions = {}): Promise<LocalRuntime> {
  const logger = options.logger ?? defaultLogger;
  const topo: LocalTopology = options.topology ?? topology;
  const dataDir = options.dataDir ? resolve(options.dataDir) : undefined;
  const cleanups: (() => Promise<void> | void)[] = [];
  const runCleanups = async () => {
    for (const cleanup of cleanups.reverse()) {
      try {
        await cleanup();
      } catch (err) {
        logger(`[local] shutdown step failed: ${(err as Error).name}: ${(err as Error).message}`);
      }
    }
    cleanups.length = 0;
  };

  if (dataDir) {
    // LevelDB and SQLite allow one owner: a second stack on the same directory would fail obscurely (dynalite
    // throws from a callback), so refuse it up front.
    const running = readEndpointsFile(dataDir);
    if (running && processAlive(running.pid)) {
      throw new Error(
        `a local stack is already running on ${dataDir} (pid ${running.pid}, API ${running.endpoints.api})`,
      );
    }
  }

  try {
    if (dataDir) mkdirSync(dataDir, { recursive: true });
    const dynamo = await startDynamo(dataDir ? { dir: join(dataDir, 'dynamodb') } : {});
    cleanups.push(() => dynamo.stop());
    // Buckets answer the console's origin by their topology CORS, known once the API listens (below).
    let consoleOrigin: string | undefined;
    const corsByBucket = new Map(Object.values(topo.buckets).map((b) => [b.name, b.cors]));
    const sqsS3 = await startSqsS3({
      ...(dataDir ? { sqsDir: join(dataDir, 'sqs'), s3Dir: join(dataDir, 's3') } : {}),
      cors: (bucket) => corsRules(corsByBucket.get(bucket), consoleOrigin),
    });
    cleanups.push(() => sqsS3.stop());

    // Before the handlers' env is set; stopped after the pollers and in-flight invocations (cleanups run in
    // reverse), so a reporter that is draining still reaches its registry.
    const registries = await startRegistriesIfWanted(topo, options, logger);
    if (registries) cleanups.push(() => registries.stop());
    const clearinghouse = await startClearinghouseIfWanted(topo, options, dataDir, logger);
    if (clearinghouse) cleanups.push(() => clearinghouse.standin.stop());
    // Started once the API's URL (the console's redirect URI) is known, but stopped with the partners.
    let oidc: LocalOidc | undefined;
    let restoreOidcEnv: (() => void) | undefined;
    cleanups.push(() => {
      restoreOidcEnv?.();
      return oidc?.standin.stop();
    });

    const provisioned = await provision(
      topo,
      { dynamodb: dynamo.endpoint, sqs: sqsS3.endpoint, s3: sqsS3.endpoint },
      logger,
    );

    // process.env is set before any handler module is imported: module scope reads it once, as in Lambda.
    const env = handlerEnv({
      topo,
      endpoints: { dynamodb: dynamo.endpoint, sqs: sqsS3.endpoint, s3: sqsS3.endpoint },
      provisioned: provisioned.env,
      registryCredentials: registries?.secretValue ?? givenSecret(options, 'REGISTRY_CREDENTIALS'),
      cdcClearinghouse: clearinghouse?.secretValue ?? givenSecret(options, 'CDC_CLEARINGHOUSE'),
      extraEnv: options.extraEnv,
      dataDir,
    });
    cleanups.push(applyEnv(env));

    // Before any handler runs, so that every object created is notified. Stopped after the triggers and
    // in-flight invocations (cleanups run in reverse), so writes made while draining are still delivered.
    const s3Notifications = await startS3Notifications({
      buckets: topo.buckets,
      queueUrls: Object.fromEntries(provisioned.queues.map((q) => [q.key, q.url])),
      endpoint: sqsS3.endpoint,
      onObjectCreated: (listener) => sqsS3.onObjectCreated(listener),
      dataDir,
      duplicateEvery: options.s3Notifications?.duplicateEvery,
      logger,
    });
    cleanups.push(() => s3Notifications.stop());

    let iam: LocalIamEnforcer | undefined;
    const iamOption = options.iam ?? iamFromEnv(topo, logger);
    if (iamOption) {
      // Loaded only when on: a cache miss synthesizes the stack (aws-cdk-lib), which takes seconds.
      const { startLocalIam } = await import('./iam/index.ts');
      iam = await startLocalIam(Object.keys(topo.functions), iamOption === true ? {} : iamOption, logger);
      logger(
        `[local] IAM enforced: each function's AWS calls are checked against its synthesized role policy`,
      );
    }

    let meter: Meter | undefined;
    if (options.metering) {
      meter = createMeter({
        indexesByTable: Object.fromEntries(
          Object.values(topo.tables).map((t) => [
            env[t.envVar]!,
            t.indexes.map((i: IndexSpec) => ({
              ...i,
              ...(i.include
                ? { projected: [t.partitionKey, t.sortKey, i.partitionKey, i.sortKey, ...i.include] }
                : {}),
            })),
          ]),
        ),
      });
      (await import('./iam/enforce.ts')).installSdkHook();
      cleanups.push(captureFunctionLogs(meter, options.metering.quietLogs ?? false));
    }

    const invoker = createInvoker({
      rootDir: options.rootDir ?? REPO_ROOT,
      functions: topo.functions,
      maxPayloadBytes: topo.api.maxLambdaPayloadBytes,
      timeoutSeconds: options.functionTimeoutSeconds,
      logger,
      iam,
      meter,
    });
    cleanups.push(() => invoker.drain());

    const lambdaApi = await startLambdaApi({ invoker, port: portFromEnv('LAMBDA_API_PORT') });
    cleanups.push(() => lambdaApi.stop());

    // The console's CSP names the provider, known once it runs (below): the object is read on every answer.
    const consoleSite: ConsoleSite | undefined = options.console
      ? { dir: resolve(options.console.dir), connectOrigins: [] }
      : undefined;
    const http = await startHttpApi({
      functions: topo.functions,
      api: topo.api,
      invoker,
      port: options.port ?? 0,
      logger,
      meter,
      ...(consoleSite ? { console: consoleSite } : {}),
    });
    cleanups.push(() => http.stop());
    if (consoleSite) {
      // The console PUTs files to presigned URLs of the local S3, as it PUTs them to the bucket's domain in AWS.
      consoleOrigin = new URL(http.url).origin;
      consoleSite.connectOrigins.push(sqsS3.endpoint);
    }

    // Before any handler runs (the authorizer reads OIDC_ISSUER and OIDC_AUDIENCE).
    oidc = await startOidcIfWanted(topo, options, dataDir, http.url, logger);
    if (oidc) {
      Object.assign(env, oidc.env);
      restoreOidcEnv = applyEnv(oidc.env);
    }
    if (consoleSite) {
      const issuer = oidc?.standin.issuer ?? env[AUTH_ENV.issuer] ?? process.env[AUTH_ENV.issuer];
      if (issuer) {
        consoleSite.connectOrigins.push(new URL(issuer).origin);
        writeConsoleConfig(consoleSite.dir, { issuer, clientId: oidc?.consoleClientId ?? CONSOLE_CLIENT_ID });
      } else
        logger('[local] console served without sign-in: no OpenID provider (oidc: false, no OIDC_ISSUER)');
    }

    const pollers: SqsPoller[] = [];
    cleanups.push(async () => {
      await Promise.all(pollers.map((p) => p.stop()));
    });
    for (const [name, spec] of Object.entries(topo.functions)) {
      if (!spec.sqs) continue;
      const queue = provisioned.queues.find((q) => q.key === spec.sqs!.queue);
      if (!queue) throw new Error(`function ${name}: SQS trigger names unknown queue ${spec.sqs.queue}`);
      pollers.push(
        await startSqsPoller({
          functionName: name,
          trigger: spec.sqs,
          queueUrl: queue.url,
          endpoint: sqsS3.endpoint,
          invoker,
          interruptLongPolls: sqsS3.interruptLongPolls,
          waitTimeSeconds: options.sqs?.waitTimeSeconds,
          defaultConcurrency: options.sqs?.defaultConcurrency,
          logger,
          iam,
          meter,
        }),
      );
    }

    let scheduler: Scheduler | undefined;
    if (options.schedules ?? true) {
      scheduler = startScheduler({ functions: topo.functions, invoker, logger, dstGap: options.dstGap });
      cleanups.push(() => scheduler!.stop());
    }

    const endpoints: LocalEndpoints = {
      api: http.url,
      dynamodb: dynamo.endpoint,
      sqs: sqsS3.endpoint,
      s3: sqsS3.endpoint,
      lambda: lambdaApi.url,
    };
    const queueList = provisioned.queues.flatMap((q) => [
      { name: q.name, url: q.url, dlq: false },
      { name: q.dlqName, url: q.dlqUrl, dlq: true },
    ]);
    if (dataDir) {
      const file = writeEndpointsFile(dataDir, {
        pid: process.pid,
        startedAt: new Date().toISOString(),
        endpoints,
        queues: queueList,
      });
      cleanups.push(() => rmSync(file, { force: true }));
    }

    const sqsClient = new SQSClient({ ...localClientConfig(sqsS3.endpoint), useQueueUrlAsEndpoint: false });
    cleanups.push(() => sqsClient.destroy());

    // Cleanups run in reverse: triggers stop first, then in-flight invocations drain, then the stand-ins.
    let stopping: Promise<void> | undefined;
    return {
      apiUrl: http.url,
      env,
      endpoints,
      queues: provisioned.queues,
      invoke: (functionName, event) => invoker.invoke(functionName, event),
      queueDepths: () => queueDepths(sqsClient, queueList),
      clearAuthorizerCache: () => http.clearAuthorizerCache(),
      flushS3Notifications: () => s3Notifications.flush(),
      spy: sqsS3.spy,
      onSpyMessage: (listener) => sqsS3.onSpyMessage(listener),
      registries: registries?.standins ?? {},
      clearinghouse: clearinghouse?.standin,
      ...(clearinghouse?.tlsDir ? { clearinghouseTlsFiles: localTlsFiles(clearinghouse.tlsDir) } : {}),
      ...(oidc
        ? {
            oidc: {
              issuer: oidc.standin.issuer,
              audience: oidc.standin.audience,
              tokenEndpoint: oidc.standin.tokenEndpoint,
              consoleClientId: oidc.consoleClientId,
              redirectUris: oidc.redirectUris,
              users: oidc.users,
              clients: oidc.clients,
              standin: oidc.standin,
            },
          }
        : {}),
      ...(consoleSite ? { consoleUrl: `${http.url}/` } : {}),
      ...(iam ? { iam: { enforcer: iam, denials: iam.denials } } : {}),
      ...(meter ? { meter } : {}),
      stop() {
        stopping ??= runCleanups();
        return stopping;
      },
    };
  } catch (err) {
    await runCleanups();
    throw err;
  }
}

export {
  ENDPOINTS_FILE,
  type EndpointsFile,
  type LocalEndpoints,
  type QueueDepth,
  queueDepths,
  readEndpointsFile,
};
