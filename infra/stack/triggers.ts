/** What invokes the functions besides the API: SQS event source mappings and EventBridge schedules. */
import { type CfnElement, Duration, TimeZone } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { EventSourceMapping } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Schedule, ScheduleExpression, ScheduleTargetInput } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import { suppress } from '../nag.ts';
/** Construct id of the singleton function CDK adds to put S3 bucket notification configurations. */
import type { PipelineStack } from '../stack.ts';
import { type PipelineTopology, pascalCase } from '../topology-checks.ts';
import { SCHEDULE_MAX_EVENT_AGE, SCHEDULE_RETRY_ATTEMPTS } from './constants.ts';

export function createSqsTriggers(stack: PipelineStack, t: PipelineTopology): void {
  for (const [name, spec] of Object.entries(t.functions)) {
    if (!spec.sqs) continue;
    const fn = stack.functions.get(name)!;
    const queue = stack.queues.get(spec.sqs.queue)!;
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

export function createSchedules(stack: PipelineStack, t: PipelineTopology): void {
  for (const [name, spec] of Object.entries(t.functions)) {
    const fn = stack.functions.get(name)!;
    const failures = stack.scheduleFailures.get(name);
    (spec.schedules ?? []).forEach((trigger, index) => {
      const id = `${pascalCase(name)}Schedule${index + 1}`;
      const role = new Role(stack, `${id}Role`, {
        description: `Lets EventBridge Scheduler invoke the ${name} function, and nothing else`,
        assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
          conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
        }),
      });
      // The schedule's DLQ is encrypted with the CMK.
      stack.key.grant(role, 'kms:GenerateDataKey', 'kms:Decrypt');
      const schedule = new Schedule(stack, id, {
        description: `${name}: ${trigger.expression} (${trigger.timezone})`,
        schedule: ScheduleExpression.expression(trigger.expression, TimeZone.of(trigger.timezone)),
        key: stack.key,
        target: new LambdaInvoke(fn, {
          role,
          input: ScheduleTargetInput.fromObject(trigger.input),
          deadLetterQueue: failures!.queue,
          retryAttempts: SCHEDULE_RETRY_ATTEMPTS,
          maxEventAge: SCHEDULE_MAX_EVENT_AGE,
        }),
      });
      const fnLogicalId = stack.getLogicalId(fn.node.defaultChild as CfnElement);
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
      stack.schedules.push({ fn: name, schedule });
    });
  }
}
