import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { suppress } from '../nag.ts';

export interface DeadLetterQueueProps {
  /** Customer-managed key the messages are encrypted with. */
  key: IKey;
  /** Topic an alarm is sent to as soon as one message is visible. */
  alarmTopic: ITopic;
  /** What ends up here, for the alarm description. */
  description: string;
}

/**
 * A dead-letter queue: encrypted with the CMK, TLS only, 14 days' retention (the maximum), and an alarm as soon
 * as one message is visible, because every message here is a dose change or a run that did not go through.
 */
export class DeadLetterQueue extends Construct {
  readonly queue: Queue;
  readonly alarm: Alarm;

  constructor(scope: Construct, id: string, props: DeadLetterQueueProps) {
    super(scope, id);
    this.queue = new Queue(this, 'Queue', {
      encryption: QueueEncryption.KMS,
      encryptionMasterKey: props.key,
      dataKeyReuse: Duration.hours(1),
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.alarm = new Alarm(this, 'MessagesVisible', {
      alarmDescription: `Messages are waiting in a dead-letter queue: ${props.description}`,
      metric: this.queue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(1),
        statistic: 'Maximum',
      }),
      threshold: 0,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    const action = new SnsAction(props.alarmTopic);
    this.alarm.addAlarmAction(action);
    this.alarm.addOkAction(action);
    suppress(this.queue, [
      {
        id: 'Serverless-SQSRedrivePolicy',
        reason:
          'This queue is itself a dead-letter queue: messages stop here for an operator to inspect and redrive, ' +
          'and the alarm above fires on the first one.',
      },
    ]);
  }
}
