import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import {
  DescribeTableCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { topology as realTopology } from '../../infra/topology.ts';
import { type EndpointsFile, type LocalTopology, startLocalRuntime } from '../../local/runtime.ts';
import { fixtureState, resetFixtureState } from './fixtures/state.ts';
import { quiet, tempDir, waitFor } from './helpers.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const fixture = (name: string) => `test/local/fixtures/${name}.ts`;

const testTopology: LocalTopology = {
  tables: {
    things: {
      name: 'things',
      envVar: 'THINGS_TABLE',
      partitionKey: 'pk',
      sortKey: 'sk',
      indexes: [{ name: 'by-other', partitionKey: 'other_pk', sortKey: 'other_sk' }],
    },
  },
  queues: {
    work: {
      name: 'work',
      envVar: 'WORK_QUEUE_URL',
      visibilityTimeoutSeconds: 1,
      maxReceiveCount: 2,
      retentionDays: 1,
    },
    idle: {
      name: 'idle',
      envVar: 'IDLE_QUEUE_URL',
      visibilityTimeoutSeconds: 30,
      maxReceiveCount: 3,
      retentionDays: 4,
    },
  },
  buckets: { drop: { name: 'drop', envVar: 'DROP_BUCKET' } },
  secrets: { adminKey: { envVar: 'LOCAL_TEST_ADMIN_KEY', description: 'test secret' } },
  functions: {
    authorizer: { entry: fixture('authorizer'), description: 'f', timeoutSeconds: 5, memoryMb: 128 },
    api: {
      entry: fixture('http'),
      description: 'f',
      timeoutSeconds: 5,
      memoryMb: 128,
      routes: ['GET /plain'],
    },
    consumer: {
      entry: fixture('sqs-consumer'),
      description: 'f',
      timeoutSeconds: 5,
      memoryMb: 128,
      sqs: { queue: 'work', batchSize: 10, maxBatchingWindowSeconds: 0, reportBatchItemFailures: true },
    },
    envReader: { entry: fixture('env-reader'), description: 'f', timeoutSeconds: 5, memoryMb: 128 },
    unwritten: {
      entry: fixture('still-being-written'),
      description: 'f',
      timeoutSeconds: 5,
      memoryMb: 128,
      publicRoutes: ['GET /later'],
      sqs: { queue: 'idle', batchSize: 10, maxBatchingWindowSeconds: 0, reportBatchItemFailures: true },
    },
  },
  api: {
    authorizer: 'authorizer',
    identitySource: 'authorization',
    authorizerCacheTtlSeconds: 30,
    maxPayloadBytes: 1024 * 1024,
    maxLambdaPayloadBytes: 6 * 1024 * 1024,
    integrationTimeoutSeconds: 5,
  },
};

const dataDir = tempDir('runtime');
afterAll(() => dataDir.remove());
beforeEach(() => resetFixtureState());

describe('startLocalRuntime', () => {
  it('provisions, wires every trigger, serves on loopback, and cleans up', async () => {
    const lines: string[] = [];
    const before = process.env.AWS_ENDPOINT_URL_SQS;
    const rt = await startLocalRuntime({
      dataDir: dataDir.path,
      topology: testTopology,
      rootDir: ROOT,
      extraEnv: { EXTRA_SETTING: 'yes' },
      schedules: false,
      logger: quiet(lines),
    });
    try {
      for (const url of [rt.apiUrl, ...Object.values(rt.endpoints)])
        expect(new URL(url).hostname).toBe('127.0.0.1');
      expect(rt.env).toMatchObject({
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'local',
        AWS_SECRET_ACCESS_KEY: 'local',
        AWS_ENDPOINT_URL_DYNAMODB: rt.endpoints.dynamodb,
        AWS_ENDPOINT_URL_SQS: rt.endpoints.sqs,
        AWS_ENDPOINT_URL_S3: rt.endpoints.s3,
        AWS_REQUEST_CHECKSUM_CALCULATION: 'WHEN_REQUIRED',
        AWS_RESPONSE_CHECKSUM_VALIDATION: 'WHEN_REQUIRED',
        THINGS_TABLE: 'things',
        WORK_QUEUE_URL: `${rt.endpoints.sqs}/000000000000/work`,
        WORK_QUEUE_URL_DLQ_URL: `${rt.endpoints.sqs}/000000000000/work-dlq`,
        DROP_BUCKET: 'drop',
        LOCAL_TEST_ADMIN_KEY: expect.stringMatching(/^[\w-]{32}$/),
        EXTRA_SETTING: 'yes',
      });
      for (const [k, v] of Object.entries(rt.env)) expect(process.env[k], k).toBe(v);

      // The table and its GSI (projection ALL) exist.
      const ddb = new DynamoDBClient({});
      const table = await ddb.send(new DescribeTableCommand({ TableName: 'things' }));
      expect(table.Table?.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');
      expect(
        table.Table?.GlobalSecondaryIndexes?.map((i) => [i.IndexName, i.Projection?.ProjectionType]),
      ).toEqual([['by-other', 'ALL']]);
      await ddb.send(new PutItemCommand({ TableName: 'things', Item: { pk: { S: 'p' }, sk: { S: 's' } } }));
      ddb.destroy();

      // HTTP API → authorizer → function; a function whose module is missing answers 500.
      const ok = await fetch(`${rt.apiUrl}/plain`, { headers: { authorization: 'Bearer good' } });
      expect(ok.status).toBe(200);
      expect(await ok.json()).toEqual({ hello: 'world' });
      expect((await fetch(`${rt.apiUrl}/later`)).status).toBe(500);

      // SQS trigger, with the queue URL handed to handlers; redrive policy and retention are on the queue.
      const sqs = new SQSClient({});
      await sqs.send(
        new SendMessageCommand({ QueueUrl: process.env.WORK_QUEUE_URL, MessageBody: '{"mode":"ok"}' }),
      );
      await sqs.send(
        new SendMessageCommand({ QueueUrl: process.env.IDLE_QUEUE_URL, MessageBody: '{"mode":"ok"}' }),
      );
      sqs.destroy();
      await waitFor(() => fixtureState().sqsCalls.length === 1);
      await waitFor(async () => (await rt.queueDepths()).find((d) => d.queue === 'work')!.inFlight === 0);
      expect(await rt.queueDepths()).toEqual([
        { queue: 'work', dlq: false, visible: 0, inFlight: 0, delayed: 0 },
        { queue: 'work-dlq', dlq: true, visible: 0, inFlight: 0, delayed: 0 },
        // Nothing consumes `idle` while its function's module does not exist.
        { queue: 'idle', dlq: false, visible: 1, inFlight: 0, delayed: 0 },
        { queue: 'idle-dlq', dlq: true, visible: 0, inFlight: 0, delayed: 0 },
      ]);
      expect(lines.filter((l) => l.includes('function unwritten unavailable'))).toHaveLength(1);

      // A handler's SDK client built with no configuration reaches the local S3 from the environment alone.
      expect(await rt.invoke('envReader', { bucketVar: 'DROP_BUCKET', key: 'dir/a b.txt' })).toEqual({
        body: 'from a handler',
        region: 'us-east-1',
      });
      expect(
        rt.spy.checkForMessage({ service: 's3', bucket: 'drop', key: 'dir/a b.txt' }, 'uploaded'),
      ).toBeDefined();

      // endpoints.json lets the queues CLI find the stack.
      const file = JSON.parse(readFileSync(join(dataDir.path, 'endpoints.json'), 'utf8')) as EndpointsFile;
      expect(file.pid).toBe(process.pid);
      expect(file.endpoints).toEqual(rt.endpoints);
      const cli = await promisify(execFile)(process.execPath, [
        join(ROOT, 'local/queues-cli.ts'),
        dataDir.path,
      ]);
      expect(cli.stdout).toMatch(/^idle\s+1\s+0\s+0$/m);
      expect(cli.stdout).toMatch(/^work-dlq\s+0\s+0\s+0$/m);
    } finally {
      await rt.stop();
    }
    expect(existsSync(join(dataDir.path, 'endpoints.json'))).toBe(false);
    expect(process.env.AWS_ENDPOINT_URL_SQS).toBe(before);
    expect(process.env.EXTRA_SETTING).toBeUndefined();
    await expect(fetch(`${rt.apiUrl}/plain`)).rejects.toThrow();
  });

  it('restarts from the same data directory with its data, messages and generated secrets', async () => {
    const secret = JSON.parse(readFileSync(join(dataDir.path, 'secrets.json'), 'utf8')).LOCAL_TEST_ADMIN_KEY;
    const rt = await startLocalRuntime({
      dataDir: dataDir.path,
      topology: testTopology,
      rootDir: ROOT,
      schedules: false,
      logger: quiet(),
    });
    try {
      expect(rt.env.LOCAL_TEST_ADMIN_KEY).toBe(secret);
      const ddb = new DynamoDBClient({});
      const item = await ddb.send(
        new GetItemCommand({ TableName: 'things', Key: { pk: { S: 'p' }, sk: { S: 's' } } }),
      );
      expect(item.Item).toBeDefined();
      ddb.destroy();
      const idle = (await rt.queueDepths()).find((d) => d.queue === 'idle')!;
      expect(idle.visible).toBe(1);
    } finally {
      await rt.stop();
    }
    const cli = promisify(execFile)(process.execPath, [join(ROOT, 'local/queues-cli.ts'), dataDir.path]);
    await expect(cli).rejects.toMatchObject({ code: 1 });
  });

  it('reads every resource name from the real topology', async () => {
    const rt = await startLocalRuntime({ schedules: false, logger: quiet() });
    try {
      for (const t of Object.values(realTopology.tables)) expect(rt.env[t.envVar]).toBe(t.name);
      for (const q of Object.values(realTopology.queues)) {
        expect(rt.env[q.envVar]).toBe(`${rt.endpoints.sqs}/000000000000/${q.name}`);
        expect(rt.env[`${q.envVar}_DLQ_URL`]).toBe(`${rt.endpoints.sqs}/000000000000/${q.name}-dlq`);
      }
      for (const b of Object.values(realTopology.buckets)) expect(rt.env[b.envVar]).toBe(b.name);
      for (const s of Object.values(realTopology.secrets)) expect(rt.env[s.envVar]).toBeTruthy();
      expect((await rt.queueDepths()).map((d) => d.queue).sort()).toEqual(
        Object.values(realTopology.queues)
          .flatMap((q) => [q.name, `${q.name}-dlq`])
          .sort(),
      );
      expect((await fetch(`${rt.apiUrl}/definitely-not-a-route`)).status).toBe(404);
    } finally {
      await rt.stop();
    }
  });
});
