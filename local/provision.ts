/**
 * Creates, idempotently, every table, queue (with its DLQ) and bucket of the topology on the local stand-ins,
 * and returns the environment variables that carry their names/URLs into functions.
 */
import {
  type AttributeDefinition,
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  type GlobalSecondaryIndex,
  type KeySchemaElement,
} from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  SetQueueAttributesCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { dlqEnvName } from '#platform/env-names.ts';
import type { BucketSpec, QueueSpec, TableSpec } from '../infra/topology.ts';
import { localClientConfig } from './clients.ts';
import { defaultLogger, type Logger } from './log.ts';

export interface ProvisionTopology {
  tables: Record<string, TableSpec>;
  queues: Record<string, QueueSpec>;
  buckets: Record<string, BucketSpec>;
}

export interface ProvisionEndpoints {
  dynamodb: string;
  sqs: string;
  s3: string;
}

export interface ProvisionedQueue {
  /** Key in `topology.queues`. */
  key: string;
  name: string;
  url: string;
  arn: string;
  dlqName: string;
  dlqUrl: string;
  dlqArn: string;
}

export interface ProvisionResult {
  /** Table envVar → table name, queue envVar → URL, `${envVar}_DLQ_URL` → DLQ URL, bucket envVar → bucket. */
  env: Record<string, string>;
  queues: ProvisionedQueue[];
}

/** SQS keeps messages at most 14 days; the DLQ keeps them that long so a failure can be inspected. */
const MAX_RETENTION_SECONDS = 14 * 24 * 3600;

export function dlqName(queueName: string): string {
  return `${queueName}-dlq`;
}

export async function provision(
  topology: ProvisionTopology,
  endpoints: ProvisionEndpoints,
  logger: Logger = defaultLogger,
): Promise<ProvisionResult> {
  const env: Record<string, string> = {};
  const ddb = new DynamoDBClient(localClientConfig(endpoints.dynamodb));
  const sqs = new SQSClient({ ...localClientConfig(endpoints.sqs), useQueueUrlAsEndpoint: false });
  const s3 = new S3Client({ ...localClientConfig(endpoints.s3), forcePathStyle: true });
  try {
    for (const table of Object.values(topology.tables)) {
      await ensureTable(ddb, table, logger);
      env[table.envVar] = table.name;
    }
    const queues: ProvisionedQueue[] = [];
    for (const [key, spec] of Object.entries(topology.queues)) {
      const queue = await ensureQueueWithDlq(sqs, spec, endpoints.sqs);
      env[spec.envVar] = queue.url;
      env[dlqEnvName(spec.envVar)] = queue.dlqUrl;
      queues.push({ key, ...queue });
    }
    // Buckets only. Their `lifecycle` rules are not applied locally: fauxqs stores a lifecycle configuration but
    // never expires objects, and no local run lasts the 30+ days the rules are about. Their `notifications` are
    // delivered by triggers/s3-notifications.ts (fauxqs has no notification configuration either).
    for (const bucket of Object.values(topology.buckets)) {
      await ensureBucket(s3, bucket.name);
      env[bucket.envVar] = bucket.name;
    }
    return { env, queues };
  } finally {
    ddb.destroy();
    sqs.destroy();
    s3.destroy();
  }
}

function keySchema(partitionKey: string, sortKey?: string): KeySchemaElement[] {
  return [
    { AttributeName: partitionKey, KeyType: 'HASH' },
    ...(sortKey ? [{ AttributeName: sortKey, KeyType: 'RANGE' as const }] : []),
  ];
}

async function ensureTable(ddb: DynamoDBClient, table: TableSpec, logger: Logger): Promise<void> {
  const keyAttributes = new Set<string>([table.partitionKey, table.sortKey]);
  for (const index of table.indexes) {
    keyAttributes.add(index.partitionKey);
    keyAttributes.add(index.sortKey);
  }
  const attributeDefinitions: AttributeDefinition[] = [...keyAttributes]
    .filter(Boolean)
    .map((name) => ({ AttributeName: name, AttributeType: 'S' }));
  const gsis: GlobalSecondaryIndex[] = table.indexes.map((index) => ({
    IndexName: index.name,
    KeySchema: keySchema(index.partitionKey, index.sortKey),
    Projection: index.include
      ? { ProjectionType: 'INCLUDE', NonKeyAttributes: [...index.include] }
      : { ProjectionType: 'ALL' },
  }));
  try {
    await ddb.send(
      new CreateTableCommand({
        TableName: table.name,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: attributeDefinitions,
        KeySchema: keySchema(table.partitionKey, table.sortKey),
        ...(gsis.length ? { GlobalSecondaryIndexes: gsis } : {}),
      }),
    );
  } catch (err) {
    if ((err as Error).name !== 'ResourceInUseException') throw err;
    // The table exists (persisted from an earlier run). dynalite accepts but ignores UpdateTable's GSI
    // creation, so an index added to the topology since cannot be added in place: say so.
    const existing = await ddb.send(new DescribeTableCommand({ TableName: table.name }));
    const have = new Set((existing.Table?.GlobalSecondaryIndexes ?? []).map((i) => i.IndexName));
    const missing = table.indexes.filter((i) => !have.has(i.name)).map((i) => i.name);
    if (missing.length) {
      logger(
        `[local] table ${table.name} lacks index ${missing.join(', ')} (added to the topology after it was ` +
          'created); delete the local data directory to recreate it',
      );
    }
  }
}

async function ensureQueue(
  sqs: SQSClient,
  name: string,
  attributes: Record<string, string>,
  endpoint: string,
): Promise<{ url: string; arn: string }> {
  let url: string;
  try {
    url = (await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }))).QueueUrl!;
  } catch (err) {
    const name_ = (err as Error).name;
    if (!/QueueNameExists|QueueAlreadyExists/.test(name_)) throw err;
    // Exists with other attributes (the topology changed since it was persisted): bring it up to date.
    url = (await sqs.send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl!;
    await sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: attributes }));
  }
  // Hand out loopback URLs on the current port (the SQS client sends to the QueueUrl's origin).
  const local = `${endpoint}${new URL(url).pathname}`;
  const attrs = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: local, AttributeNames: ['QueueArn'] }),
  );
  return { url: local, arn: attrs.Attributes!.QueueArn! };
}

async function ensureQueueWithDlq(sqs: SQSClient, spec: QueueSpec, endpoint: string) {
  const dlq = await ensureQueue(
    sqs,
    dlqName(spec.name),
    { MessageRetentionPeriod: String(MAX_RETENTION_SECONDS) },
    endpoint,
  );
  const main = await ensureQueue(
    sqs,
    spec.name,
    {
      VisibilityTimeout: String(spec.visibilityTimeoutSeconds),
      MessageRetentionPeriod: String(Math.min(spec.retentionDays * 24 * 3600, MAX_RETENTION_SECONDS)),
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: spec.maxReceiveCount }),
    },
    endpoint,
  );
  return {
    name: spec.name,
    url: main.url,
    arn: main.arn,
    dlqName: dlqName(spec.name),
    dlqUrl: dlq.url,
    dlqArn: dlq.arn,
  };
}

async function ensureBucket(s3: S3Client, name: string): Promise<void> {
  try {
    await s3.send(new CreateBucketCommand({ Bucket: name }));
  } catch (err) {
    if (!/BucketAlreadyOwnedByYou|BucketAlreadyExists/.test((err as Error).name)) throw err;
  }
}
