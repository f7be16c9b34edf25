/**
 * S3 → SQS notifications of the local runtime, against the real fauxqs stand-in: what arrives on the queue is
 * what S3 would send (body = S3 event JSON, key URL-encoded, size, ETag, event name, sequencer), filters decide,
 * the s3:TestEvent comes once per data directory, and at-least-once duplicates can be switched on.
 */
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import {
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { topology as realTopology } from '../../infra/topology.ts';
import { localClientConfig } from '../../local/clients.ts';
import { type LocalTopology, startLocalRuntime } from '../../local/runtime.ts';
import {
  createSequencer,
  encodeEventKey,
  eventTypeMatches,
  filterMatches,
} from '../../local/triggers/s3-notifications.ts';
import { quiet, tempDir } from './helpers.ts';

// The real topology's drop bucket (notifications, lifecycle) and its queue, without the consumer: messages
// stay on the queue to be read.
const topology: LocalTopology = {
  tables: {},
  queues: { ingestFiles: realTopology.queues.ingestFiles },
  buckets: { drop: realTopology.buckets.drop },
  functions: {},
  api: {
    authorizer: 'none',
    identitySource: 'authorization',
    authorizerCacheTtlSeconds: 0,
    maxPayloadBytes: 1024 * 1024,
    maxLambdaPayloadBytes: 6 * 1024 * 1024,
    integrationTimeoutSeconds: 5,
  },
};

interface S3Record {
  eventVersion: string;
  eventSource: string;
  awsRegion: string;
  eventTime: string;
  eventName: string;
  userIdentity: { principalId: string };
  requestParameters: { sourceIPAddress: string };
  responseElements: Record<string, string>;
  s3: {
    s3SchemaVersion: string;
    configurationId: string;
    bucket: { name: string; ownerIdentity: { principalId: string }; arn: string };
    object: { key: string; size: number; eTag: string; versionId?: string; sequencer: string };
  };
}

const cleanups: (() => unknown)[] = [];
const dirs: { remove(): void }[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
afterAll(() => {
  for (const dir of dirs) dir.remove();
});

async function start(options: Parameters<typeof startLocalRuntime>[0] = {}) {
  const rt = await startLocalRuntime({ topology, schedules: false, logger: quiet(), ...options });
  cleanups.push(() => rt.stop());
  const s3 = new S3Client({ ...localClientConfig(rt.endpoints.s3), forcePathStyle: true });
  const sqs = new SQSClient({ ...localClientConfig(rt.endpoints.sqs), useQueueUrlAsEndpoint: false });
  const queueUrl = rt.env.INGEST_FILES_QUEUE_URL!;
  /** Every message on the queue once notifications have settled (received and deleted). */
  const drain = async (): Promise<Message[]> => {
    await rt.flushS3Notifications();
    const out: Message[] = [];
    for (;;) {
      const got = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
      );
      const messages = got.Messages ?? [];
      if (messages.length === 0) return out;
      out.push(...messages);
      await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })),
        }),
      );
    }
  };
  const records = async (): Promise<S3Record[]> =>
    (await drain()).map((m) => {
      const body = JSON.parse(m.Body!) as { Records: S3Record[] };
      expect(body.Records).toHaveLength(1);
      return body.Records[0]!;
    });
  cleanups.push(() => {
    s3.destroy();
    sqs.destroy();
  });
  return { rt, s3, sqs, queueUrl, drain, records };
}

