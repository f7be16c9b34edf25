import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Bucket, BucketEncryption, EventType } from 'aws-cdk-lib/aws-s3';
import { SqsDestination } from 'aws-cdk-lib/aws-s3-notifications';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { describe, expect, it } from 'vitest';
import {
  ABORT_INCOMPLETE_UPLOADS_AFTER_DAYS,
  NONCURRENT_VERSION_RETENTION_DAYS,
  NOTIFICATIONS_HANDLER_COMPONENT,
} from '../../infra/stack.ts';
import { type IndexSpec, topology } from '../../infra/topology.ts';
import {
  asArray,
  component,
  extendedTopology,
  logicalIdOf,
  ofType,
  referencedIds,
  refOf,
  type Statement,
  statementsOfRole,
  synthStack,
} from './helpers.ts';

import { bucketId, keyId, queueId, resources, tableId, template } from './stack-fixture.ts';

/** The non-key attributes an index holds (INCLUDE), or undefined for all of them. */
const includeOf = (index: object) => (index as IndexSpec).include;

describe('KMS key', () => {
  it('is one customer-managed key with rotation, retained', () => {
    template.resourceCountIs('AWS::KMS::Key', 1);
    template.hasResource('AWS::KMS::Key', {
      Properties: { EnableKeyRotation: true },
      DeletionPolicy: 'Retain',
    });
  });

  it('lets CloudWatch Logs use it only for this account’s log groups', () => {
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: Match.anyValue() },
            Condition: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': Match.anyValue() } },
          }),
        ]),
      },
    });
  });

  it('lets CloudWatch alarms use it only for alarms of this account and region (the key encrypts PHI tables)', () => {
    const statements = asArray(
      (resources[keyId]!.Properties!.KeyPolicy as { Statement: Record<string, unknown>[] }).Statement,
    ).filter((s) => JSON.stringify(s.Principal).includes('cloudwatch.amazonaws.com'));
    expect(statements).toEqual([
      {
        Sid: 'CloudWatchAlarmsPublishToTheEncryptedTopic',
        Effect: 'Allow',
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        Resource: '*',
        Condition: {
          StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
          ArnLike: {
            'aws:SourceArn': {
              'Fn::Join': [
                '',
                [
                  'arn:',
                  { Ref: 'AWS::Partition' },
                  ':cloudwatch:',
                  { Ref: 'AWS::Region' },
                  ':',
                  { Ref: 'AWS::AccountId' },
                  ':alarm:*',
                ],
              ],
            },
          },
        },
      },
    ]);
  });
});

describe('DynamoDB tables', () => {
  it.each(Object.entries(topology.tables))(
    '%s: on demand, PITR, CMK, retained, deletion-protected, GSIs',
    (name, spec) => {
      const table = resources[tableId(name)]!;
      expect(table.DeletionPolicy).toBe('Retain');
      expect(table.UpdateReplacePolicy).toBe('Retain');
      expect(table.Properties).toMatchObject({
        BillingMode: 'PAY_PER_REQUEST',
        DeletionProtectionEnabled: true,
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: { SSEEnabled: true, SSEType: 'KMS' },
        KeySchema: [
          { AttributeName: spec.partitionKey, KeyType: 'HASH' },
          { AttributeName: spec.sortKey, KeyType: 'RANGE' },
        ],
      });
      expect(refOf((table.Properties!.SSESpecification as { KMSMasterKeyId: unknown }).KMSMasterKeyId)).toBe(
        keyId,
      );
      const gsis = (table.Properties!.GlobalSecondaryIndexes ?? []) as Record<string, unknown>[];
      expect(gsis).toEqual(
        spec.indexes.map((index) => ({
          IndexName: index.name,
          KeySchema: [
            { AttributeName: index.partitionKey, KeyType: 'HASH' },
            { AttributeName: index.sortKey, KeyType: 'RANGE' },
          ],
          Projection: includeOf(index)
            ? { ProjectionType: 'INCLUDE', NonKeyAttributes: [...includeOf(index)!] }
            : { ProjectionType: 'ALL' },
        })),
      );
    },
  );

  it('are all in an AWS Backup plan whose vault uses the CMK', () => {
    const [, selection] = ofType(resources, 'AWS::Backup::BackupSelection')[0]!;
    const selected = referencedIds(selection.Properties!.BackupSelection);
    for (const name of Object.keys(topology.tables)) expect(selected).toContain(tableId(name));
    template.hasResourceProperties('AWS::Backup::BackupVault', {
      EncryptionKeyArn: { 'Fn::GetAtt': [keyId, 'Arn'] },
    });
  });
});

