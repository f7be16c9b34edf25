/**
 * Local IAM enforcement, piece by piece: which action(s) and resource(s) an SDK command needs, how the
 * synthesized template's tokens resolve to local ARNs, and the allow/deny decisions on the real stack's policies.
 */
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { beforeAll, describe, expect, it } from 'vitest';
import { type ArnContext, parseCopySource, requiredPermissions } from '../../local/iam/actions.ts';
import { createIamEnforcer, installSdkHook, type LocalIamEnforcer } from '../../local/iam/enforce.ts';
import {
  LOCAL_KEY_ID,
  type LocalIamPolicies,
  loadPolicies,
  resolveTokens,
} from '../../local/iam/policies.ts';
import { runAs } from '../../local/iam/scope.ts';

const KEY = `arn:aws:kms:us-east-1:000000000000:key/${LOCAL_KEY_ID}`;
const ctx: ArnContext = {
  account: '000000000000',
  region: 'us-east-1',
  encryptedWith: {
    'arn:aws:s3:::drop': KEY,
    'arn:aws:dynamodb:us-east-1:000000000000:table/doses': KEY,
    'arn:aws:sqs:us-east-1:000000000000:registry-changes': KEY,
  },
};
const need = (client: string, command: string, input: Record<string, unknown>) =>
  requiredPermissions({ client, command, input }, ctx).map((p) =>
    p.context ? `${p.action} ${p.resource} ${JSON.stringify(p.context)}` : `${p.action} ${p.resource}`,
  );

describe('the permissions a command needs', () => {
  it('S3 reads: a VersionId makes GET and HEAD s3:GetObjectVersion; GET decrypts, HEAD does not', () => {
    expect(need('S3Client', 'GetObjectCommand', { Bucket: 'drop', Key: 'incoming/a b.csv' })).toEqual([
      's3:GetObject arn:aws:s3:::drop/incoming/a b.csv',
      `kms:Decrypt ${KEY}`,
    ]);
    expect(need('S3Client', 'GetObjectCommand', { Bucket: 'drop', Key: 'k', VersionId: 'v1' })).toEqual([
      's3:GetObjectVersion arn:aws:s3:::drop/k',
      `kms:Decrypt ${KEY}`,
    ]);
    expect(need('S3Client', 'HeadObjectCommand', { Bucket: 'drop', Key: 'k', VersionId: 'v1' })).toEqual([
      's3:GetObjectVersion arn:aws:s3:::drop/k',
    ]);
    expect(need('S3Client', 'HeadObjectCommand', { Bucket: 'reports', Key: 'k' })).toEqual([
      's3:GetObject arn:aws:s3:::reports/k',
    ]);
  });

  it('S3 writes, copies, multipart, deletes and listings', () => {
    expect(need('S3Client', 'PutObjectCommand', { Bucket: 'drop', Key: 'work/x' })).toEqual([
      's3:PutObject arn:aws:s3:::drop/work/x',
      `kms:GenerateDataKey ${KEY}`,
    ]);
    expect(
      need('S3Client', 'CopyObjectCommand', {
        Bucket: 'drop',
        Key: 'results/b',
        CopySource: 'drop/results/a%20b.csv?versionId=v%2B1',
      }),
    ).toEqual([
      's3:GetObjectVersion arn:aws:s3:::drop/results/a b.csv',
      `kms:Decrypt ${KEY}`,
      's3:PutObject arn:aws:s3:::drop/results/b',
      `kms:GenerateDataKey ${KEY}`,
    ]);
    expect(need('S3Client', 'CreateMultipartUploadCommand', { Bucket: 'drop', Key: 'w' })).toEqual([
      's3:PutObject arn:aws:s3:::drop/w',
      `kms:GenerateDataKey ${KEY}`,
    ]);
    expect(need('S3Client', 'UploadPartCommand', { Bucket: 'drop', Key: 'w' })).toEqual([
      's3:PutObject arn:aws:s3:::drop/w',
      `kms:Decrypt ${KEY}`,
    ]);
    expect(need('S3Client', 'CompleteMultipartUploadCommand', { Bucket: 'drop', Key: 'w' })).toEqual([
      's3:PutObject arn:aws:s3:::drop/w',
    ]);
    expect(need('S3Client', 'AbortMultipartUploadCommand', { Bucket: 'drop', Key: 'w' })).toEqual([
      's3:AbortMultipartUpload arn:aws:s3:::drop/w',
    ]);
    expect(need('S3Client', 'DeleteObjectCommand', { Bucket: 'drop', Key: 'w', VersionId: 'v' })).toEqual([
      's3:DeleteObjectVersion arn:aws:s3:::drop/w',
    ]);
    expect(need('S3Client', 'ListObjectsV2Command', { Bucket: 'drop', Prefix: 'incoming/S1/' })).toEqual([
      's3:ListBucket arn:aws:s3:::drop {"s3:prefix":"incoming/S1/"}',
    ]);
    expect(parseCopySource('/b/dir/k%2Bx?versionId=abc')).toEqual({
      bucket: 'b',
      key: 'dir/k+x',
      versionId: 'abc',
    });
  });

  it('DynamoDB: per table, per index, per transaction item, with kms:Decrypt on a CMK table', () => {
    const table = 'arn:aws:dynamodb:us-east-1:000000000000:table';
    expect(need('DynamoDBClient', 'PutItemCommand', { TableName: 'doses' })).toEqual([
      `dynamodb:PutItem ${table}/doses`,
      `kms:Decrypt ${KEY}`,
    ]);
    expect(need('DynamoDBClient', 'QueryCommand', { TableName: 'sites', IndexName: 'by-x' })).toEqual([
      `dynamodb:Query ${table}/sites/index/by-x`,
    ]);
    expect(
      need('DynamoDBClient', 'BatchWriteItemCommand', { RequestItems: { doses: [], sites: [] } }),
    ).toEqual([
      `dynamodb:BatchWriteItem ${table}/doses`,
      `dynamodb:BatchWriteItem ${table}/sites`,
      `kms:Decrypt ${KEY}`,
    ]);
    expect(
      need('DynamoDBClient', 'TransactWriteItemsCommand', {
        TransactItems: [
          { Put: { TableName: 'sites' } },
          { ConditionCheck: { TableName: 'sites' } },
          { Update: { TableName: 'uploads' } },
        ],
      }),
    ).toEqual([
      `dynamodb:PutItem ${table}/sites`,
      `dynamodb:ConditionCheckItem ${table}/sites`,
      `dynamodb:UpdateItem ${table}/uploads`,
    ]);
  });

  it('SQS: batches are their single action; an encrypted queue needs the key to send and receive', () => {
    const url = 'http://127.0.0.1:4566/000000000000/registry-changes';
    const arn = 'arn:aws:sqs:us-east-1:000000000000:registry-changes';
    expect(need('SQSClient', 'SendMessageBatchCommand', { QueueUrl: url })).toEqual([
      `sqs:SendMessage ${arn}`,
      `kms:GenerateDataKey ${KEY}`,
      `kms:Decrypt ${KEY}`,
    ]);
    expect(need('SQSClient', 'ReceiveMessageCommand', { QueueUrl: url })).toEqual([
      `sqs:ReceiveMessage ${arn}`,
      `kms:Decrypt ${KEY}`,
    ]);
    expect(need('SQSClient', 'DeleteMessageBatchCommand', { QueueUrl: url })).toEqual([
      `sqs:DeleteMessage ${arn}`,
    ]);
    expect(need('SQSClient', 'GetQueueAttributesCommand', { QueueUrl: url })).toEqual([
      `sqs:GetQueueAttributes ${arn}`,
    ]);
  });
});