describe('S3 event encoding', () => {
  it('URL-encodes keys as S3 events do: space → +, + → %2B, / kept, UTF-8 percent-encoded', () => {
    expect(encodeEventKey('incoming/SITE1/a b+c.csv')).toBe('incoming/SITE1/a+b%2Bc.csv');
    expect(encodeEventKey('incoming/x/dt=2026-01-01/10:47.csv')).toBe(
      'incoming/x/dt%3D2026-01-01/10%3A47.csv',
    );
    expect(encodeEventKey('incoming/José (1)~.csv')).toBe('incoming/Jos%C3%A9+%281%29%7E.csv');
    expect(encodeEventKey('a-b_c.d*e')).toBe('a-b_c.d*e');
    for (const key of ['incoming/SITE1/a b+c.csv', 'x/José (1)~%20&?#.csv']) {
      expect(decodeURIComponent(encodeEventKey(key).replace(/\+/g, ' '))).toBe(key);
    }
  });

  it('matches configured event types and prefix/suffix filters', () => {
    expect(eventTypeMatches('s3:ObjectCreated:*', 'ObjectCreated:CompleteMultipartUpload')).toBe(true);
    expect(eventTypeMatches('s3:ObjectCreated:Put', 'ObjectCreated:Put')).toBe(true);
    expect(eventTypeMatches('s3:ObjectCreated:Put', 'ObjectCreated:Copy')).toBe(false);
    expect(eventTypeMatches('s3:ObjectRemoved:*', 'ObjectCreated:Put')).toBe(false);
    expect(filterMatches({ prefix: 'incoming/' }, 'incoming/S/a.csv')).toBe(true);
    expect(filterMatches({ prefix: 'incoming/' }, 'results/S/a.csv')).toBe(false);
    expect(filterMatches({ prefix: 'incoming/' }, 'Incoming/S/a.csv')).toBe(false);
    expect(filterMatches({ prefix: 'incoming/', suffix: '.csv' }, 'incoming/S/a.txt')).toBe(false);
    // Filter values are compared with the encoded key (S3: a space in a filter is written "+").
    expect(filterMatches({ prefix: 'my+files/' }, 'my files/a.csv')).toBe(true);
  });

  it('sequencers are fixed-width hex that grow with every event, even within one millisecond', () => {
    let now = 1_800_000_000_000;
    const next = createSequencer(() => now);
    const a = next();
    const b = next();
    now -= 5; // a clock step back does not make them shrink
    const c = next();
    now += 1000;
    const d = next();
    for (const s of [a, b, c, d]) expect(s).toMatch(/^[0-9A-F]{18}$/);
    expect([a, b, c, d]).toEqual([a, b, c, d].slice().sort());
    expect(new Set([a, b, c, d]).size).toBe(4);
  });
});

