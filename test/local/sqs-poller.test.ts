import { resolve } from 'node:path';
import {
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { localClientConfig } from '../../local/clients.ts';
import { createInvoker, type LocalFunctionSpec } from '../../local/lambda.ts';
import { type ProvisionedQueue, provision } from '../../local/provision.ts';
import { type SqsS3Standin, startSqsS3 } from '../../local/standins/sqs-s3.ts';
import {
  failedMessageIds,
  type SqsPoller,
  type SqsTriggerSettings,
  startSqsPoller,
} from '../../local/triggers/sqs-poller.ts';
import { fixtureState, resetFixtureState } from './fixtures/state.ts';
import { quiet, waitFor } from './helpers.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const VISIBILITY = 1;
const MAX_RECEIVES = 2;

const functions: Record<string, LocalFunctionSpec> = {
  consumer: {
    entry: 'test/local/fixtures/sqs-consumer.ts',
    description: 'fixture',
    timeoutSeconds: 5,
    memoryMb: 128,
  },
  unwritten: {
    entry: 'test/local/fixtures/not-there.ts',
    description: 'fixture',
    timeoutSeconds: 5,
    memoryMb: 128,
  },
};

let standin: SqsS3Standin;
let sqs: SQSClient;
let queueCounter = 0;
let queue: ProvisionedQueue;
let poller: SqsPoller | undefined;
const logLines: string[] = [];

beforeAll(async () => {
  standin = await startSqsS3();
  sqs = new SQSClient({ ...localClientConfig(standin.endpoint), useQueueUrlAsEndpoint: false });
});
afterAll(async () => {
  sqs.destroy();
  await standin.stop();
});

async function newQueue(visibilityTimeoutSeconds: number): Promise<ProvisionedQueue> {
  const name = `work-${++queueCounter}`;
  const { queues } = await provision(
    {
      tables: {},
      buckets: {},
      queues: {
        work: {
          name,
          envVar: 'WORK_QUEUE_URL',
          visibilityTimeoutSeconds,
          maxReceiveCount: MAX_RECEIVES,
          retentionDays: 1,
        },
      },
    },
    // provision only touches the stand-ins it needs; there are no tables or buckets here
    { dynamodb: 'http://127.0.0.1:1', sqs: standin.endpoint, s3: standin.endpoint },
    quiet(),
  );
  return queues[0]!;
}

beforeEach(async () => {
  resetFixtureState();
  logLines.length = 0;
  // A fresh queue (and DLQ) per test, with a tiny visibility timeout so redelivery takes about a second.
  queue = await newQueue(VISIBILITY);
});
afterEach(async () => {
  await poller?.stop();
  poller = undefined;
});

async function start(trigger: Partial<SqsTriggerSettings> = {}, functionName = 'consumer') {
  const logger = quiet(logLines);
  poller = await startSqsPoller({
    functionName,
    trigger: { batchSize: 10, maxBatchingWindowSeconds: 0, reportBatchItemFailures: true, ...trigger },
    queueUrl: queue.url,
    endpoint: standin.endpoint,
    invoker: createInvoker({ rootDir: ROOT, functions, logger }),
    interruptLongPolls: standin.interruptLongPolls,
    waitTimeSeconds: 20,
    unavailableRetryMs: 100,
    logger,
  });
  return poller;
}

async function send(...modes: string[]) {
  const out = await sqs.send(
    new SendMessageBatchCommand({
      QueueUrl: queue.url,
      Entries: modes.map((mode, i) => ({ Id: String(i), MessageBody: JSON.stringify({ mode, i }) })),
    }),
  );
  return out.Successful!.sort((a, b) => Number(a.Id) - Number(b.Id)).map((s) => s.MessageId!);
}

async function depth(url: string) {
  const a = (
    await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: url,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    )
  ).Attributes!;
  return {
    visible: Number(a.ApproximateNumberOfMessages),
    inFlight: Number(a.ApproximateNumberOfMessagesNotVisible),
  };
}

const isEmpty = async (url: string) => {
  const d = await depth(url);
  return d.visible + d.inFlight === 0;
};

