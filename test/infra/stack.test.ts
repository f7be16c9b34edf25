import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Bucket, BucketEncryption, EventType } from 'aws-cdk-lib/aws-s3';
import { SqsDestination } from 'aws-cdk-lib/aws-s3-notifications';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { describe, expect, it } from 'vitest';
import {
  ABORT_INCOMPLETE_UPLOADS_AFTER_DAYS,
  HTTP_API_DEFAULT_INTEGRATION_TIMEOUT_SECONDS,
  LOG_ALARMS,
  NONCURRENT_VERSION_RETENTION_DAYS,
  NOTIFICATIONS_HANDLER_COMPONENT,
  REGISTRY_CREDENTIALS_REFUSED,
  REGISTRY_REPORTER_FUNCTION,
} from '../../infra/stack.ts';
import { topology } from '../../infra/topology.ts';
import { allRoutes, VISIBILITY_TIMEOUT_FACTOR } from '../../infra/topology-checks.ts';
import {
  asArray,
  bucketGrants,
  component,
  extendedTopology,
  functionStatements,
  logicalIdOf,
  ofType,
  referencedIds,
  refOf,
  type Statement,
  statementsOfRole,
  synthStack,
} from './helpers.ts';

// Prepare: one synthesis (bundling skipped) shared by every assertion of this file.
const { template, resources } = synthStack();
const keyId = ofType(resources, 'AWS::KMS::Key')[0]![0];
const functionId = (name: string) => logicalIdOf(resources, 'AWS::Lambda::Function', `function/${name}`);
const tableId = (name: string) => logicalIdOf(resources, 'AWS::DynamoDB::Table', `table/${name}`);
const queueId = (name: string) => logicalIdOf(resources, 'AWS::SQS::Queue', `queue/${name}`);
const bucketId = (name: string) => logicalIdOf(resources, 'AWS::S3::Bucket', `bucket/${name}`);
const keyIdOf = (r: typeof resources) => ofType(r, 'AWS::KMS::Key')[0]![0];
const actionsOf = (statements: Statement[]) => statements.flatMap((s) => asArray(s.Action));
interface ScheduleTarget {
  Arn: unknown;
  RoleArn: unknown;
  Input: string;
  RetryPolicy: unknown;
  DeadLetterConfig: { Arn: unknown };
}
const WRITE_ACTIONS = [
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
];

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