describe('local S3 → SQS notifications (fauxqs)', () => {
  const dataDir = tempDir('s3-notifications');
  dirs.push(dataDir);

  it('sends the s3:TestEvent when the notification is first configured, and S3 events for incoming/ only', async () => {
    const { rt, s3, drain, records } = await start({ dataDir: dataDir.path });

    const first = await drain();
    expect(first).toHaveLength(1);
    const test = JSON.parse(first[0]!.Body!);
    expect(test).toEqual({
      Service: 'Amazon S3',
      Event: 's3:TestEvent',
      Time: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
      Bucket: 'drop',
      RequestId: expect.any(String),
      HostId: expect.any(String),
    });
    expect(test.Records).toBeUndefined();

    // A PUT under incoming/: one message whose body is the S3 event.
    const key = 'incoming/SITE1/a b+c.csv';
    const body = 'vax_event_id,recip_id\n1,2\n';
    const before = Date.now();
    const put = await s3.send(new PutObjectCommand({ Bucket: 'drop', Key: key, Body: body }));
    const [record, ...more] = await records();
    expect(more).toEqual([]);
    expect(record).toEqual({
      eventVersion: '2.1',
      eventSource: 'aws:s3',
      awsRegion: 'us-east-1',
      eventTime: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
      eventName: 'ObjectCreated:Put',
      userIdentity: { principalId: expect.any(String) },
      requestParameters: { sourceIPAddress: '127.0.0.1' },
      responseElements: { 'x-amz-request-id': expect.any(String), 'x-amz-id-2': expect.any(String) },
      s3: {
        s3SchemaVersion: '1.0',
        configurationId: expect.any(String),
        bucket: {
          name: 'drop',
          ownerIdentity: { principalId: expect.any(String) },
          arn: 'arn:aws:s3:::drop',
        },
        object: {
          key: 'incoming/SITE1/a+b%2Bc.csv',
          size: Buffer.byteLength(body),
          eTag: put.ETag!.replaceAll('"', ''),
          sequencer: expect.stringMatching(/^[0-9A-F]+$/),
        },
      },
    });
    expect(record!.s3.object.eTag).toMatch(/^[0-9a-f]{32}$/);
    expect(Date.parse(record!.eventTime)).toBeGreaterThanOrEqual(before - 1);
    expect(decodeURIComponent(record!.s3.object.key.replace(/\+/g, ' '))).toBe(key);

    // Objects the pipeline writes elsewhere notify nothing.
    await s3.send(new PutObjectCommand({ Bucket: 'drop', Key: 'results/SITE1/a.csv', Body: 'x' }));
    await s3.send(new PutObjectCommand({ Bucket: 'drop', Key: 'work/SITE1/a/0001.json', Body: '{}' }));
    expect(rt.spy.checkForMessage({ service: 's3', key: 'results/SITE1/a.csv' }, 'uploaded')).toBeDefined();
    expect(await drain()).toEqual([]);

    // Overwriting a key: a later event of that key has a greater sequencer, and the new size.
    await s3.send(new PutObjectCommand({ Bucket: 'drop', Key: key, Body: `${body}3,4\n` }));
    const [again] = await records();
    expect(again!.s3.object.size).toBe(Buffer.byteLength(body) + 4);
    expect(again!.s3.object.sequencer > record!.s3.object.sequencer).toBe(true);
    expect(again!.s3.object.sequencer).toHaveLength(record!.s3.object.sequencer.length);
  });

  it('names multipart uploads, copies and POST uploads as S3 does', async () => {
    const { s3, rt, records } = await start({ dataDir: dataDir.path });
    // A restart on the same data directory does not send the s3:TestEvent again.
    expect(await records()).toEqual([]);

    const key = 'incoming/SITE1/big file.csv';
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'drop', Key: key }));
    const part1 = Buffer.alloc(5 * 1024 * 1024, 'a');
    const part2 = Buffer.from('tail\n');
    const parts = [];
    for (const [i, Body] of [part1, part2].entries()) {
      const { ETag } = await s3.send(
        new UploadPartCommand({ Bucket: 'drop', Key: key, UploadId, PartNumber: i + 1, Body }),
      );
      parts.push({ ETag, PartNumber: i + 1 });
    }
    const done = await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: 'drop',
        Key: key,
        UploadId,
        MultipartUpload: { Parts: parts },
      }),
    );
    const [multipart, ...rest] = await records();
    expect(rest).toEqual([]);
    expect(multipart!.eventName).toBe('ObjectCreated:CompleteMultipartUpload');
    expect(multipart!.s3.object).toMatchObject({
      key: 'incoming/SITE1/big+file.csv',
      size: part1.length + part2.length,
      eTag: done.ETag!.replaceAll('"', ''),
    });
    expect(multipart!.s3.object.eTag).toMatch(/^[0-9a-f]{32}-2$/);

    // A copy into incoming/ is an ObjectCreated:Copy (and the source, elsewhere, notifies nothing).
    await s3.send(new PutObjectCommand({ Bucket: 'drop', Key: 'work/staged.csv', Body: 'a,b\n' }));
    await s3.send(
      new CopyObjectCommand({
        Bucket: 'drop',
        Key: 'incoming/SITE2/copied.csv',
        CopySource: 'drop/work/staged.csv',
      }),
    );
    const copies = await records();
    expect(copies.map((r) => [r.eventName, r.s3.object.key, r.s3.object.size])).toEqual([
      ['ObjectCreated:Copy', 'incoming/SITE2/copied.csv', 4],
    ]);

    // A browser-form POST upload is an ObjectCreated:Post.
    const form = new FormData();
    form.append('key', 'incoming/SITE3/posted.csv');
    form.append('file', new Blob(['p,q\n']), 'posted.csv');
    const posted = await fetch(`${rt.endpoints.s3}/drop`, { method: 'POST', body: form });
    expect(posted.status).toBeLessThan(300);
    const posts = await records();
    expect(posts.map((r) => [r.eventName, r.s3.object.key, r.s3.object.size])).toEqual([
      ['ObjectCreated:Post', 'incoming/SITE3/posted.csv', 4],
    ]);
  });

  it('delivers duplicates when asked (at least once), identical bodies as distinct messages', async () => {
    // In memory (no data directory): every start is a first configuration, with its s3:TestEvent.
    const { s3, drain } = await start({ s3Notifications: { duplicateEvery: 2 } });
    const test = await drain();
    expect(test.map((m) => JSON.parse(m.Body!).Event)).toEqual(['s3:TestEvent']);

    for (const n of [1, 2, 3, 4]) {
      await s3.send(new PutObjectCommand({ Bucket: 'drop', Key: `incoming/S/${n}.csv`, Body: String(n) }));
    }
    const messages = await drain();
    expect(messages).toHaveLength(6);
    expect(new Set(messages.map((m) => m.MessageId)).size).toBe(6);
    const byKey = new Map<string, string[]>();
    for (const m of messages) {
      const key = (JSON.parse(m.Body!) as { Records: S3Record[] }).Records[0]!.s3.object.key;
      byKey.set(key, [...(byKey.get(key) ?? []), m.Body!]);
    }
    expect([...byKey].map(([key, bodies]) => [key, bodies.length]).sort()).toEqual([
      ['incoming/S/1.csv', 1],
      ['incoming/S/2.csv', 2],
      ['incoming/S/3.csv', 1],
      ['incoming/S/4.csv', 2],
    ]);
    for (const bodies of byKey.values()) expect(new Set(bodies).size).toBe(1);
  });

  it('rejects a duplicateEvery that is not a positive integer', async () => {
    await expect(start({ s3Notifications: { duplicateEvery: 0 } })).rejects.toThrow(/duplicateEvery/);
  });
});
