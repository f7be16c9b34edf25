import { Stack } from 'aws-cdk-lib';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import {
  type BucketNotificationDestinationConfig,
  BucketNotificationDestinationType,
  type IBucketNotificationDestination,
  type IBucketRef,
} from 'aws-cdk-lib/aws-s3';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';

/**
 * An SQS queue as the destination of S3 event notifications, for a queue encrypted with the same customer-managed
 * key as the bucket. It does what `aws-s3-notifications.SqsDestination` does, with narrower grants:
 *
 * - Queue policy: `s3.amazonaws.com` may `sqs:SendMessage`, only from this bucket (`aws:SourceArn`) in this
 *   account (`aws:SourceArn` alone would not pin the account: bucket ARNs carry none). SqsDestination also
 *   grants GetQueueAttributes/GetQueueUrl, which S3 does not call.
 * - Key policy: `s3.amazonaws.com` may `kms:GenerateDataKey` and `kms:Decrypt` (what SQS needs from a producer
 *   of an encrypted queue), only on behalf of this account (`aws:SourceAccount`). SqsDestination adds the same
 *   actions with no condition at all, plus (through grantSendMessages) a statement conditioned on the bucket
 *   ARN. That one cannot be kept here: the bucket is encrypted with this key, so a key policy naming the bucket
 *   would make the key depend on the bucket and the bucket on the key, a cycle CloudFormation cannot deploy.
 *   The bucket restriction therefore lives on the queue policy, which no resource the bucket needs depends on.
 */
export class QueueNotificationDestination implements IBucketNotificationDestination {
  readonly queue: IQueue;

  constructor(queue: IQueue) {
    this.queue = queue;
  }

  bind(scope: Construct, bucket: IBucketRef): BucketNotificationDestinationConfig {
    const stack = Stack.of(scope);
    const bucketArn = bucket.bucketRef.bucketArn;
    const s3 = new ServicePrincipal('s3.amazonaws.com');
    const added = this.queue.addToResourcePolicy(
      new PolicyStatement({
        sid: 'S3NotificationsFromTheBucket',
        principals: [s3],
        actions: ['sqs:SendMessage'],
        resources: [this.queue.queueArn],
        conditions: {
          ArnLike: { 'aws:SourceArn': bucketArn },
          StringEquals: { 'aws:SourceAccount': stack.account },
        },
      }),
    );
    if (!added.statementAdded) throw new Error(`cannot add to the policy of queue ${this.queue.node.path}`);
    const key = this.queue.encryptionMasterKey;
    if (key) {
      const keyAdded = key.addToResourcePolicy(
        new PolicyStatement({
          sid: 'S3NotificationsToEncryptedQueues',
          principals: [s3],
          actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
          resources: ['*'],
          conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
        }),
        true,
      );
      if (!keyAdded.statementAdded) throw new Error(`cannot add to the policy of key ${key.node.path}`);
    }
    return {
      arn: this.queue.queueArn,
      type: BucketNotificationDestinationType.QUEUE,
      // The queue construct: its policy is a child, so the notification is put after S3 may send.
      dependencies: [this.queue],
    };
  }
}