describe('HTTP API', () => {
  const authorizerFnId = functionId(topology.api.authorizer);
  const [authorizerId] = ofType(resources, 'AWS::ApiGatewayV2::Authorizer')[0]!;

  it('has a Lambda authorizer with payload 2.0, simple responses, Authorization header and the topology TTL', () => {
    template.resourceCountIs('AWS::ApiGatewayV2::Authorizer', 1);
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'REQUEST',
      AuthorizerPayloadFormatVersion: '2.0',
      EnableSimpleResponses: true,
      IdentitySource: ['$request.header.Authorization'],
      AuthorizerResultTtlInSeconds: topology.api.authorizerCacheTtlSeconds,
    });
    const [, authorizer] = ofType(resources, 'AWS::ApiGatewayV2::Authorizer')[0]!;
    expect(referencedIds(authorizer.Properties!.AuthorizerUri)).toContain(authorizerFnId);
  });

  it('wires every topology route to its function: routes with the authorizer, publicRoutes without', () => {
    const integrations = Object.fromEntries(ofType(resources, 'AWS::ApiGatewayV2::Integration'));
    const routes = ofType(resources, 'AWS::ApiGatewayV2::Route').map(([, r]) => r.Properties!);
    const expected = allRoutes(topology);
    expect(routes.map((r) => r.RouteKey).sort()).toEqual(expected.map((r) => r.routeKey).sort());

    for (const route of expected) {
      const props = routes.find((r) => r.RouteKey === route.routeKey)!;
      const [integrationId] = [...referencedIds(props.Target)];
      const integration = integrations[integrationId!]!;
      expect(referencedIds(integration.Properties!.IntegrationUri), route.routeKey).toContain(
        functionId(route.fn),
      );
      expect(integration.Properties!.PayloadFormatVersion).toBe('2.0');
      if (route.authorized) {
        expect(props.AuthorizationType, route.routeKey).toBe('CUSTOM');
        expect(refOf(props.AuthorizerId), route.routeKey).toBe(authorizerId);
      } else {
        expect(props.AuthorizationType ?? 'NONE', route.routeKey).toBe('NONE');
        expect(props.AuthorizerId, route.routeKey).toBeUndefined();
      }
    }
  });

  it('uses the topology integration timeout (30 s is the HTTP API default, so it is left implicit)', () => {
    for (const [, integration] of ofType(resources, 'AWS::ApiGatewayV2::Integration')) {
      const ms = integration.Properties!.TimeoutInMillis as number | undefined;
      if (topology.api.integrationTimeoutSeconds >= HTTP_API_DEFAULT_INTEGRATION_TIMEOUT_SECONDS) {
        expect(ms).toBeUndefined();
      } else {
        expect(ms).toBe(topology.api.integrationTimeoutSeconds * 1000);
      }
    }
  });

  it('has a $default stage with the topology throttle and JSON access logs to an encrypted log group', () => {
    template.resourceCountIs('AWS::ApiGatewayV2::Stage', 1);
    const [, stage] = ofType(resources, 'AWS::ApiGatewayV2::Stage')[0]!;
    const props = stage.Properties!;
    expect(props.StageName).toBe('$default');
    expect(props.AutoDeploy).toBe(true);
    expect(props.DefaultRouteSettings).toEqual({
      ThrottlingRateLimit: topology.api.throttle.rateLimit,
      ThrottlingBurstLimit: topology.api.throttle.burstLimit,
    });
    const accessLog = props.AccessLogSettings as { DestinationArn: unknown; Format: string };
    const format = JSON.parse(accessLog.Format) as Record<string, string>;
    expect(format.requestId).toBe('$context.requestId');
    const logGroup = resources[refOf(accessLog.DestinationArn)!]!;
    expect(logGroup.Type).toBe('AWS::Logs::LogGroup');
    expect(refOf(logGroup.Properties!.KmsKeyId)).toBe(keyId);
    expect(logGroup.Properties!.RetentionInDays).toBeGreaterThan(0);
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
          Projection: { ProjectionType: 'ALL' },
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

describe('refused registry credentials', () => {
  it('a metric filter on the registry reporter log group feeds an alarm (>= 1 in 5 min) to the alarm topic', () => {
    const fn = resources[functionId(REGISTRY_REPORTER_FUNCTION)]!.Properties!;
    const logGroupId = refOf((fn.LoggingConfig as { LogGroup: unknown }).LogGroup)!;
    const filters = ofType(resources, 'AWS::Logs::MetricFilter')
      .map(([, f]) => f.Properties!)
      .filter((f) => String(f.FilterPattern).includes('REGISTRY_CREDENTIALS_REFUSED'));
    expect(filters).toEqual([
      {
        LogGroupName: { Ref: logGroupId },
        FilterPattern: '{ $.message = "REGISTRY_CREDENTIALS_REFUSED" }',
        MetricTransformations: [
          {
            MetricNamespace: 'DosePipeline',
            MetricName: 'RegistryCredentialsRefused',
            MetricValue: '1',
            DefaultValue: 0,
          },
        ],
      },
    ]);
    const topicId = ofType(resources, 'AWS::SNS::Topic')[0]![0];
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: REGISTRY_CREDENTIALS_REFUSED.namespace,
      MetricName: REGISTRY_CREDENTIALS_REFUSED.metricName,
      Statistic: 'Sum',
      Period: 300,
      EvaluationPeriods: 1,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
      AlarmActions: [{ Ref: topicId }],
      OKActions: [{ Ref: topicId }],
    });
  });

  it('is not created for a topology without the registry reporter', () => {
    const { [REGISTRY_REPORTER_FUNCTION]: _omitted, ...functions } = topology.functions;
    const { resources: without } = synthStack({ topology: { ...topology, functions } as typeof topology });
    const patterns = ofType(without, 'AWS::Logs::MetricFilter').map(([, f]) =>
      String(f.Properties!.FilterPattern),
    );
    expect(patterns.some((p) => p.includes('REGISTRY_CREDENTIALS_REFUSED'))).toBe(false);
    const reporters = LOG_ALARMS.filter((a) => a.fn === REGISTRY_REPORTER_FUNCTION).length;
    expect(patterns.length).toBe(LOG_ALARMS.length - reporters);
  });
});

