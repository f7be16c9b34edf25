/** The shapes of infra/topology.ts's entries (kept apart so the topology itself reads as data). */
import type { BucketName, QueueName, SecretName, TableName } from './topology.ts';

export type Access = 'read' | 'write';

export interface IndexSpec {
  name: string;
  partitionKey: string;
  sortKey: string;
  /**
   * The non-key attributes the index holds (an INCLUDE projection); every attribute when omitted (ALL). An index
   * that holds few attributes costs one write unit per copy, and an update of attributes it does not hold does
   * not write it at all.
   */
  include?: readonly string[];
}

export interface TableSpec {
  /** Logical name; the physical name locally, a CDK-generated one in AWS. */
  name: string;
  /** Environment variable that carries the table name into functions bound to it. */
  envVar: string;
  partitionKey: string;
  sortKey: string;
  indexes: IndexSpec[];
}

export interface QueueSpec {
  name: string;
  /** Environment variable that carries the queue URL into functions bound to it. */
  envVar: string;
  visibilityTimeoutSeconds: number;
  /** Receives before SQS moves a message to the queue's DLQ (the redrive policy belongs to the queue). */
  maxReceiveCount: number;
  retentionDays: number;
}

export interface BucketNotification {
  /** Only keys under this prefix notify: objects the pipeline writes elsewhere must never re-trigger it. */
  prefix: string;
  suffix?: string;
  events: ('s3:ObjectCreated:*' | 's3:ObjectCreated:Put' | 's3:ObjectCreated:CompleteMultipartUpload')[];
  /** S3 → SQS (never S3 → Lambda directly): the queue's DLQ and retries cover a failing consumer. */
  queue: QueueName;
}

export interface LifecycleRule {
  prefix: string;
  /** Objects under the prefix are deleted this many days after creation. */
  expireDays: number;
}

/**
 * Cross-origin requests a bucket answers: the web console PUTs files to presigned URLs from its own origin. The
 * console's origin differs per deployment (CloudFront's domain in AWS, the API's port locally), so it is not
 * named here: `origins: 'console'` stands for it, resolved by the stack and by the local S3 stand-in.
 */
export interface BucketCors {
  origins: 'console';
  methods: ('GET' | 'PUT' | 'HEAD')[];
  /** Request headers the browser may send (lower case). */
  allowedHeaders: string[];
  /** Response headers the browser's script may read. */
  exposedHeaders: string[];
  maxAgeSeconds: number;
}

export interface BucketSpec {
  name: string;
  envVar: string;
  notifications?: BucketNotification[];
  lifecycle?: LifecycleRule[];
  cors?: BucketCors;
}

export interface SqsTrigger {
  queue: QueueName;
  batchSize: number;
  maxBatchingWindowSeconds: number;
  /** Always on: consumers answer `batchItemFailures`. */
  reportBatchItemFailures: true;
  maximumConcurrency?: number;
}

export interface ScheduleTrigger {
  /** EventBridge Scheduler expression: `rate(5 minutes)` or `cron(0 2 * * ? *)`. */
  expression: string;
  timezone: string;
  /** JSON handed to the function as its event. */
  input: Record<string, unknown>;
}

export interface FunctionSpec {
  /** Path of the handler module from the repository root; the export is always `handler`. */
  entry: string;
  description: string;
  timeoutSeconds: number;
  memoryMb: number;
  tables?: Partial<Record<TableName, Access>>;
  /** Queues the function sends to. */
  sendsTo?: QueueName[];
  /**
   * Queues whose depth the function reads, with their dead-letter queues: their URLs (`envVar`, and
   * `dlqEnvName(envVar)`) and `sqs:GetQueueAttributes` on both, nothing else (no send, receive or delete).
   */
  watchesQueues?: QueueName[];
  /** Object access by key prefix: a function reads and writes only the parts of a bucket its work needs. */
  buckets?: Partial<Record<BucketName, BucketAccess>>;
  /** Secrets the function reads (names from `secrets`). */
  secrets?: SecretName[];
  routes?: string[];
  /** Routes served without the authorizer (public documents only). */
  publicRoutes?: string[];
  sqs?: SqsTrigger;
  schedules?: ScheduleTrigger[];
  /**
   * A Cognito user pool trigger (`signIn`): Cognito invokes the function synchronously. AWS only: the local
   * runtime has its own OpenID provider (local/standins/oidc.ts) and never invokes it.
   */
  cognitoTrigger?: 'preTokenGeneration';
}

export interface BucketAccess {
  /** Prefixes whose objects the function may read (GetObject, HeadObject). */
  read?: string[];
  /**
   * Prefixes (each also under `read`) whose objects the function reads by version id: a GET, HEAD, copy source
   * or presigned GET naming a `VersionId`, which AWS authorizes as s3:GetObjectVersion, not s3:GetObject. Every
   * bucket is versioned, so a read of one exact version needs this.
   */
  readVersions?: string[];
  /** Prefixes whose objects the function may write (PutObject, multipart). */
  write?: string[];
}

export interface SecretSpec {
  /** The function reads `${envVar}_SECRET_ARN` in AWS; the local runtime sets `${envVar}` itself. */
  envVar: string;
  description: string;
}

/** A confidential app client of the user pool: a site's system calling the API with client credentials. */
export interface MachineClientSpec {
  /** The app client's name in Cognito (unique): e.g. `site-CAIR12345` or the EHR vendor's name. */
  name: string;
  /** The CAIR Org Codes the client acts for (at least one; the first is its default site). */
  sites: string[];
  access: Access;
}

/** Sign-in in AWS (issue 16, docs/sign-in.md): the Cognito user pool, its console client and machine clients. */
export interface SignInSpec {
  /** Prefix of the Cognito domain (`https://<prefix>.auth.<region>.amazoncognito.com`): unique per region. */
  domainPrefix: string;
  /** Where Cognito may send the console back with a code (the console's `/callback`). */
  callbackUrls: string[];
  /** Where Cognito may send the console after sign-out. */
  logoutUrls: string[];
  accessTokenMinutes: number;
  refreshTokenHours: number;
  /** The API's resource server and the one scope machine clients are granted. */
  resourceServer: { identifier: string; scope: string };
  machineClients: MachineClientSpec[];
}