describe('resolving the template', () => {
  it('resolves Ref, GetAtt, Join, Sub, Select/Split and pseudo parameters to local values', () => {
    const resources = new Map([
      [
        'DosesTable1',
        { ref: 'doses', attributes: { Arn: 'arn:aws:dynamodb:us-east-1:000000000000:table/doses' } },
      ],
    ]);
    const r = (v: unknown) => resolveTokens(v, { resources, account: '000000000000', region: 'us-east-1' });
    expect(r({ 'Fn::Join': ['', [{ 'Fn::GetAtt': ['DosesTable1', 'Arn'] }, '/index/*']] })).toBe(
      'arn:aws:dynamodb:us-east-1:000000000000:table/doses/index/*',
    );
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Fn::Sub's own ${} syntax, not a JS template.
    expect(r({ 'Fn::Sub': 'arn:${AWS::Partition}:x:${AWS::Region}:${AWS::AccountId}:${DosesTable1}' })).toBe(
      'arn:aws:x:us-east-1:000000000000:doses',
    );
    expect(r({ 'Fn::Select': [1, { 'Fn::Split': ['/', 'a/b/c'] }] })).toBe('b');
    expect(r({ Ref: 'Unknown' })).toBe('arn:aws:local-unresolved:::Unknown');
  });
});

