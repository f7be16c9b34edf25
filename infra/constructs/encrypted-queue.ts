import { Duration } from 'aws-cdk-lib';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { QueueSpec } from '../topology.ts';
import { DeadLetterQueue } from './dead-letter-queue.ts';

export interface EncryptedQueueProps {
  /** The queue as `topology.queues` describes it. */
  spec: Readonly<QueueSpec>;
  key: IKey;
  alarmTopic: ITopic;
}

/**
 * A work queue from the topology: encrypted with the CMK, TLS only, and a redrive policy to its own alarmed
 * dead-letter queue after `maxReceiveCount` receives.
 */
export class EncryptedQueue extends Construct {
  readonly queue: Queue;
  readonly deadLetterQueue: DeadLetterQueue;
  readonly spec: Readonly<QueueSpec>;

  constructor(scope: Construct, id: string, props: EncryptedQueueProps) {
    super(scope, id);
    this.spec = props.spec;
    this.deadLetterQueue = new DeadLetterQueue(this, 'Dlq', {
      key: props.key,
      alarmTopic: props.alarmTopic,
      description: `messages of ${props.spec.name} that failed ${props.spec.maxReceiveCount} receives`,
    });
    this.queue = new Queue(this, 'Queue', {
      encryption: QueueEncryption.KMS,
      encryptionMasterKey: props.key,
      dataKeyReuse: Duration.hours(1),
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(props.spec.visibilityTimeoutSeconds),
      retentionPeriod: Duration.days(props.spec.retentionDays),
      deadLetterQueue: { queue: this.deadLetterQueue.queue, maxReceiveCount: props.spec.maxReceiveCount },
    });
  }
}
