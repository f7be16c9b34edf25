/** The local runtime's inputs (the topology it reads, its options) and what it gives back once started. */

import type { MessageSpyReader, SpyMessage } from 'fauxqs';
import type { BucketSpec, QueueSpec, SecretSpec, TableSpec } from '../infra/topology.ts';
import type { LocalEndpoints, QueueDepth } from './endpoints.ts';
import type { Denial, LocalIamEnforcer, LocalIamOptions } from './iam/index.ts';
import type { LocalFunctionSpec } from './lambda.ts';
import type { Logger } from './log.ts';
import type { Meter } from './metering/meter.ts';
import type { ProvisionedQueue } from './provision.ts';
import type { ClearinghouseStandin } from './standins/clearinghouse.ts';
import type { OidcMachineClient, OidcStandin, OidcUser } from './standins/oidc.ts';
import type { RegistryStandin } from './standins/registry.ts';
import type { LocalRegistryName } from './standins/registry-local.ts';
import type { ApiSettings } from './triggers/http-api.ts';
import type { DstGapPolicy } from './triggers/scheduler.ts';

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
   * The sign-in provider (issue 16, docs/sign-in.md#locally): a real OpenID provider on 127.0.0.1, with
   * OIDC_ISSUER and OIDC_AUDIENCE pointing the API's authorizer at it. Started when the topology has the API's
   * authorizer, unless `false` or an OIDC_ISSUER is given (extraEnv or the environment). Port: `port`, else
   * OIDC_STANDIN_PORT, else a free one. Without `users` and `clients`, the demo's: a user per role for the demo
   * site and a machine client `site-<demo site>`, their passwords and secret made once and kept in
   * `${dataDir}/oidc/demo.json` (per runtime without a data directory), beside its signing key. The console's
   * redirect URIs default to `<api>/callback` (after sign-out: `<api>/`).
   */
  oidc?:
    | false
    | {
        port?: number;
        users?: OidcUser[];
        clients?: OidcMachineClient[];
        redirectUris?: string[];
        postLogoutRedirectUris?: string[];
        /** Access token lifetime in seconds (default 900). */
        accessTokenTtlSeconds?: number;
      };
  /**
   * IAM enforced on the functions' AWS calls (local/iam/, docs/iam-local.md): each call made inside an invocation,
   * and each receive/delete of an SQS trigger, is evaluated against the policy `cdk synth` gives that function's
   * role, and fails with AccessDenied where AWS would deny it. Every function must be one of the stack's. When
   * omitted: on if LOCAL_IAM=on and every function is the stack's, else off. `npm start` and the integration test
   * harnesses turn it on.
   */
  iam?: boolean | LocalIamOptions;
  /**
   * The web console (docs/console.md), already built into `dir` (shared/console/build.ts): served at the API's
   * port for GET paths outside the API's routes, as CloudFront serves it in AWS, with its security headers. Its
   * `config.json` (the issuer and the console's client id) is written into `dir` once the provider runs.
   */
  console?: { dir: string };
  /**
   * Metering for the bench's cost model (local/metering/): invocations, durations, log bytes, HTTP API requests
   * and each function's AWS calls in billing units, read with `meter.snapshot()`. `quietLogs`: functions' log
   * lines are counted, not printed. Off when omitted.
   */
  metering?: { quietLogs?: boolean };
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
  /** The sign-in provider, when one was started: its issuer, the API audience, its users and machine clients. */
  oidc?: {
    issuer: string;
    /** The `aud` of its access tokens (OIDC_AUDIENCE): the API's resource indicator. */
    audience: string;
    tokenEndpoint: string;
    /** The public client of the console (authorization code with PKCE) and where it may be sent back. */
    consoleClientId: string;
    redirectUris: string[];
    users: OidcUser[];
    clients: OidcMachineClient[];
    standin: OidcStandin;
  };
  /** The web console's address (`<api>/`), when it is served. */
  consoleUrl?: string;
  /** The meter, when metering is on. */
  meter?: Meter;
  /** IAM enforcement, when on: the policies enforced and the calls denied so far. */
  iam?: { enforcer: LocalIamEnforcer; denials: Denial[] };
  stop(): Promise<void>;
}