describe('SQS event', () => {
  it('has Lambda’s record shape', async () => {
    const sent = await sqs.send(
      new SendMessageCommand({
        QueueUrl: queue.url,
        MessageBody: JSON.stringify({ mode: 'ok' }),
        MessageAttributes: {
          kind: { DataType: 'String', StringValue: 'dose' },
          blob: { DataType: 'Binary', BinaryValue: Buffer.from([1, 2, 3]) },
        },
      }),
    );
    await start();
    await waitFor(() => fixtureState().sqsEvents.length === 1);
    const record = (fixtureState().sqsEvents[0] as SQSEvent).Records[0]!;
    expect(record).toMatchObject({
      messageId: sent.MessageId,
      receiptHandle: expect.any(String),
      body: '{"mode":"ok"}',
      md5OfBody: sent.MD5OfMessageBody,
      md5OfMessageAttributes: sent.MD5OfMessageAttributes,
      eventSource: 'aws:sqs',
      eventSourceARN: `arn:aws:sqs:us-east-1:000000000000:${queue.name}`,
      awsRegion: 'us-east-1',
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: expect.stringMatching(/^\d{13}$/),
        SenderId: expect.any(String),
        ApproximateFirstReceiveTimestamp: expect.stringMatching(/^\d{13}$/),
      },
      messageAttributes: {
        kind: { stringValue: 'dose', stringListValues: [], binaryListValues: [], dataType: 'String' },
        blob: { binaryValue: 'AQID', stringListValues: [], binaryListValues: [], dataType: 'Binary' },
      },
    });
    await waitFor(() => isEmpty(queue.url), 3000, 'the queue to empty');
  });

  it('gathers up to batchSize messages within the batching window', async () => {
    // Visibility must outlast the window (AWS: at least six times the function timeout), or messages received
    // early in the window would come back while the batch is still being gathered.
    queue = await newQueue(30);
    // One poller, so the split is deterministic (AWS's minimum is 2; locally 1 is allowed).
    await start({ batchSize: 15, maxBatchingWindowSeconds: 1, maximumConcurrency: 1 });
    await send(...Array(10).fill('ok'));
    await new Promise((r) => setTimeout(r, 200));
    await send(...Array(10).fill('ok'));
    await waitFor(
      () => fixtureState().sqsCalls.reduce((n, c) => n + c.records.length, 0) === 20,
      5000,
      '20 records',
    );
    expect(fixtureState().sqsCalls.map((c) => c.records.length)).toEqual([15, 5]);
    const ids = fixtureState().sqsCalls.flatMap((c) => c.records.map((r) => r.messageId));
    expect(new Set(ids).size).toBe(20);
    await waitFor(() => isEmpty(queue.url), 3000, 'the queue to empty');
  });
});