describe('log alarms', () => {
  it.each(LOG_ALARMS.map((a) => [a.message, a] as const))(
    '%s: a metric filter on its function log group and an alarm to the alarm topic',
    (_message, entry) => {
      const fn = resources[functionId(entry.fn)]!.Properties!;
      const logGroupId = refOf((fn.LoggingConfig as { LogGroup: unknown }).LogGroup)!;
      template.hasResourceProperties('AWS::Logs::MetricFilter', {
        LogGroupName: { Ref: logGroupId },
        FilterPattern: `{ $.message = "${entry.message}" }`,
      });
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: entry.metricName,
        AlarmActions: [{ Ref: ofType(resources, 'AWS::SNS::Topic')[0]![0] }],
      });
    },
  );

  it('the CDC report checks by 11:00 Pacific and runs hourly from 03:30 until the upload is in', () => {
    const schedules = ofType(resources, 'AWS::Scheduler::Schedule').map(([, r]) => r.Properties!);
    const cdc = schedules.filter((p) => JSON.stringify(p.Target).includes(functionId('cdcReport')));
    expect(cdc.map((p) => [p.ScheduleExpression, p.ScheduleExpressionTimezone]).sort()).toEqual([
      ['cron(0 11 * * ? *)', 'America/Los_Angeles'],
      ['cron(30 3-10 * * ? *)', 'America/Los_Angeles'],
    ]);
  });
});

describe('secrets', () => {
  it.each(Object.entries(topology.secrets))('%s: generated, CMK-encrypted', (name) => {
    const secret =
      resources[logicalIdOf(resources, 'AWS::SecretsManager::Secret', `secret/${name}`)]!.Properties!;
    expect(secret.GenerateSecretString).toBeDefined();
    expect(refOf(secret.KmsKeyId)).toBe(keyId);
  });
});

describe('functions', () => {
  it.each(Object.entries(topology.functions))(
    '%s: nodejs24.x on arm64, topology timeout and memory, active tracing, retained KMS log group',
    (name, spec) => {
      const fn = resources[functionId(name)]!.Properties!;
      expect(fn.Runtime).toBe('nodejs24.x');
      expect(fn.Architectures).toEqual(['arm64']);
      expect(fn.Timeout).toBe(spec.timeoutSeconds);
      expect(fn.MemorySize).toBe(spec.memoryMb);
      expect(fn.Description).toBe(spec.description);
      expect(fn.TracingConfig).toEqual({ Mode: 'Active' });
      const logGroupId = refOf((fn.LoggingConfig as { LogGroup: unknown }).LogGroup)!;
      const logGroup = resources[logGroupId]!;
      expect(logGroup.Properties!.RetentionInDays).toBeGreaterThanOrEqual(365);
      expect(refOf(logGroup.Properties!.KmsKeyId)).toBe(keyId);
      expect(logGroup.DeletionPolicy).toBe('Retain');
    },
  );

  it('scheduled functions send failed asynchronous events to an alarmed DLQ; the others are never async', () => {
    for (const [name, spec] of Object.entries(topology.functions)) {
      const dlq = resources[functionId(name)]!.Properties!.DeadLetterConfig;
      const scheduled = ((spec as { schedules?: unknown[] }).schedules?.length ?? 0) > 0;
      expect(dlq !== undefined, name).toBe(scheduled);
    }
  });
});

