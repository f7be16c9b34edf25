import { join } from 'node:path';
import { CreateTableCommand, DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  CreateQueueCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { afterEach, describe, expect, it } from 'vitest';
import { localClientConfig } from '../../local/clients.ts';
import { startDynamo } from '../../local/standins/dynamodb.ts';
import { startSqsS3 } from '../../local/standins/sqs-s3.ts';
import { tempDir } from './helpers.ts';

const dirs: { remove(): void }[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) d.remove();
});

describe('dynalite stand-in', () => {
  it('binds loopback and keeps items across a restart from the same directory', async () => {
    const dir = tempDir('ddb');
    dirs.push(dir);
    const first = await startDynamo({ dir: join(dir.path, 'dynamodb') });
    expect(new URL(first.endpoint).hostname).toBe('127.0.0.1');
    let ddb = new DynamoDBClient(localClientConfig(first.endpoint));
    await ddb.send(
      new CreateTableCommand({
        TableName: 'things',
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      }),
    );
    await ddb.send(new PutItemCommand({ TableName: 'things', Item: { pk: { S: 'a' }, v: { N: '1' } } }));
    ddb.destroy();
    await first.stop();

    const second = await startDynamo({ dir: join(dir.path, 'dynamodb') });
    ddb = new DynamoDBClient(localClientConfig(second.endpoint));
    const got = await ddb.send(new GetItemCommand({ TableName: 'things', Key: { pk: { S: 'a' } } }));
    expect(got.Item).toEqual({ pk: { S: 'a' }, v: { N: '1' } });
    ddb.destroy();
    await second.stop();
  });

  it('keeps nothing without a directory', async () => {
    const first = await startDynamo();
    const ddb = new DynamoDBClient(localClientConfig(first.endpoint));
    await ddb.send(
      new CreateTableCommand({
        TableName: 'things',
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      }),
    );
    ddb.destroy();
    await first.stop();
    const second = await startDynamo();
    const again = new DynamoDBClient(localClientConfig(second.endpoint));
    await expect(
      again.send(new GetItemCommand({ TableName: 'things', Key: { pk: { S: 'a' } } })),
    ).rejects.toThrow(/not found|non-existent/i);
    again.destroy();
    await second.stop();
  });
});

describe('fauxqs stand-in', () => {
  it('keeps queues, messages and objects across a restart, with queue URLs on the new port', async () => {
    const dir = tempDir('fauxqs');
    dirs.push(dir);
    const opts = { sqsDir: join(dir.path, 'sqs'), s3Dir: join(dir.path, 's3') };
    const first = await startSqsS3(opts);
    expect(new URL(first.endpoint).hostname).toBe('127.0.0.1');
    let sqs = new SQSClient(localClientConfig(first.endpoint));
    let s3 = new S3Client({ ...localClientConfig(first.endpoint), forcePathStyle: true });
    const created = await sqs.send(new CreateQueueCommand({ QueueName: 'kept' }));
    expect(created.QueueUrl).toBe(`${first.endpoint}/000000000000/kept`);
    expect(first.queueUrl('kept')).toBe(created.QueueUrl);
    await sqs.send(new SendMessageCommand({ QueueUrl: created.QueueUrl, MessageBody: 'survives' }));
    await s3.send(new CreateBucketCommand({ Bucket: 'kept-bucket' }));
    await s3.send(new PutObjectCommand({ Bucket: 'kept-bucket', Key: 'a/b c.txt', Body: 'object body' }));
    sqs.destroy();
    s3.destroy();
    await first.stop();

    const second = await startSqsS3(opts);
    sqs = new SQSClient(localClientConfig(second.endpoint));
    s3 = new S3Client({ ...localClientConfig(second.endpoint), forcePathStyle: true });
    const url = (await sqs.send(new GetQueueUrlCommand({ QueueName: 'kept' }))).QueueUrl!;
    expect(url).toBe(second.queueUrl('kept'));
    const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 1 }));
    expect(received.Messages?.map((m) => m.Body)).toEqual(['survives']);
    const object = await s3.send(new GetObjectCommand({ Bucket: 'kept-bucket', Key: 'a/b c.txt' }));
    expect(await object.Body!.transformToString()).toBe('object body');
    sqs.destroy();
    s3.destroy();
    await second.stop();
  });

  it('reports S3 uploads to spy listeners as they happen', async () => {
    const standin = await startSqsS3();
    const events: unknown[] = [];
    const off = standin.onSpyMessage((m) => events.push(m));
    const s3 = new S3Client({ ...localClientConfig(standin.endpoint), forcePathStyle: true });
    await s3.send(new CreateBucketCommand({ Bucket: 'spied' }));
    await s3.send(new PutObjectCommand({ Bucket: 'spied', Key: 'k', Body: 'x' }));
    off();
    await s3.send(new PutObjectCommand({ Bucket: 'spied', Key: 'k2', Body: 'x' }));
    expect(events).toEqual([
      expect.objectContaining({ service: 's3', bucket: 'spied', key: 'k', status: 'uploaded' }),
    ]);
    expect(standin.spy.checkForMessage({ service: 's3', key: 'k2' }, 'uploaded')).toBeDefined();
    s3.destroy();
    await standin.stop();
  });
});