describe('decisions on the stack as synthesized', () => {
  let policies: LocalIamPolicies;
  let enforcer: LocalIamEnforcer;
  beforeAll(async () => {
    policies = await loadPolicies();
    enforcer = createIamEnforcer({ policies, logger: () => {} });
  }, 120_000);
  const allowed = async (fn: string, action: string, resource: string, context?: Record<string, string>) =>
    (await enforcer.decide(fn, { action, resource, ...(context ? { context } : {}) })).allowed;

  it('every function of the topology has its role, and resources resolve to local names', () => {
    expect(policies.keyArn).toBe(KEY);
    expect(policies.encryptedWith['arn:aws:s3:::drop']).toBe(KEY);
    expect(policies.encryptedWith['arn:aws:sqs:us-east-1:000000000000:ingest-chunks']).toBe(KEY);
    expect(policies.functions.ingestPlanner!.role).toMatch(/^Pipeline-IngestPlannerFunctionRole/);
    expect(JSON.stringify(policies.functions)).not.toContain('local-unresolved:::DropBucket');
  });

  it('allows what topology.ts grants and denies what it does not', async () => {
    const drop = 'arn:aws:s3:::drop';
    const table = 'arn:aws:dynamodb:us-east-1:000000000000:table';
    expect(await allowed('ingestPlanner', 's3:GetObjectVersion', `${drop}/incoming/S1/f.csv`)).toBe(true);
    expect(await allowed('ingestPlanner', 's3:GetObjectVersion', `${drop}/work/S1/f.csv`)).toBe(false);
    expect(await allowed('ingestWorker', 's3:GetObjectVersion', `${drop}/results/x`)).toBe(false);
    expect(await allowed('uploads', 's3:PutObject', `${drop}/incoming/S1/f.csv`)).toBe(true);
    expect(await allowed('uploads', 's3:PutObject', `${drop}/results/S1/f.csv`)).toBe(false);
    expect(await allowed('ingestPlanner', 's3:ListBucket', drop, { 's3:prefix': 'incoming/S1/' })).toBe(true);
    expect(await allowed('ingestPlanner', 's3:ListBucket', drop, { 's3:prefix': 'work/' })).toBe(false);
    expect(await allowed('doses', 'dynamodb:PutItem', `${table}/doses`)).toBe(true);
    expect(await allowed('doses', 'dynamodb:PutItem', `${table}/sites`)).toBe(false);
    expect(await allowed('doses', 'dynamodb:Query', `${table}/doses/index/by-recipient`)).toBe(true);
    expect(await allowed('reports', 'dynamodb:PutItem', `${table}/stock`)).toBe(false);
    expect(
      await allowed('doses', 'sqs:SendMessage', 'arn:aws:sqs:us-east-1:000000000000:registry-changes'),
    ).toBe(true);
    expect(await allowed('doses', 'sqs:SendMessage', 'arn:aws:sqs:us-east-1:000000000000:ingest-files')).toBe(
      false,
    );
    // The key policy delegates to IAM: a role with kms:Decrypt may decrypt, one without (openapi) may not.
    expect(await allowed('doses', 'kms:Decrypt', KEY)).toBe(true);
    expect(await allowed('openapi', 'kms:Decrypt', KEY)).toBe(false);
    expect(await allowed('reports', 'kms:GenerateDataKey', KEY)).toBe(false);
    // The event source mapping's calls, made with the consumer's role.
    expect(
      await allowed('ingestPlanner', 'sqs:ReceiveMessage', 'arn:aws:sqs:us-east-1:000000000000:ingest-files'),
    ).toBe(true);
    expect(
      await allowed('ingestWorker', 'sqs:ReceiveMessage', 'arn:aws:sqs:us-east-1:000000000000:ingest-files'),
    ).toBe(false);
  });

  it('a denied SDK call in a function scope throws the service error naming action and resource; outside, it is not checked', async () => {
    installSdkHook();
    const s3 = new S3Client({
      region: 'us-east-1',
      endpoint: 'http://127.0.0.1:9',
      credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
      forcePathStyle: true,
    });
    const command = new GetObjectCommand({ Bucket: 'drop', Key: 'work/S1/part-1', VersionId: 'v1' });
    const err = await runAs({ functionName: 'ingestWorker', enforcer }, () => s3.send(command)).catch(
      (e) => e,
    );
    expect(err.name).toBe('AccessDenied');
    expect(err.$metadata.httpStatusCode).toBe(403);
    expect(err.message).toBe(
      `User: ${enforcer.principalOf('ingestWorker')} is not authorized to perform: s3:GetObjectVersion on resource: arn:aws:s3:::drop/work/S1/part-1 because no identity-based policy allows the s3:GetObjectVersion action`,
    );
    expect(enforcer.denials.at(-1)).toMatchObject({
      functionName: 'ingestWorker',
      action: 's3:GetObjectVersion',
    });
    // Presigning is checked as well (AWS would refuse the URL when used: locally the signing fails).
    const presigned = await runAs({ functionName: 'uploads', enforcer }, () =>
      getSignedUrl(s3, new GetObjectCommand({ Bucket: 'drop', Key: 'incoming/S1/f', VersionId: 'v' })),
    ).catch((e) => e);
    expect(presigned.name).toBe('AccessDenied');
    expect(
      await runAs({ functionName: 'uploads', enforcer }, () =>
        getSignedUrl(s3, new GetObjectCommand({ Bucket: 'drop', Key: 'results/S1/f', VersionId: 'v' })),
      ),
    ).toMatch(/^http:\/\/127\.0\.0\.1:9\/drop\/results\/S1\/f\?/);
    // Outside a function scope (the runtime's own calls), nothing is checked: the request goes out (and fails to
    // connect to the closed port).
    const outside = await s3.send(command).catch((e) => e);
    expect(outside.name).not.toBe('AccessDenied');
    s3.destroy();
  });
});