describe('least privilege', () => {
  it('no role has a managed policy, and "*" resources carry only X-Ray trace actions', () => {
    for (const [id, role] of ofType(resources, 'AWS::IAM::Role')) {
      if (component(role)?.startsWith('function/'))
        expect(role.Properties!.ManagedPolicyArns, id).toBeUndefined();
    }
    for (const [, policy] of ofType(resources, 'AWS::IAM::Policy')) {
      for (const statement of (policy.Properties!.PolicyDocument as { Statement: Statement[] }).Statement) {
        if (asArray(statement.Resource).includes('*')) {
          expect(asArray(statement.Action).sort()).toEqual([
            'xray:PutTelemetryRecords',
            'xray:PutTraceSegments',
          ]);
        }
      }
    }
  });

  it('the authorizer cannot write the doses table (nor any table)', () => {
    const statements = functionStatements(resources, topology.api.authorizer);
    const dosesTable = tableId('doses');
    for (const statement of statements) expect(referencedIds(statement.Resource)).not.toContain(dosesTable);
    for (const action of WRITE_ACTIONS) expect(actionsOf(statements)).not.toContain(action);
  });

  it('the openapi function has no table, queue, bucket or secret access', () => {
    const actions = actionsOf(functionStatements(resources, 'openapi'));
    expect(actions.filter((a) => /^(dynamodb|sqs|s3|secretsmanager|kms):/.test(a))).toEqual([]);
  });

  it.each(Object.entries(topology.functions))(
    '%s gets exactly the access topology lists',
    (name, rawSpec) => {
      const spec = rawSpec as {
        tables?: Record<string, 'read' | 'write'>;
        sendsTo?: readonly string[];
        secrets?: readonly string[];
        sqs?: { queue: string };
        buckets?: Record<
          string,
          { read?: readonly string[]; readVersions?: readonly string[]; write?: readonly string[] }
        >;
      };
      const statements = functionStatements(resources, name);
      const touched = (prefix: string, actions?: string[]) =>
        new Set(
          statements
            .filter((s) =>
              asArray(s.Action).some((a) => a.startsWith(prefix) && (!actions || actions.includes(a))),
            )
            .flatMap((s) => [...referencedIds(s.Resource)]),
        );
      const tables = Object.entries(spec.tables ?? {});
      expect([...touched('dynamodb:')].sort()).toEqual(tables.map(([t]) => tableId(t)).sort());
      expect([...touched('dynamodb:', WRITE_ACTIONS)].sort()).toEqual(
        tables
          .filter(([, mode]) => mode === 'write')
          .map(([t]) => tableId(t))
          .sort(),
      );
      const failureQueue = resources[functionId(name)]!.Properties!.DeadLetterConfig as
        | { TargetArn: unknown }
        | undefined;
      const consumed = spec.sqs ? queueId(spec.sqs.queue) : undefined;
      expect([...touched('sqs:')].sort()).toEqual(
        [
          ...new Set([
            ...(spec.sendsTo ?? []).map(queueId),
            ...(failureQueue ? [refOf(failureQueue.TargetArn)!] : []),
            ...(consumed ? [consumed] : []),
          ]),
        ].sort(),
      );
      // Sending everywhere it sends; receiving, deleting and extending visibility only on the queue it consumes.
      const consumeActions = ['sqs:ReceiveMessage', 'sqs:ChangeMessageVisibility', 'sqs:DeleteMessage'];
      for (const statement of statements.filter((s) => asArray(s.Action).some((a) => a.startsWith('sqs:')))) {
        const others = asArray(statement.Action).filter(
          (a) => a.startsWith('sqs:') && a !== 'sqs:SendMessage' && !a.startsWith('sqs:GetQueue'),
        );
        if (others.length === 0) continue;
        expect(others.sort(), name).toEqual([...consumeActions].sort());
        expect([...referencedIds(statement.Resource)], name).toEqual([consumed]);
      }
      // Objects only under the key prefixes topology lists: GetObject per read prefix, GetObjectVersion per
      // readVersions prefix, PutObject and AbortMultipartUpload per write prefix, on no other bucket, prefix or
      // action.
      expect(bucketGrants(resources, name), name).toEqual(
        Object.entries(spec.buckets ?? {})
          .flatMap(([bucket, access]) => [
            ...(access.read ?? []).flatMap((prefix) => [
              `s3:GetObject ${bucket}/${prefix}*`,
              `s3:ListBucket ${bucket}/${prefix}*`,
            ]),
            ...(access.readVersions ?? []).map((prefix) => `s3:GetObjectVersion ${bucket}/${prefix}*`),
            ...(access.write ?? []).flatMap((prefix) => [
              `s3:AbortMultipartUpload ${bucket}/${prefix}*`,
              `s3:PutObject ${bucket}/${prefix}*`,
            ]),
          ])
          .sort(),
      );
      expect([...touched('secretsmanager:')].sort()).toEqual(
        (spec.secrets ?? [])
          .map((s) => logicalIdOf(resources, 'AWS::SecretsManager::Secret', `secret/${s}`))
          .sort(),
      );
      for (const id of touched('kms:')) expect(id).toBe(keyId);
    },
  );
});

