/** The stack's buckets: the access-log bucket, one per topology bucket, and their S3 → SQS notifications. */
import { Duration, RemovalPolicy, Tags } from 'aws-cdk-lib';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  HttpMethods,
  type LifecycleRule,
  ObjectOwnership,
} from 'aws-cdk-lib/aws-s3';
import { QueueNotificationDestination } from '../constructs/queue-notification-destination.ts';
import { suppress } from '../nag.ts';
/** Construct id of the singleton function CDK adds to put S3 bucket notification configurations. */
import type { PipelineStack } from '../stack.ts';
import { type PipelineTopology, pascalCase } from '../topology-checks.ts';
import {
  ABORT_INCOMPLETE_UPLOADS_AFTER_DAYS,
  COMPONENT_TAG,
  NONCURRENT_VERSION_RETENTION_DAYS,
  NOTIFICATIONS_HANDLER_COMPONENT,
  NOTIFICATIONS_HANDLER_ID,
  s3EventType,
} from './constants.ts';

export function createAccessLogBucket(stack: PipelineStack): Bucket {
  const bucket = new Bucket(stack, 'AccessLogs', {
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

export function createBuckets(stack: PipelineStack, t: PipelineTopology): void {
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
    const bucket = new Bucket(stack, `${pascalCase(name)}Bucket`, {
      encryption: BucketEncryption.KMS,
      encryptionKey: stack.key,
      bucketKeyEnabled: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      versioned: true,
      serverAccessLogsBucket: stack.accessLogBucket,
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
    stack.buckets.set(name, bucket);
    addNotifications(stack, bucket, spec);
  }
}

/**
 * CORS of every bucket whose topology entry has `cors`: the console PUTs files there with presigned URLs from its
 * own origin (`'console'`: the CloudFront distribution's, resolved by the stack), and no other origin.
 */
export function addBucketCors(stack: PipelineStack, t: PipelineTopology, consoleOrigin: string): void {
  for (const [name, spec] of Object.entries(t.buckets)) {
    if (!spec.cors) continue;
    stack.buckets.get(name)!.addCorsRule({
      allowedOrigins: [consoleOrigin],
      allowedMethods: spec.cors.methods.map((m) => HttpMethods[m]),
      allowedHeaders: [...spec.cors.allowedHeaders],
      exposedHeaders: [...spec.cors.exposedHeaders],
      maxAge: spec.cors.maxAgeSeconds,
    });
  }
}

/** S3 → SQS notifications of a bucket, one configuration per topology entry and event type. */
export function addNotifications(
  stack: PipelineStack,
  bucket: Bucket,
  spec: PipelineTopology['buckets'][string],
): void {
  const notifications = spec.notifications ?? [];
  if (notifications.length === 0) return;
  const destinations = new Map<string, QueueNotificationDestination>();
  for (const notification of notifications) {
    let destination = destinations.get(notification.queue);
    if (!destination) {
      destination = new QueueNotificationDestination(stack.queues.get(notification.queue)!.queue);
      destinations.set(notification.queue, destination);
    }
    for (const event of notification.events) {
      bucket.addEventNotification(s3EventType(event), destination, {
        prefix: notification.prefix,
        suffix: notification.suffix,
      });
    }
  }
  acknowledgeNotificationsHandler(stack, bucket);
}

/**
 * S3 notifications are put by a custom resource: CDK adds one Python function per stack
 * (BucketNotificationsHandler…) that calls PutBucketNotificationConfiguration during deployments, plus, per
 * bucket, an inline policy allowing s3:PutBucketNotification on that bucket only. Their findings are
 * acknowledged on them alone.
 */
export function acknowledgeNotificationsHandler(stack: PipelineStack, bucket: Bucket): void {
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
  const handler = stack.node.tryFindChild(NOTIFICATIONS_HANDLER_ID);
  if (handler && !stack.notificationsHandlerAcknowledged) {
    stack.notificationsHandlerAcknowledged = true;
    Tags.of(handler).add(COMPONENT_TAG, NOTIFICATIONS_HANDLER_COMPONENT);
    suppress(handler, [
      {
        id: 'AwsSolutions-IAM4',
        appliesTo: ['Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole'],
        reason: `The role of ${what}: CDK attaches AWSLambdaBasicExecutionRole so it can write its own logs.`,
      },
    ]);
  }
}
