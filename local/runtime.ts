/**
 * The local runtime: stand-ins for DynamoDB, SQS and S3 on loopback, the topology's resources provisioned on
 * them, and the same handler modules that run in AWS wired to an HTTP API, SQS pollers and a scheduler.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { MessageSpyReader, SpyMessage } from 'fauxqs';
import {
  type BucketSpec,
  type QueueSpec,
  type SecretSpec,
  type TableSpec,
  topology,
} from '../infra/topology.ts';
import { LOCAL_REGION, localClientConfig } from './clients.ts';
import {
  ENDPOINTS_FILE,
  type EndpointsFile,
  type LocalEndpoints,
  processAlive,
  type QueueDepth,
  queueDepths,
  readEndpointsFile,
} from './endpoints.ts';
import type { Denial, LocalIamEnforcer, LocalIamOptions } from './iam/index.ts';
import { createInvoker, type LocalFunctionSpec } from './lambda.ts';
import { portFromEnv } from './listen.ts';
import { defaultLogger, type Logger } from './log.ts';
import { type ProvisionedQueue, provision } from './provision.ts';
import { type ClearinghouseStandin, startClearinghouseStandin } from './standins/clearinghouse.ts';
import { startDynamo } from './standins/dynamodb.ts';
import type { RegistryStandin } from './standins/registry.ts';
import {
  type LocalRegistries,
  type LocalRegistryName,
  registryPortsFromEnv,
  startLocalRegistries,
} from './standins/registry-local.ts';
import { startSqsS3 } from './standins/sqs-s3.ts';
import {
  generateLocalTls,
  type LocalTlsMaterial,
  loadOrCreateLocalTls,
  localTlsFiles,
} from './standins/tls.ts';
import { type ApiSettings, startHttpApi } from './triggers/http-api.ts';
import { startLambdaApi } from './triggers/lambda-api.ts';
import { startS3Notifications } from './triggers/s3-notifications.ts';
import { type DstGapPolicy, type Scheduler, startScheduler } from './triggers/scheduler.ts';
import { type SqsPoller, startSqsPoller } from './triggers/sqs-poller.ts';

/** The parts of the topology the runtime reads (the real one by default; tests pass their own). */
export interface LocalTopology {
  tables: Record<string, TableSpec>;
  queues: Record<string, QueueSpec>;
  buckets: Record<string, BucketSpec>;
  secrets?: Record<string, SecretSpec>;
  functions: Record<string, LocalFunctionSpec>;
  api: ApiSettings;
}

export interface LocalRuntimeOptions {
  /** Persist state under `${dataDir}/dynamodb`, `/sqs`, `/s3` and write `${dataDir}/endpoints.json`; in memory when omitted. */
  dataDir?: string;
  /** HTTP API port on 127.0.0.1 (0 or omitted: a free port). */
  port?: number;
  /** Extra environment variables for the handlers (applied last). */
  extraEnv?: Record<string, string>;
  /** Run the topology's schedules (default true). */
  schedules?: boolean;
  /** Defaults to infra/topology.ts. */
  topology?: LocalTopology;
  /** Directory that function `entry` paths are relative to (default: the repository root). */
  rootDir?: string;
  logger?: Logger;
  /** SQS poller settings: long-poll wait (default 20 s) and pollers per function without maximumConcurrency (2). */
  sqs?: { waitTimeSeconds?: number; defaultConcurrency?: number };
  /** Per-function timeout overrides in seconds. */
  functionTimeoutSeconds?: Record<string, number>;
  /** Scheduler policy for a cron time in a spring-forward gap (default 'skip', as EventBridge Scheduler). */
  dstGap?: DstGapPolicy;
  /**
   * S3 → SQS notifications of the topology's buckets. `duplicateEvery: n` delivers every n-th notification twice
   * (1: all), as S3's at-least-once delivery may, to test consumers' idempotency; off by default.
   */
  s3Notifications?: { duplicateEvery?: number };
  /**
   * Stand-ins for CAIR2, RIDE and SDIR on 127.0.0.1, with REGISTRY_CREDENTIALS pointing the reporter at them.
   * Started when the topology has the REGISTRY_CREDENTIALS secret and no value for it is given (extraEnv or the
   * environment); `false` starts none. Ports: `ports`, else CAIR2_STANDIN_PORT / RIDE_STANDIN_PORT /
   * SDIR_STANDIN_PORT, else free ones.
   */
  registries?: false | { ports?: Partial<Record<LocalRegistryName, number>> };
  /**
   * A CDC Data Clearinghouse stand-in on 127.0.0.1, with CDC_CLEARINGHOUSE pointing the CDC report at it. Started
   * when the topology has that secret and no value for it is given; `false` starts none. Port: `port`, else
   * CLEARINGHOUSE_STANDIN_PORT, else a free one. It requires mutual TLS, as CDC's production Clearinghouse does,
   * unless `tls: false`: a local CA, server and client certificate are made at start (kept under
   * `${dataDir}/clearinghouse-tls/` when there is a data directory) and the client's certificate, key and the CA go
   * into CDC_CLEARINGHOUSE.
   */
  clearinghouse?: false | { port?: number; tls?: boolean };
  /**
   * IAM enforced on the functions' AWS calls (local/iam/, docs/iam-local.md): each call made inside an invocation,
   * and each receive/delete of an SQS trigger, is evaluated against the policy `cdk synth` gives that function's
   * role, and fails with AccessDenied where AWS would deny it. Every function must be one of the stack's. When
   * omitted: on if LOCAL_IAM=on and every function is the stack's, else off. `npm start` and the integration test
   * harnesses turn it on.
   */
  iam?: boolean | LocalIamOptions;
}