describe('presigned URLs of the uploads function', () => {
  // A presigned URL acts with its signer's permissions: the uploads role must allow what its URLs do, no more.
  const statements = functionStatements(resources, 'uploads');

  it('can sign PUTs under incoming/ and GETs (of one version) under results/ of the drop bucket, and nothing else', () => {
    expect(bucketGrants(resources, 'uploads')).toEqual([
      's3:AbortMultipartUpload drop/incoming/*',
      's3:GetObject drop/results/*',
      's3:GetObjectVersion drop/results/*',
      's3:ListBucket drop/results/*',
      's3:PutObject drop/incoming/*',
    ]);
  });

  it('with the CMK use SSE-KMS needs: GenerateDataKey for an upload, Decrypt for a download', () => {
    const kms = statements.filter((s) => asArray(s.Action).some((a) => a.startsWith('kms:')));
    const actions = new Set(actionsOf(kms));
    expect(actions.has('kms:GenerateDataKey')).toBe(true);
    expect(actions.has('kms:Decrypt')).toBe(true);
    for (const s of kms) expect([...referencedIds(s.Resource)]).toEqual([keyId]);
  });

  it('and nothing more on the bucket: listing only where it reads, no deleting or configuring', () => {
    expect(
      actionsOf(statements.filter((s) => asArray(s.Action).some((a) => a.startsWith('s3:')))).sort(),
    ).toEqual([
      's3:AbortMultipartUpload',
      's3:GetObject',
      's3:GetObjectVersion',
      's3:ListBucket',
      's3:PutObject',
    ]);
  });
});

describe('drop bucket prefixes of the ingest functions', () => {
  const grants = (name: string, action: string) =>
    bucketGrants(resources, name)
      .filter((g) => g.startsWith(`${action} `))
      .map((g) => g.slice(action.length + 1));

  it('the planner reads incoming/ and results/, writes work/ and results/, never writes incoming/', () => {
    expect(grants('ingestPlanner', 's3:GetObject')).toEqual(['drop/incoming/*', 'drop/results/*']);
    expect(grants('ingestPlanner', 's3:PutObject')).toEqual(['drop/results/*', 'drop/work/*']);
    expect(grants('ingestPlanner', 's3:PutObject')).not.toContain('drop/incoming/*');
  });

  it('the worker reads incoming/ and work/, writes work/ and results/, never reads results/', () => {
    expect(grants('ingestWorker', 's3:GetObject')).toEqual(['drop/incoming/*', 'drop/work/*']);
    expect(grants('ingestWorker', 's3:PutObject')).toEqual(['drop/results/*', 'drop/work/*']);
    expect(grants('ingestWorker', 's3:GetObject')).not.toContain('drop/results/*');
  });

  it('the uploads sweeper reads incoming/ (HEAD of the planned version) and writes only results/ (of an upload it fails)', () => {
    expect(grants('uploadsSweeper', 's3:GetObject')).toEqual(['drop/incoming/*']);
    expect(grants('uploadsSweeper', 's3:PutObject')).toEqual(['drop/results/*']);
  });

  // Every bucket is versioned and these requests name a VersionId, which AWS authorizes as s3:GetObjectVersion:
  // with s3:GetObject alone each is denied (the planner's HEAD, so no dropped file would ever be planned).
  it.each([
    [
      'ingestPlanner',
      ['drop/incoming/*', 'drop/results/*'],
      'HEAD and GET of the dropped version; copy of earlier results',
    ],
    ['ingestWorker', ['drop/incoming/*'], 'ranged GETs of the planned version'],
    ['uploadsSweeper', ['drop/incoming/*'], 'HEAD of the planned version'],
    ['uploads', ['drop/results/*'], 'presigned GETs of the results version'],
  ] as const)('%s may read exact versions under %j (%s), and nowhere else', (name, prefixes, _why) => {
    expect(grants(name, 's3:GetObjectVersion')).toEqual([...prefixes]);
  });

  it('no other function reads object versions', () => {
    const readers = new Set(['ingestPlanner', 'ingestWorker', 'uploadsSweeper', 'uploads']);
    for (const name of Object.keys(topology.functions).filter((n) => !readers.has(n)))
      expect(grants(name, 's3:GetObjectVersion'), name).toEqual([]);
  });

  it('no function is granted a whole bucket', () => {
    for (const name of Object.keys(topology.functions)) {
      for (const grant of bucketGrants(resources, name)) expect(grant, name).not.toMatch(/ [^/]+\/\*$/);
    }
  });
});