describe('SQS queues', () => {
  const alarms = ofType(resources, 'AWS::CloudWatch::Alarm').map(([, a]) => a.Properties!);
  const [topicId, topic] = ofType(resources, 'AWS::SNS::Topic')[0]!;

  it.each(Object.entries(topology.queues))(
    '%s: CMK, topology timeouts, redrive to its own DLQ',
    (name, spec) => {
      const queue = resources[queueId(name)]!.Properties!;
      expect(refOf(queue.KmsMasterKeyId)).toBe(keyId);
      expect(queue.VisibilityTimeout).toBe(spec.visibilityTimeoutSeconds);
      expect(queue.MessageRetentionPeriod).toBe(spec.retentionDays * 86_400);
      const redrive = queue.RedrivePolicy as { deadLetterTargetArn: unknown; maxReceiveCount: number };
      expect(redrive.maxReceiveCount).toBe(spec.maxReceiveCount);
      const dlqId = refOf(redrive.deadLetterTargetArn)!;
      expect(dlqId).toBe(queueId(`${name}/dlq`));
      expect(refOf(resources[dlqId]!.Properties!.KmsMasterKeyId)).toBe(keyId);
    },
  );

  it('every queue denies requests without TLS', () => {
    const queueIds = ofType(resources, 'AWS::SQS::Queue').map(([id]) => id);
    const policies = ofType(resources, 'AWS::SQS::QueuePolicy').map(([, p]) => p.Properties!);
    for (const id of queueIds) {
      const policy = policies.find((p) => (p.Queues as unknown[]).some((q) => refOf(q) === id));
      expect(policy, id).toBeDefined();
      expect((policy!.PolicyDocument as { Statement: Statement[] }).Statement).toContainEqual(
        expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      );
    }
  });

  it('every dead-letter queue (redrive, Lambda or Scheduler) has an alarm on visible messages > 0 to the topic', () => {
    const dlqIds = new Set<string>();
    for (const [, q] of ofType(resources, 'AWS::SQS::Queue')) {
      const redrive = q.Properties!.RedrivePolicy as { deadLetterTargetArn: unknown } | undefined;
      if (redrive) dlqIds.add(refOf(redrive.deadLetterTargetArn)!);
    }
    for (const [, fn] of ofType(resources, 'AWS::Lambda::Function')) {
      const dlq = fn.Properties!.DeadLetterConfig as { TargetArn: unknown } | undefined;
      if (dlq) dlqIds.add(refOf(dlq.TargetArn)!);
    }
    for (const [, s] of ofType(resources, 'AWS::Scheduler::Schedule')) {
      dlqIds.add(
        refOf((s.Properties!.Target as { DeadLetterConfig: { Arn: unknown } }).DeadLetterConfig.Arn)!,
      );
    }
    const scheduled = Object.values(topology.functions).filter(
      (f) => 'schedules' in f && f.schedules.length > 0,
    );
    expect(dlqIds.size).toBe(Object.keys(topology.queues).length + scheduled.length);
    for (const dlqId of dlqIds) {
      const alarm = alarms.find((a) => referencedIds(a.Dimensions).has(dlqId));
      expect(alarm, dlqId).toMatchObject({
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Namespace: 'AWS/SQS',
        ComparisonOperator: 'GreaterThanThreshold',
        Threshold: 0,
        AlarmActions: [{ Ref: topicId }],
      });
    }
    expect(alarms.filter((a) => a.Namespace === 'AWS/SQS')).toHaveLength(dlqIds.size);
  });

  it('alarms go to a topic encrypted with the CMK that requires TLS', () => {
    expect(refOf(topic.Properties!.KmsMasterKeyId)).toBe(keyId);
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });
});