export interface LocalRuntime {
  apiUrl: string;
  /** Every variable the runtime set in process.env for the handlers. */
  env: Record<string, string>;
  endpoints: LocalEndpoints;
  queues: ProvisionedQueue[];
  /** Invokes a function directly (synchronous invocation semantics: JSON round-trip, 6 MB, its timeout). */
  invoke(functionName: string, event: unknown): Promise<unknown>;
  /** Depth of every queue and DLQ of the topology. */
  queueDepths(): Promise<QueueDepth[]>;
  clearAuthorizerCache(): void;
  /** Resolves when the S3 notifications of every object created so far have been sent to their queues. */
  flushS3Notifications(): Promise<void>;
  /** Spy on SQS/SNS/S3 events of the SQS/S3 stand-in (S3 uploads: bucket and key). */
  spy: MessageSpyReader;
  onSpyMessage(listener: (message: SpyMessage) => void): () => void;
  /** The registry stand-ins running (empty when none were started): what each received, and its faults. */
  registries: Partial<Record<LocalRegistryName, RegistryStandin>>;
  /** The CDC Clearinghouse stand-in, when one was started. */
  clearinghouse?: ClearinghouseStandin;
  /** The stand-in's CA and the client certificate and key files, when it runs mutual TLS with a data directory. */
  clearinghouseTlsFiles?: { ca: string; clientCert: string; clientKey: string };
  /** IAM enforcement, when on: the policies enforced and the calls denied so far. */
  iam?: { enforcer: LocalIamEnforcer; denials: Denial[] };
  stop(): Promise<void>;
}

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
/** One set per process for runtimes without a data directory: making keys takes a few hundred milliseconds. */
let inMemoryTls: LocalTlsMaterial | undefined;

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
    const sqsS3 = await startSqsS3(
      dataDir ? { sqsDir: join(dataDir, 'sqs'), s3Dir: join(dataDir, 's3') } : {},
    );
    cleanups.push(() => sqsS3.stop());

    // Before the handlers' env is set; stopped after the pollers and in-flight invocations (cleanups run in
    // reverse), so a reporter that is draining still reaches its registry.
    const registryCredentialsGiven =
      options.extraEnv?.REGISTRY_CREDENTIALS ?? process.env.REGISTRY_CREDENTIALS;
    const wantsRegistries = Object.values(topo.secrets ?? {}).some(
      (s) => s.envVar === 'REGISTRY_CREDENTIALS',
    );
    let registries: LocalRegistries | undefined;
    if (options.registries !== false && wantsRegistries && !registryCredentialsGiven) {
      registries = await startLocalRegistries({
        ports: options.registries?.ports ?? registryPortsFromEnv(),
        logger,
      });
      cleanups.push(() => registries!.stop());
    }

    const clearinghouseGiven = options.extraEnv?.CDC_CLEARINGHOUSE ?? process.env.CDC_CLEARINGHOUSE;
    const wantsClearinghouse = Object.values(topo.secrets ?? {}).some(
      (s) => s.envVar === 'CDC_CLEARINGHOUSE',
    );
    let clearinghouse:
      | { standin: ClearinghouseStandin; secretValue: string; tlsDir: string | undefined }
      | undefined;
    if (options.clearinghouse !== false && wantsClearinghouse && !clearinghouseGiven) {
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
      cleanups.push(() => standin.stop());
      const secret = {
        url: standin.url,
        clientId,
        clientSecret,
        ...(tls ? { certificate: tls.clientCert, privateKey: tls.clientKey, ca: tls.ca } : {}),
      };
      clearinghouse = { standin, secretValue: JSON.stringify(secret), tlsDir: tls ? tlsDir : undefined };
    }

    const provisioned = await provision(
      topo,
      { dynamodb: dynamo.endpoint, sqs: sqsS3.endpoint, s3: sqsS3.endpoint },
      logger,
    );

    // process.env is set before any handler module is imported: module scope reads it once, as in Lambda.
    const env: Record<string, string> = {
      AWS_REGION: LOCAL_REGION,
      AWS_DEFAULT_REGION: LOCAL_REGION,
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
      AWS_ENDPOINT_URL_SQS: sqsS3.endpoint,
      AWS_ENDPOINT_URL_S3: sqsS3.endpoint,
      AWS_REQUEST_CHECKSUM_CALCULATION: 'WHEN_REQUIRED',
      AWS_RESPONSE_CHECKSUM_VALIDATION: 'WHEN_REQUIRED',
      ...provisioned.env,
    };
    for (const secret of Object.values(topo.secrets ?? {})) {
      if (secret.envVar === 'REGISTRY_CREDENTIALS') {
        // JSON, not a random token: the stand-ins' endpoints and credentials, or what the caller gave, or none.
        env[secret.envVar] = registries?.secretValue ?? registryCredentialsGiven ?? '{}';
        continue;
      }
      if (secret.envVar === 'CDC_CLEARINGHOUSE') {
        env[secret.envVar] = clearinghouse?.secretValue ?? clearinghouseGiven ?? '{}';
        continue;
      }
      env[secret.envVar] = options.extraEnv?.[secret.envVar] ?? secretValue(dataDir, secret.envVar);
    }
    Object.assign(env, options.extraEnv);
    const previousEnv = new Map(Object.keys(env).map((k) => [k, process.env[k]]));
    Object.assign(process.env, env);
    cleanups.push(() => {
      for (const [k, v] of previousEnv) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    });

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

    const invoker = createInvoker({
      rootDir: options.rootDir ?? REPO_ROOT,
      functions: topo.functions,
      maxPayloadBytes: topo.api.maxLambdaPayloadBytes,
      timeoutSeconds: options.functionTimeoutSeconds,
      logger,
      iam,
    });
    cleanups.push(() => invoker.drain());

    const lambdaApi = await startLambdaApi({ invoker, port: portFromEnv('LAMBDA_API_PORT') });
    cleanups.push(() => lambdaApi.stop());

    const http = await startHttpApi({
      functions: topo.functions,
      api: topo.api,
      invoker,
      port: options.port ?? 0,
      logger,
    });
    cleanups.push(() => http.stop());

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
      const file = join(dataDir, ENDPOINTS_FILE);
      const content: EndpointsFile = {
        pid: process.pid,
        startedAt: new Date().toISOString(),
        endpoints,
        queues: queueList,
      };
      writeFileSync(`${file}.tmp`, `${JSON.stringify(content, null, 2)}\n`);
      renameSync(`${file}.tmp`, file);
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
      ...(iam ? { iam: { enforcer: iam, denials: iam.denials } } : {}),
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