describe('outcomes', () => {
  it('deletes the whole batch when the handler returns normally', async () => {
    await send('ok', 'ok', 'ok');
    await start();
    await waitFor(() => isEmpty(queue.url), 3000, 'the queue to empty');
    expect(fixtureState().sqsCalls).toHaveLength(1);
    expect(fixtureState().sqsCalls[0]!.records).toHaveLength(3);
  });

  it('keeps only the messages reported in batchItemFailures, which reach the DLQ after maxReceiveCount', async () => {
    const [ok1, failing, ok2] = await send('ok', 'fail', 'ok');
    await start();
    await waitFor(() => fixtureState().sqsCalls.length === 1);
    expect(fixtureState().sqsCalls[0]!.records.map((r) => r.messageId)).toEqual([ok1, failing, ok2]);
    await waitFor(
      async () => (await depth(queue.url)).inFlight === 1 && (await depth(queue.url)).visible === 0,
    );

    // Redelivered (alone) after the visibility timeout, then moved to the DLQ by the queue's redrive policy.
    await waitFor(async () => (await depth(queue.dlqUrl)).visible === 1, 5000, 'the DLQ');
    const calls = fixtureState().sqsCalls;
    expect(calls.slice(1).map((c) => c.records.map((r) => [r.messageId, r.receiveCount]))).toEqual([
      [[failing, 2]],
    ]);
    expect(calls[1]!.at - calls[0]!.at).toBeGreaterThanOrEqual(VISIBILITY * 1000 - 100);
    expect(await isEmpty(queue.url)).toBe(true);
    const dead = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queue.dlqUrl, MessageSystemAttributeNames: ['All'] }),
    );
    expect(dead.Messages?.[0]?.MessageId).toBe(failing);
  });

  it('redelivers the whole batch after the visibility timeout when the handler throws', async () => {
    const ids = await send('ok', 'throwOnce');
    await start();
    await waitFor(() => isEmpty(queue.url), 5000, 'the queue to empty');
    const calls = fixtureState().sqsCalls;
    expect(calls).toHaveLength(2);
    expect(calls[0]!.records.map((r) => [r.messageId, r.receiveCount])).toEqual(ids.map((id) => [id, 1]));
    expect(calls[1]!.records.map((r) => [r.messageId, r.receiveCount])).toEqual(ids.map((id) => [id, 2]));
    expect(calls[1]!.at - calls[0]!.at).toBeGreaterThanOrEqual(VISIBILITY * 1000 - 100);
    expect(logLines).toContain('[local] function consumer failed: Error: consumer exploded');
  });

  it('fails the whole batch for a malformed batchItemFailures answer', async () => {
    const ids = await send('ok', 'malformedOnce');
    await start();
    await waitFor(() => isEmpty(queue.url), 5000, 'the queue to empty');
    const calls = fixtureState().sqsCalls;
    // The message that succeeded the first time was not deleted: it came back with the other.
    expect(calls.map((c) => c.records.map((r) => [r.messageId, r.receiveCount]))).toEqual([
      ids.map((id) => [id, 1]),
      ids.map((id) => [id, 2]),
    ]);
    expect(logLines.some((l) => l.includes('malformed batchItemFailures'))).toBe(true);
  });

  it('classifies batch responses as Lambda does', () => {
    const ids = ['a', 'b'];
    expect(failedMessageIds(undefined, ids)).toEqual(new Set());
    expect(failedMessageIds(null, ids)).toEqual(new Set());
    expect(failedMessageIds({}, ids)).toEqual(new Set());
    expect(failedMessageIds({ batchItemFailures: null }, ids)).toEqual(new Set());
    expect(failedMessageIds({ batchItemFailures: [] }, ids)).toEqual(new Set());
    expect(failedMessageIds({ batchItemFailures: [{ itemIdentifier: 'b' }] }, ids)).toEqual(new Set(['b']));
    expect(failedMessageIds({ batchItemFailures: [{ itemIdentifier: '' }] }, ids)).toBe('all');
    expect(failedMessageIds({ batchItemFailures: [{ itemIdentifier: null }] }, ids)).toBe('all');
    expect(failedMessageIds({ batchItemFailures: [{ id: 'a' }] }, ids)).toBe('all');
    expect(failedMessageIds({ batchItemFailures: [{ itemIdentifier: 'zzz' }] }, ids)).toBe('all');
    expect(failedMessageIds({ batchItemFailures: 'a' }, ids)).toBe('all');
  });
});

describe('lifecycle', () => {
  it('stops promptly while long-polling, and waits for an in-flight invocation', async () => {
    await start();
    await new Promise((r) => setTimeout(r, 100)); // pollers are now in a 20 s long poll
    let started = Date.now();
    await poller!.stop();
    expect(Date.now() - started).toBeLessThan(1000);

    await send('slow');
    await start();
    await waitFor(() => fixtureState().slowStarted === 1);
    started = Date.now();
    await poller!.stop();
    expect(fixtureState().slowFinished).toBe(1);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(await isEmpty(queue.url)).toBe(true); // its delete happened before stop resolved
  });

  it('leaves messages alone while the function’s module does not exist', async () => {
    await send('ok');
    await start({}, 'unwritten');
    await new Promise((r) => setTimeout(r, 300));
    expect(await depth(queue.url)).toEqual({ visible: 1, inFlight: 0 });
    expect(logLines.filter((l) => l.includes('unwritten'))).toHaveLength(1);
  });
});