describe('buckets', () => {
  it.each(Object.entries(topology.buckets))(
    '%s: private, TLS only, versioned, CMK, access-logged',
    (name) => {
      const id = logicalIdOf(resources, 'AWS::S3::Bucket', `bucket/${name}`);
      const props = resources[id]!.Properties!;
      expect(props.PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
      expect(props.VersioningConfiguration).toEqual({ Status: 'Enabled' });
      const sse = (
        props.BucketEncryption as {
          ServerSideEncryptionConfiguration: {
            ServerSideEncryptionByDefault: { SSEAlgorithm: string; KMSMasterKeyID: unknown };
          }[];
        }
      ).ServerSideEncryptionConfiguration[0]!;
      expect(sse.ServerSideEncryptionByDefault.SSEAlgorithm).toBe('aws:kms');
      expect(refOf(sse.ServerSideEncryptionByDefault.KMSMasterKeyID)).toBe(keyId);
      const logging = props.LoggingConfiguration as { DestinationBucketName: unknown };
      const logBucket = resources[refOf(logging.DestinationBucketName)!]!;
      expect(logBucket.Type).toBe('AWS::S3::Bucket');
      expect(logBucket.Properties!.PublicAccessBlockConfiguration).toBeDefined();
      template.hasResourceProperties('AWS::S3::BucketPolicy', {
        Bucket: { Ref: id },
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      });
    },
  );
});

describe('bucket lifecycle', () => {
  it.each(Object.entries(topology.buckets))(
    '%s: expires objects by prefix as topology lists, noncurrent versions and incomplete uploads',
    (name, spec) => {
      const rules = (resources[bucketId(name)]!.Properties!.LifecycleConfiguration as { Rules: unknown[] })
        .Rules;
      const lifecycle = ('lifecycle' in spec ? spec.lifecycle : []) as {
        prefix: string;
        expireDays: number;
      }[];
      expect(rules).toEqual([
        {
          Id: expect.any(String),
          Status: 'Enabled',
          NoncurrentVersionExpiration: { NoncurrentDays: NONCURRENT_VERSION_RETENTION_DAYS },
          AbortIncompleteMultipartUpload: { DaysAfterInitiation: ABORT_INCOMPLETE_UPLOADS_AFTER_DAYS },
          ExpiredObjectDeleteMarker: true,
        },
        ...lifecycle.map((rule) => ({
          Id: expect.any(String),
          Status: 'Enabled',
          Prefix: rule.prefix,
          ExpirationInDays: rule.expireDays,
        })),
      ]);
      expect(ABORT_INCOMPLETE_UPLOADS_AFTER_DAYS).toBeLessThanOrEqual(7);
    },
  );

  it('drop: incoming/ and work/ expire after 30 days, results/ after 400', () => {
    const rules = (
      resources[bucketId('drop')]!.Properties!.LifecycleConfiguration as {
        Rules: { Prefix?: string; ExpirationInDays?: number }[];
      }
    ).Rules.filter((r) => r.Prefix);
    expect(rules.map((r) => [r.Prefix, r.ExpirationInDays])).toEqual([
      ['incoming/', 30],
      ['work/', 30],
      ['results/', 400],
    ]);
  });
});

describe('S3 → SQS notifications', () => {
  const dropId = bucketId('drop');
  const filesQueueId = queueId('ingestFiles');
  const notifications = ofType(resources, 'Custom::S3BucketNotifications');
  const queuePolicies = ofType(resources, 'AWS::SQS::QueuePolicy').map(
    ([id, p]) => [id, p.Properties!] as const,
  );
  const s3Statements = (document: unknown) =>
    (document as { Statement: (Statement & { Principal?: unknown; Sid?: string })[] }).Statement.filter((s) =>
      JSON.stringify(s.Principal ?? '').includes('s3.amazonaws.com'),
    );

  it('the drop bucket sends ObjectCreated events under incoming/ to the ingest-files queue, and nothing else', () => {
    expect(notifications).toHaveLength(1);
    const [, resource] = notifications[0]!;
    expect(refOf(resource.Properties!.BucketName)).toBe(dropId);
    // Managed: the stack owns the bucket's whole notification configuration.
    expect(resource.Properties!.Managed).toBe(true);
    expect(resource.Properties!.NotificationConfiguration).toEqual({
      QueueConfigurations: [
        {
          Events: ['s3:ObjectCreated:*'],
          Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'incoming/' }] } },
          QueueArn: { 'Fn::GetAtt': [filesQueueId, 'Arn'] },
        },
      ],
    });
  });

  it('the ingest-files queue lets S3 send, only from the drop bucket of this account, after which S3 is configured', () => {
    const [policyId, policy] = queuePolicies.find(([, p]) => refOf(asArray(p.Queues)[0]) === filesQueueId)!;
    expect(s3Statements(policy.PolicyDocument)).toEqual([
      {
        Sid: expect.any(String),
        Effect: 'Allow',
        Principal: { Service: 's3.amazonaws.com' },
        Action: 'sqs:SendMessage',
        Resource: { 'Fn::GetAtt': [filesQueueId, 'Arn'] },
        Condition: {
          ArnLike: { 'aws:SourceArn': { 'Fn::GetAtt': [dropId, 'Arn'] } },
          StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
        },
      },
    ]);
    // S3 checks the destination (it sends the s3:TestEvent) when the configuration is put.
    expect(asArray(resources[notifications[0]![0]]!.DependsOn ?? [])).toContain(policyId);
    // No other queue accepts anything from S3.
    for (const [, other] of queuePolicies.filter(([id]) => id !== policyId)) {
      expect(s3Statements(other.PolicyDocument)).toEqual([]);
    }
  });

  it('the CMK lets S3 encrypt for the queue on behalf of this account only, with no unconditioned grant', () => {
    const keyPolicy = resources[keyId]!.Properties!.KeyPolicy;
    expect(s3Statements(keyPolicy)).toEqual([
      {
        Sid: expect.any(String),
        Effect: 'Allow',
        Principal: { Service: 's3.amazonaws.com' },
        Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
        Resource: '*',
        Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
      },
    ]);
  });

  it('deploys: the key policy does not name the bucket the key encrypts (the stock SqsDestination does)', () => {
    // Template.fromStack (in synthStack) fails on a dependency cycle; ours has none. The stock destination, with
    // one key for bucket and queue, conditions the key policy on the bucket ARN: key → bucket → key.
    const stack = new Stack(new App(), 'Stock');
    const key = new Key(stack, 'Key');
    const queue = new Queue(stack, 'Queue', { encryption: QueueEncryption.KMS, encryptionMasterKey: key });
    const bucket = new Bucket(stack, 'Bucket', { encryption: BucketEncryption.KMS, encryptionKey: key });
    bucket.addEventNotification(EventType.OBJECT_CREATED, new SqsDestination(queue), { prefix: 'incoming/' });
    expect(() => Template.fromStack(stack)).toThrow(/dependency cycle/);
    expect(() => synthStack({ topology: extendedTopology() })).not.toThrow();
  });

  it('CDK’s notifications handler may only put the notification configuration of the drop bucket', () => {
    const [handlerId, handler] = ofType(resources, 'AWS::Lambda::Function').find(
      ([, f]) => component(f) === NOTIFICATIONS_HANDLER_COMPONENT,
    )!;
    const roleId = refOf(handler.Properties!.Role)!;
    expect(statementsOfRole(resources, roleId)).toEqual([
      { Effect: 'Allow', Action: 's3:PutBucketNotification', Resource: { 'Fn::GetAtt': [dropId, 'Arn'] } },
    ]);
    expect(referencedIds(resources[notifications[0]![0]]!.Properties!.ServiceToken)).toEqual(
      new Set([handlerId]),
    );
  });
});