describe('bucket bindings (a topology with a read-only and a write-only function)', () => {
  const extended = synthStack({ topology: extendedTopology() }).resources;
  const bucketId = logicalIdOf(extended, 'AWS::S3::Bucket', 'bucket/drop');

  it('read gets objects under its prefix only; write puts them there but cannot get them back', () => {
    expect(bucketGrants(extended, 'dropReader')).toEqual([
      's3:GetObject drop/incoming/*',
      's3:ListBucket drop/incoming/*',
    ]);
    expect(bucketGrants(extended, 'dropWriter')).toEqual([
      's3:AbortMultipartUpload drop/work/*',
      's3:PutObject drop/work/*',
    ]);
  });

  it('on that bucket’s objects, with only the KMS use the access needs', () => {
    for (const [name, kms] of [
      ['dropReader', ['kms:Decrypt']],
      // Multipart uploads and presigned PUTs with SSE-KMS need Decrypt as well as GenerateDataKey.
      ['dropWriter', ['kms:Decrypt', 'kms:GenerateDataKey']],
    ] as const) {
      const statements = functionStatements(extended, name);
      for (const s of statements.filter((st) => asArray(st.Action).some((a) => a.startsWith('s3:')))) {
        expect([...referencedIds(s.Resource)]).toEqual([bucketId]);
      }
      const kmsStatements = statements.filter((st) => asArray(st.Action).some((a) => a.startsWith('kms:')));
      expect(actionsOf(kmsStatements)).toEqual(kms);
      for (const s of kmsStatements) expect([...referencedIds(s.Resource)]).toEqual([keyIdOf(extended)]);
    }
  });
});

describe('schedules', () => {
  const schedules = ofType(resources, 'AWS::Scheduler::Schedule').map(([, s]) => s.Properties!);

  it('run in America/Los_Angeles with the topology expression, input, retries and a DLQ', () => {
    expect(schedules.length).toBeGreaterThan(0);
    for (const schedule of schedules) {
      expect(schedule.ScheduleExpressionTimezone).toBe('America/Los_Angeles');
      const target = schedule.Target as ScheduleTarget;
      expect(target.RetryPolicy).toEqual({
        MaximumRetryAttempts: expect.any(Number),
        MaximumEventAgeInSeconds: expect.any(Number),
      });
      expect(resources[refOf(target.DeadLetterConfig.Arn)!]!.Type).toBe('AWS::SQS::Queue');
      expect(() => JSON.parse(target.Input)).not.toThrow();
    }
  });

  it('each has its own role that can invoke only its function', () => {
    for (const schedule of schedules) {
      const target = schedule.Target as ScheduleTarget;
      const fnId = refOf(target.Arn)!;
      const roleId = refOf(target.RoleArn)!;
      const role = resources[roleId]!.Properties!;
      expect(JSON.stringify(role.AssumeRolePolicyDocument)).toContain('scheduler.amazonaws.com');
      const statements = statementsOfRole(resources, roleId);
      const invoke = statements.filter((s) => asArray(s.Action).some((a) => a.startsWith('lambda:')));
      expect(actionsOf(invoke)).toEqual(['lambda:InvokeFunction']);
      for (const statement of invoke) expect([...referencedIds(statement.Resource)]).toEqual([fnId]);
      const others = actionsOf(statements).filter((a) => !a.startsWith('lambda:'));
      expect(new Set(others)).toEqual(new Set(['sqs:SendMessage', 'kms:GenerateDataKey', 'kms:Decrypt']));
    }
    const roles = schedules.map((s) => refOf((s.Target as Record<string, unknown>).RoleArn));
    expect(new Set(roles).size).toBe(roles.length);
  });
});

