/**
 * The pipeline's AWS stack, derived entirely from `infra/topology.ts`: every table, queue, bucket, secret,
 * function, route, trigger and schedule below comes from iterating the topology, never from a list kept here.
 */
import { fileURLToPath } from 'node:url';
import {
  type CfnElement,
  CfnOutput,
  Duration,
  RemovalPolicy,
  Stack,
  type StackProps,
  Tags,
  TimeZone,
} from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  HttpApi,
  HttpMethod,
  HttpStage,
  LogGroupLogDestination,
  PayloadFormatVersion,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaAuthorizer, HttpLambdaResponseType } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { BackupPlan, BackupResource, BackupVault } from 'aws-cdk-lib/aws-backup';
import { Alarm, ComparisonOperator, Stats, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { AttributeType, BillingMode, ProjectionType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { EventSourceMapping } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { FilterPattern, LogGroup, MetricFilter, RetentionDays } from 'aws-cdk-lib/aws-logs';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  EventType,
  type LifecycleRule,
  ObjectOwnership,
} from 'aws-cdk-lib/aws-s3';
import { Schedule, ScheduleExpression, ScheduleTargetInput } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { S3_SERVER_ACCESS_LOGS_USE_BUCKET_POLICY } from 'aws-cdk-lib/cx-api';
import type { Construct } from 'constructs';
import { DeadLetterQueue } from './constructs/dead-letter-queue.ts';
import { EncryptedQueue } from './constructs/encrypted-queue.ts';
import { PipelineFunction } from './constructs/pipeline-function.ts';
import { QueueNotificationDestination } from './constructs/queue-notification-destination.ts';
import { suppress } from './nag.ts';
import { topology as defaultTopology } from './topology.ts';
import {
  assertDeployable,
  headerIdentitySource,
  type PipelineTopology,
  parseRoute,
  pascalCase,
} from './topology-checks.ts';

/** Construct id of the singleton function CDK adds to put S3 bucket notification configurations. */
const NOTIFICATIONS_HANDLER_ID = 'BucketNotificationsHandler050a0587b7544547bf325f094a3db834';

/** Repository root: topology entries are relative to it. */
export const ROOT_DIR = fileURLToPath(new URL('..', import.meta.url));

/** Tag that names the topology element a resource was made from, e.g. `function/doses`, `queue/registry/dlq`. */
export const COMPONENT_TAG = 'pipeline:component';
/** COMPONENT_TAG value of the function (and role) CDK adds to put S3 bucket notification configurations. */
export const NOTIFICATIONS_HANDLER_COMPONENT = 'custom-resource/bucket-notifications';

/** Scheduler retries for a target that could not be invoked (throttling, service errors). */
const SCHEDULE_RETRY_ATTEMPTS = 3;
const SCHEDULE_MAX_EVENT_AGE = Duration.hours(1);

/**
 * Every bucket, whatever its topology rules: an overwritten or deleted object stays recoverable this long as a
 * noncurrent version, and an upload that never completed (its parts are billed, invisible) is aborted.
 */
export const NONCURRENT_VERSION_RETENTION_DAYS = 30;
export const ABORT_INCOMPLETE_UPLOADS_AFTER_DAYS = 3;

/** HTTP API integrations default to (and max out at) 30 s; CDK only accepts explicit values up to 29 s. */
export const HTTP_API_DEFAULT_INTEGRATION_TIMEOUT_SECONDS = 30;

/**
 * The function (topology name) that logs REGISTRY_CREDENTIALS_REFUSED (functions/registry/reporter.ts)
 * when a regional registry refuses our SOAP credentials and sending to it is paused.
 */
export const METRIC_NAMESPACE = 'DosePipeline';
export const REGISTRY_REPORTER_FUNCTION = 'registryReporter';
export const REGISTRY_CREDENTIALS_REFUSED = {
  message: 'REGISTRY_CREDENTIALS_REFUSED',
  namespace: METRIC_NAMESPACE,
  metricName: 'RegistryCredentialsRefused',
} as const;

/**
 * Log lines that need a person: each gets a metric filter on its function's log group (JSON `message` field)
 * and an alarm (≥ 1 in 5 minutes) to the alarm topic. Nothing is created for a function the topology lacks.
 */
export interface LogAlarm {
  id: string;
  fn: string;
  message: string;
  metricName: string;
  description: string;
}

export const LOG_ALARMS: readonly LogAlarm[] = [
  {
    id: 'RegistryCredentialsRefused',
    fn: REGISTRY_REPORTER_FUNCTION,
    message: REGISTRY_CREDENTIALS_REFUSED.message,
    metricName: REGISTRY_CREDENTIALS_REFUSED.metricName,
    description:
      'A regional registry refused our SOAP credentials: sending to it is paused until they are fixed ' +
      `(${REGISTRY_CREDENTIALS_REFUSED.message} in the ${REGISTRY_REPORTER_FUNCTION} logs; see the registry field).`,
  },
  {
    id: 'RegistryAckMismatch',
    fn: REGISTRY_REPORTER_FUNCTION,
    message: 'REGISTRY_ACK_MISMATCH',
    metricName: 'RegistryAckMismatch',
    description:
      'A regional registry answered with an ACK for another message (MSA-2 is not the MSH-10 we sent): the dose is left unsettled and retried, but a registry mixing up answers needs a person (REGISTRY_ACK_MISMATCH in the ' +
      `${REGISTRY_REPORTER_FUNCTION} logs; see the registry field).`,
  },
  {
    id: 'CdcReportLate',
    fn: 'cdcReport',
    message: 'CDC_REPORT_LATE',
    metricName: 'CdcReportLate',
    description:
      "Yesterday's CDC report was not uploaded by 11:00 Pacific (CDC expects it by noon). The day's lastError is " +
      'in the CDC_REPORT_LATE log line; once fixed, run: npm run cdc-report -- --date <day> --function <cdcReport>.',
  },
  {
    id: 'CdcRecordsHeldBack',
    fn: 'cdcReport',
    message: 'CDC_RECORDS_HELD_BACK',
    metricName: 'CdcRecordsHeldBack',
    description:
      'Records of a CDC report day failed our CVRS checks and were held back (not sent): see held-back.json ' +
      'under cdc/<day>/ in the audit bucket.',
  },
  {
    id: 'RollupFailed',
    fn: 'nightlyRollup',
    message: 'ROLLUP_FAILED',
    metricName: 'RollupFailed',
    description:
      'The nightly accountability roll-up failed (the schedule retries at 03:30). Rerun by hand once fixed: ' +
      'npm run nightly -- --date <day> --function <nightlyRollup>.',
  },
  {
    id: 'RollupLate',
    fn: 'nightlyRollup',
    message: 'ROLLUP_LATE',
    metricName: 'RollupLate',
    description:
      "Yesterday's accountability roll-up has not completed by 06:00 California time: the wastage and expiry " +
      'reports are missing. Rerun: npm run nightly -- --date <day> --function <nightlyRollup>.',
  },
];

function integrationTimeout(seconds: number): Duration | undefined {
  return seconds >= HTTP_API_DEFAULT_INTEGRATION_TIMEOUT_SECONDS ? undefined : Duration.seconds(seconds);
}

export interface PipelineStackProps extends StackProps {
  /** Defaults to `infra/topology.ts`; tests pass variants. */
  topology?: PipelineTopology;
  /** Root that `entry` paths are relative to; defaults to the repository root. */
  rootDir?: string;
  /**
   * Template tests only: when bundling is skipped, a function whose entry module does not exist yet gets a
   * placeholder instead of failing synthesis. A bundled synthesis (cdk synth, deploy) always fails instead.
   */
  allowMissingEntries?: boolean;
}

/** The CDK event type of a topology event name (`s3:ObjectCreated:*` → EventType.OBJECT_CREATED). */
function s3EventType(event: string): EventType {
  const type = Object.values(EventType).find((value) => value === event);
  if (!type) throw new Error(`${event} is not an S3 event type`);
  return type;
}

export class PipelineStack extends Stack {
  readonly topology: PipelineTopology;
  readonly key: Key;
  readonly alarmTopic: Topic;
  readonly tables = new Map<string, Table>();
  readonly queues = new Map<string, EncryptedQueue>();
  readonly accessLogBucket: Bucket;
  readonly buckets = new Map<string, Bucket>();
  readonly secrets = new Map<string, Secret>();
  readonly functions = new Map<string, PipelineFunction>();
  /** Per scheduled function: DLQ of its schedules and of its asynchronous invocations. */
  readonly scheduleFailures = new Map<string, DeadLetterQueue>();
  readonly schedules: { fn: string; schedule: Schedule }[] = [];
  readonly api: HttpApi;
  readonly stage: HttpStage;
  private notificationsHandlerAcknowledged = false;

  constructor(scope: Construct, id: string, props: PipelineStackProps = {}) {
    super(scope, id, props);
    // Server access logs are delivered under a bucket policy, not the legacy LogDelivery ACL.
    this.node.setContext(S3_SERVER_ACCESS_LOGS_USE_BUCKET_POLICY, true);

    const t = props.topology ?? defaultTopology;
    assertDeployable(t);
    this.topology = t;
    const rootDir = props.rootDir ?? ROOT_DIR;

    this.key = this.createKey();
    this.alarmTopic = new Topic(this, 'Alarms', {
      displayName: 'Dose pipeline alarms',
      masterKey: this.key,
      enforceSSL: true,
    });

    this.createTables(t);
    this.createQueues(t);
    this.accessLogBucket = this.createAccessLogBucket();
    this.createBuckets(t);
    this.createSecrets(t);
    this.createFunctions(t, rootDir, props.allowMissingEntries === true);
    this.createSqsTriggers(t);
    this.createSchedules(t);
    this.createLogAlarms();
    const { api, stage } = this.createApi(t);
    this.api = api;
    this.stage = stage;
    this.createOutputs();
  }

  private createKey(): Key {
    const key = new Key(this, 'Key', {
      description: 'Dose pipeline data: tables, queues, buckets, secrets, logs, alarms',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    key.addToResourcePolicy(
      new PolicyStatement({
        sid: 'CloudWatchLogsEncryptsThisAccountsLogGroups',
        principals: [new ServicePrincipal(`logs.${this.region}.amazonaws.com`)],
        actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        resources: ['*'],
        conditions: {
          ArnLike: {
            'kms:EncryptionContext:aws:logs:arn': `arn:${this.partition}:logs:${this.region}:${this.account}:log-group:*`,
          },
        },
      }),
    );
    key.addToResourcePolicy(
      new PolicyStatement({
        sid: 'CloudWatchAlarmsPublishToTheEncryptedTopic',
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        // The key also encrypts PHI tables: CloudWatch may use it only for alarms of this account and region
        // (no confused deputy acting for another account's alarm). Alarms by pattern, not ARN: an alarm names
        // the topic, which names the key, so the key policy naming an alarm would be a dependency cycle.
        conditions: {
          StringEquals: { 'aws:SourceAccount': this.account },
          ArnLike: {
            'aws:SourceArn': `arn:${this.partition}:cloudwatch:${this.region}:${this.account}:alarm:*`,
          },
        },
      }),
    );
    return key;
  }

  private createTables(t: PipelineTopology): void {
    for (const [name, spec] of Object.entries(t.tables)) {
      const table = new Table(this, `${pascalCase(name)}Table`, {
        partitionKey: { name: spec.partitionKey, type: AttributeType.STRING },
        sortKey: { name: spec.sortKey, type: AttributeType.STRING },
        billingMode: BillingMode.PAY_PER_REQUEST,
        encryption: TableEncryption.CUSTOMER_MANAGED,
        encryptionKey: this.key,
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
        deletionProtection: true,
        removalPolicy: RemovalPolicy.RETAIN,
      });
      for (const index of spec.indexes) {
        table.addGlobalSecondaryIndex({
          indexName: index.name,
          partitionKey: { name: index.partitionKey, type: AttributeType.STRING },
          sortKey: { name: index.sortKey, type: AttributeType.STRING },
          projectionType: ProjectionType.ALL,
        });
      }
      Tags.of(table).add(COMPONENT_TAG, `table/${name}`);
      this.tables.set(name, table);
    }
    if (this.tables.size === 0) return;

    // PITR restores any second of the last 35 days; the plan keeps monthly recovery points for a year.
    const vault = new BackupVault(this, 'BackupVault', {
      encryptionKey: this.key,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const plan = BackupPlan.dailyMonthly1YearRetention(this, 'BackupPlan', vault);
    const selection = plan.addSelection('Tables', {
      resources: [...this.tables.values()].map((table) => BackupResource.fromDynamoDbTable(table)),
    });
    suppress(selection, [
      {
        id: 'AwsSolutions-IAM4',
        appliesTo: [
          'Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup',
        ],
        reason:
          'AWS Backup assumes this role to snapshot the tables; AWSBackupServiceRolePolicyForBackup is the ' +
          'AWS-maintained policy for exactly that and follows new resource types without redeploys.',
      },
    ]);
  }

  private createQueues(t: PipelineTopology): void {
    for (const [name, spec] of Object.entries(t.queues)) {
      const queue = new EncryptedQueue(this, `${pascalCase(name)}Queue`, {
        spec,
        key: this.key,
        alarmTopic: this.alarmTopic,
      });
      Tags.of(queue.queue).add(COMPONENT_TAG, `queue/${name}`);
      Tags.of(queue.deadLetterQueue).add(COMPONENT_TAG, `queue/${name}/dlq`);
      this.queues.set(name, queue);
    }
  }

  private createAccessLogBucket(): Bucket {
    const bucket = new Bucket(this, 'AccessLogs', {
      // S3 server access logging can only deliver to a bucket encrypted with SSE-S3.
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      versioned: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    suppress(bucket, [
      {
        id: 'HIPAA.Security-S3DefaultEncryptionKMS',
        reason:
          'S3 server access logging delivers only to buckets encrypted with SSE-S3 (SSE-KMS is unsupported).',
      },
      {
        id: 'HIPAA.Security-S3BucketReplicationEnabled',
        reason:
          'Single-region reference deployment: access logs are versioned and retained; cross-region replication ' +
          'is a per-deployment decision with its own destination bucket and key.',
      },
    ]);
    return bucket;
  }

  private createBuckets(t: PipelineTopology): void {
    for (const [name, spec] of Object.entries(t.buckets)) {
      const lifecycleRules: LifecycleRule[] = [
        {
          id: 'noncurrent-versions-and-incomplete-uploads',
          noncurrentVersionExpiration: Duration.days(NONCURRENT_VERSION_RETENTION_DAYS),
          abortIncompleteMultipartUploadAfter: Duration.days(ABORT_INCOMPLETE_UPLOADS_AFTER_DAYS),
          // Once an expired object's last noncurrent version is gone, its delete marker goes too.
          expiredObjectDeleteMarker: true,
        },
        // Versioned: expiring the current version leaves a delete marker; the rule above removes the rest.
        ...(spec.lifecycle ?? []).map((rule) => ({
          id: `expire-${rule.prefix}`,
          prefix: rule.prefix,
          expiration: Duration.days(rule.expireDays),
        })),
      ];
      const bucket = new Bucket(this, `${pascalCase(name)}Bucket`, {
        encryption: BucketEncryption.KMS,
        encryptionKey: this.key,
        bucketKeyEnabled: true,
        blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
        objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
        enforceSSL: true,
        minimumTLSVersion: 1.2,
        versioned: true,
        serverAccessLogsBucket: this.accessLogBucket,
        serverAccessLogsPrefix: `${spec.name}/`,
        lifecycleRules,
        removalPolicy: RemovalPolicy.RETAIN,
      });
      suppress(bucket, [
        {
          id: 'HIPAA.Security-S3BucketReplicationEnabled',
          reason:
            'Single-region reference deployment: objects are versioned and KMS-encrypted; cross-region ' +
            'replication is a per-deployment decision with its own destination bucket and key.',
        },
      ]);
      Tags.of(bucket).add(COMPONENT_TAG, `bucket/${name}`);
      this.buckets.set(name, bucket);
      this.addNotifications(bucket, spec);
    }
  }

  /** S3 → SQS notifications of a bucket, one configuration per topology entry and event type. */
  private addNotifications(bucket: Bucket, spec: PipelineTopology['buckets'][string]): void {
    const notifications = spec.notifications ?? [];
    if (notifications.length === 0) return;
    const destinations = new Map<string, QueueNotificationDestination>();
    for (const notification of notifications) {
      let destination = destinations.get(notification.queue);
      if (!destination) {
        destination = new QueueNotificationDestination(this.queues.get(notification.queue)!.queue);
        destinations.set(notification.queue, destination);
      }
      for (const event of notification.events) {
        bucket.addEventNotification(s3EventType(event), destination, {
          prefix: notification.prefix,
          suffix: notification.suffix,
        });
      }
    }
    this.acknowledgeNotificationsHandler(bucket);
  }

  /**
   * S3 notifications are put by a custom resource: CDK adds one Python function per stack
   * (BucketNotificationsHandler…) that calls PutBucketNotificationConfiguration during deployments, plus, per
   * bucket, an inline policy allowing s3:PutBucketNotification on that bucket only. Their findings are
   * acknowledged on them alone.
   */
  private acknowledgeNotificationsHandler(bucket: Bucket): void {
    const what =
      'the CDK-provided custom resource that puts the bucket notification configuration during CloudFormation ' +
      'deployments (BucketNotificationsHandler); it handles no data';
    const policy = bucket.node.tryFindChild('Notifications')?.node.tryFindChild('HandlerPolicy');
    if (policy) {
      suppress(policy, [
        {
          id: 'HIPAA.Security-IAMNoInlinePolicy',
          reason: `Inline policy CDK attaches to the role of ${what}: s3:PutBucketNotification on this one bucket.`,
        },
      ]);
    }
    const handler = this.node.tryFindChild(NOTIFICATIONS_HANDLER_ID);
    if (handler && !this.notificationsHandlerAcknowledged) {
      this.notificationsHandlerAcknowledged = true;
      Tags.of(handler).add(COMPONENT_TAG, NOTIFICATIONS_HANDLER_COMPONENT);
      suppress(handler, [
        {
          id: 'AwsSolutions-IAM4',
          appliesTo: [
            'Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole',
          ],
          reason: `The role of ${what}: CDK attaches AWSLambdaBasicExecutionRole so it can write its own logs.`,
        },
      ]);
    }
  }

  private createSecrets(t: PipelineTopology): void {
    for (const [name, spec] of Object.entries(t.secrets)) {
      const secret = new Secret(this, `${pascalCase(name)}Secret`, {
        description: spec.description,
        encryptionKey: this.key,
        generateSecretString: { passwordLength: 64, excludePunctuation: true },
        removalPolicy: RemovalPolicy.RETAIN,
      });
      const reason =
        'A bearer credential handed to people, not a database password: rotating it needs the holders to get the ' +
        'new value, so it is rotated by an operator (put-secret-value), not by a rotation Lambda.';
      suppress(secret, [
        { id: 'AwsSolutions-SMG4', reason },
        { id: 'HIPAA.Security-SecretsManagerRotationEnabled', reason },
      ]);
      Tags.of(secret).add(COMPONENT_TAG, `secret/${name}`);
      this.secrets.set(name, secret);
    }
  }

  private createFunctions(t: PipelineTopology, rootDir: string, allowMissingEntry: boolean): void {
    for (const [name, spec] of Object.entries(t.functions)) {
      const id = pascalCase(name);
      let failures: DeadLetterQueue | undefined;
      if ((spec.schedules?.length ?? 0) > 0) {
        failures = new DeadLetterQueue(this, `${id}Failures`, {
          key: this.key,
          alarmTopic: this.alarmTopic,
          description: `scheduled runs of ${name} that could not be delivered or failed after Lambda's retries`,
        });
        Tags.of(failures).add(COMPONENT_TAG, `function/${name}/dlq`);
        this.scheduleFailures.set(name, failures);
      }
      const fn = new PipelineFunction(this, `${id}Function`, {
        name,
        spec,
        rootDir,
        key: this.key,
        deadLetterQueue: failures?.queue,
        allowMissingEntry,
      });
      for (const [table, mode] of Object.entries(spec.tables ?? {})) {
        fn.bindTable({ table: this.tables.get(table)!, spec: t.tables[table]!, mode: mode! });
      }
      for (const queue of spec.sendsTo ?? []) {
        fn.bindQueue({ queue: this.queues.get(queue)!.queue, spec: t.queues[queue]! });
      }
      for (const [bucket, access] of Object.entries(spec.buckets ?? {})) {
        fn.bindBucket({ bucket: this.buckets.get(bucket)!, spec: t.buckets[bucket]!, access: access! });
      }
      for (const secret of spec.secrets ?? []) {
        fn.bindSecret({ secret: this.secrets.get(secret)!, spec: t.secrets[secret]! });
      }

      const synchronous = this.synchronousInvoker(t, name);
      if (!failures && synchronous) {
        const reason = `Never invoked asynchronously: ${synchronous}, so a dead-letter queue would never receive anything.`;
        suppress(fn, [
          { id: 'HIPAA.Security-LambdaDLQ', reason },
          { id: 'Serverless-LambdaDLQ', reason },
        ]);
      }
      Tags.of(fn).add(COMPONENT_TAG, `function/${name}`);
      this.functions.set(name, fn);
    }
  }

  /** How a function is invoked synchronously, if it is never invoked asynchronously. */
  private synchronousInvoker(t: PipelineTopology, name: string): string | undefined {
    const spec = t.functions[name]!;
    if ((spec.schedules?.length ?? 0) > 0) return undefined;
    const invokers: string[] = [];
    if (name === t.api.authorizer)
      invokers.push('API Gateway calls it synchronously as the Lambda authorizer');
    if ((spec.routes?.length ?? 0) + (spec.publicRoutes?.length ?? 0) > 0) {
      invokers.push('API Gateway invokes it synchronously and returns its errors to the caller');
    }
    if (spec.sqs) {
      invokers.push(
        `the SQS event source mapping invokes it synchronously and failed messages go to the ${spec.sqs.queue} DLQ by redrive policy`,
      );
    }
    return invokers.length > 0 ? invokers.join('; ') : undefined;
  }

  private createSqsTriggers(t: PipelineTopology): void {
    for (const [name, spec] of Object.entries(t.functions)) {
      if (!spec.sqs) continue;
      const fn = this.functions.get(name)!;
      const queue = this.queues.get(spec.sqs.queue)!;
      fn.addEventSource(
        new SqsEventSource(queue.queue, {
          batchSize: spec.sqs.batchSize,
          maxBatchingWindow:
            spec.sqs.maxBatchingWindowSeconds > 0
              ? Duration.seconds(spec.sqs.maxBatchingWindowSeconds)
              : undefined,
          reportBatchItemFailures: spec.sqs.reportBatchItemFailures,
          maxConcurrency: spec.sqs.maximumConcurrency,
        }),
      );
      const mapping = fn.node.children.find((child) => child instanceof EventSourceMapping);
      suppress(mapping ?? fn, [
        {
          id: 'Serverless-LambdaEventSourceMappingDestination',
          reason:
            `SQS event source mappings take no on-failure destination: a message that keeps failing moves to the ` +
            `${spec.sqs.queue} DLQ after maxReceiveCount receives (redrive policy), which raises an alarm.`,
        },
      ]);
    }
  }

  private createSchedules(t: PipelineTopology): void {
    for (const [name, spec] of Object.entries(t.functions)) {
      const fn = this.functions.get(name)!;
      const failures = this.scheduleFailures.get(name);
      (spec.schedules ?? []).forEach((trigger, index) => {
        const id = `${pascalCase(name)}Schedule${index + 1}`;
        const role = new Role(this, `${id}Role`, {
          description: `Lets EventBridge Scheduler invoke the ${name} function, and nothing else`,
          assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
            conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
          }),
        });
        // The schedule's DLQ is encrypted with the CMK.
        this.key.grant(role, 'kms:GenerateDataKey', 'kms:Decrypt');
        const schedule = new Schedule(this, id, {
          description: `${name}: ${trigger.expression} (${trigger.timezone})`,
          schedule: ScheduleExpression.expression(trigger.expression, TimeZone.of(trigger.timezone)),
          key: this.key,
          target: new LambdaInvoke(fn, {
            role,
            input: ScheduleTargetInput.fromObject(trigger.input),
            deadLetterQueue: failures!.queue,
            retryAttempts: SCHEDULE_RETRY_ATTEMPTS,
            maxEventAge: SCHEDULE_MAX_EVENT_AGE,
          }),
        });
        const fnLogicalId = this.getLogicalId(fn.node.defaultChild as CfnElement);
        suppress(role, [
          {
            id: 'AwsSolutions-IAM5',
            appliesTo: [`Resource::<${fnLogicalId}.Arn>:*`],
            reason: `grantInvoke on the ${name} function: "<arn>:*" covers that one function's versions and aliases only.`,
          },
          {
            id: 'HIPAA.Security-IAMNoInlinePolicy',
            reason: `The inline policy belongs to this one schedule role (invoke ${name}, send to its DLQ); no other principal could reuse it.`,
          },
        ]);
        this.schedules.push({ fn: name, schedule });
      });
    }
  }

  /** A metric filter per LOG_ALARMS entry on its function's log group, and an alarm on it. */
  private createLogAlarms(): void {
    for (const entry of LOG_ALARMS) {
      const fn = this.functions.get(entry.fn);
      if (!fn) continue;
      const filter = new MetricFilter(this, `${entry.id}Filter`, {
        logGroup: fn.logGroup,
        filterPattern: FilterPattern.stringValue('$.message', '=', entry.message),
        metricNamespace: METRIC_NAMESPACE,
        metricName: entry.metricName,
        metricValue: '1',
        defaultValue: 0,
      });
      const alarm = new Alarm(this, `${entry.id}Alarm`, {
        alarmDescription: entry.description,
        metric: filter.metric({ period: Duration.minutes(5), statistic: Stats.SUM }),
        threshold: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
      const action = new SnsAction(this.alarmTopic);
      alarm.addAlarmAction(action);
      alarm.addOkAction(action);
    }
  }

  private createApi(t: PipelineTopology): { api: HttpApi; stage: HttpStage } {
    const api = new HttpApi(this, 'Api', {
      description: 'Dose intake API',
      createDefaultStage: false,
    });
    const accessLogs = new LogGroup(this, 'ApiAccessLogs', {
      retention: RetentionDays.ONE_YEAR,
      encryptionKey: this.key,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const stage = new HttpStage(this, 'DefaultStage', {
      httpApi: api,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: t.api.throttle.rateLimit, burstLimit: t.api.throttle.burstLimit },
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            requestTime: '$context.requestTime',
            ip: '$context.identity.sourceIp',
            userAgent: '$context.identity.userAgent',
            routeKey: '$context.routeKey',
            status: '$context.status',
            protocol: '$context.protocol',
            responseLength: '$context.responseLength',
            responseLatency: '$context.responseLatency',
            integrationLatency: '$context.integrationLatency',
            integrationError: '$context.integrationErrorMessage',
            authorizerError: '$context.authorizer.error',
          }),
        ),
      },
    });

    const authorizer = new HttpLambdaAuthorizer('Authorizer', this.functions.get(t.api.authorizer)!, {
      authorizerName: t.api.authorizer,
      identitySource: [headerIdentitySource(t.api.identitySource)],
      resultsCacheTtl: Duration.seconds(t.api.authorizerCacheTtlSeconds),
      responseTypes: [HttpLambdaResponseType.SIMPLE],
    });

    for (const [name, spec] of Object.entries(t.functions)) {
      if ((spec.routes?.length ?? 0) + (spec.publicRoutes?.length ?? 0) === 0) continue;
      const integration = new HttpLambdaIntegration(
        `${pascalCase(name)}Integration`,
        this.functions.get(name)!,
        {
          payloadFormatVersion: PayloadFormatVersion.VERSION_2_0,
          timeout: integrationTimeout(t.api.integrationTimeoutSeconds),
        },
      );
      for (const route of spec.routes ?? []) {
        const { method, path } = parseRoute(route)!;
        api.addRoutes({ path, methods: [HttpMethod[method]], integration, authorizer });
      }
      for (const route of spec.publicRoutes ?? []) {
        const { method, path } = parseRoute(route)!;
        for (const publicRoute of api.addRoutes({ path, methods: [HttpMethod[method]], integration })) {
          suppress(publicRoute, [
            {
              id: 'AwsSolutions-APIG4',
              reason: `"${route}" is listed in topology.ts publicRoutes: it serves a public document, no dose data.`,
            },
          ]);
        }
      }
    }
    return { api, stage };
  }

  private createOutputs(): void {
    new CfnOutput(this, 'ApiUrl', { value: this.stage.url, description: 'Base URL of the HTTP API' });
    new CfnOutput(this, 'AlarmTopicArn', {
      value: this.alarmTopic.topicArn,
      description: 'Subscribe operators here: dead-letter queue alarms',
    });
    for (const [name, table] of this.tables) {
      new CfnOutput(this, `${pascalCase(name)}TableName`, {
        value: table.tableName,
        description: `${this.topology.tables[name]!.envVar} for the ${name} table`,
      });
    }
    for (const [name, queue] of this.queues) {
      new CfnOutput(this, `${pascalCase(name)}QueueUrl`, {
        value: queue.queue.queueUrl,
        description: `${this.topology.queues[name]!.envVar} for the ${name} queue`,
      });
    }
    for (const [name, bucket] of this.buckets) {
      new CfnOutput(this, `${pascalCase(name)}BucketName`, {
        value: bucket.bucketName,
        description: `${this.topology.buckets[name]!.envVar} for the ${name} bucket`,
      });
    }
    for (const [name, secret] of this.secrets) {
      new CfnOutput(this, `${pascalCase(name)}SecretArn`, {
        value: secret.secretArn,
        description: `${this.topology.secrets[name]!.envVar}_SECRET_ARN for the ${name} secret`,
      });
    }
  }
}