describe('SQS triggers', () => {
  it(`every consumed queue's visibility timeout is at least ${VISIBILITY_TIMEOUT_FACTOR}× its consumer's timeout`, () => {
    for (const [, mapping] of ofType(resources, 'AWS::Lambda::EventSourceMapping')) {
      const fn = resources[refOf(mapping.Properties!.FunctionName)!]!.Properties!;
      const queue = resources[refOf(mapping.Properties!.EventSourceArn)!]!.Properties!;
      expect(queue.VisibilityTimeout as number).toBeGreaterThanOrEqual(
        VISIBILITY_TIMEOUT_FACTOR * (fn.Timeout as number),
      );
    }
    for (const spec of Object.values(topology.functions) as {
      sqs?: { queue: keyof typeof topology.queues };
      timeoutSeconds: number;
    }[]) {
      if (!spec.sqs) continue;
      expect(topology.queues[spec.sqs.queue].visibilityTimeoutSeconds).toBeGreaterThanOrEqual(
        VISIBILITY_TIMEOUT_FACTOR * spec.timeoutSeconds,
      );
    }
  });
});

describe('ingest consumers', () => {
  const mappingOf = (name: string) =>
    ofType(resources, 'AWS::Lambda::EventSourceMapping').find(
      ([, m]) => refOf(m.Properties!.FunctionName) === functionId(name),
    )?.[1].Properties;

  it.each([
    ['ingestPlanner', 'ingestFiles', 2],
    ['ingestWorker', 'ingestChunks', 4],
  ] as const)(
    '%s consumes %s one message at a time, partial batch responses, at most %i at once',
    (fn, queue, max) => {
      expect(mappingOf(fn)).toEqual({
        BatchSize: 1,
        EventSourceArn: { 'Fn::GetAtt': [queueId(queue), 'Arn'] },
        FunctionName: { Ref: functionId(fn) },
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        ScalingConfig: { MaximumConcurrency: max },
        Tags: expect.any(Array),
      });
      const visibility = resources[queueId(queue)]!.Properties!.VisibilityTimeout as number;
      expect(visibility).toBeGreaterThanOrEqual(
        VISIBILITY_TIMEOUT_FACTOR * (resources[functionId(fn)]!.Properties!.Timeout as number),
      );
    },
  );

  it('the uploads sweeper runs every 5 minutes (Los Angeles time) with its stuck-after input', () => {
    const schedules = ofType(resources, 'AWS::Scheduler::Schedule')
      .map(([, s]) => s.Properties!)
      .filter((s) => refOf((s.Target as ScheduleTarget).Arn) === functionId('uploadsSweeper'));
    expect(schedules).toHaveLength(1);
    expect(schedules[0]).toMatchObject({
      ScheduleExpression: 'rate(5 minutes)',
      ScheduleExpressionTimezone: 'America/Los_Angeles',
      State: 'ENABLED',
    });
    expect(JSON.parse((schedules[0]!.Target as ScheduleTarget).Input)).toEqual({ stuckAfterSeconds: 900 });
  });
});

describe('outputs', () => {
  it('give the API URL, table names, queue URLs, secret ARNs', () => {
    const outputs = Object.keys(template.toJSON().Outputs as object);
    expect(outputs).toContain('ApiUrl');
    expect(outputs.filter((o) => o.endsWith('TableName'))).toHaveLength(Object.keys(topology.tables).length);
    expect(outputs.filter((o) => o.endsWith('QueueUrl'))).toHaveLength(Object.keys(topology.queues).length);
    expect(outputs.filter((o) => o.endsWith('SecretArn'))).toHaveLength(Object.keys(topology.secrets).length);
  });
});
