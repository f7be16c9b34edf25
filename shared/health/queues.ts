import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { sqs } from '#platform/aws/sqs.ts';
import { dlqEnvName, QUEUE_ENV } from '#platform/env-names.ts';

export interface QueueDepth {
  queue: string;
  /** Messages waiting (ApproximateNumberOfMessages) and being worked on (…NotVisible). */
  waiting: number;
  inFlight: number;
  /** Its dead-letter queue: messages that failed every retry and wait for a person. */
  deadLetters: number;
}

async function depth(url: string): Promise<{ waiting: number; inFlight: number }> {
  const res = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: url,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  const a = res.Attributes ?? {};
  return {
    waiting: Number(a.ApproximateNumberOfMessages ?? 0),
    inFlight: Number(a.ApproximateNumberOfMessagesNotVisible ?? 0),
  };
}

/** Every queue bound to this function (its URL and its DLQ's in the environment), by name. */
export async function queueDepths(env: NodeJS.ProcessEnv = process.env): Promise<QueueDepth[]> {
  const bound = Object.entries(QUEUE_ENV).filter(([, v]) => env[v] && env[dlqEnvName(v)]);
  return Promise.all(
    bound.map(async ([queue, v]) => {
      const [main, dlq] = await Promise.all([depth(env[v]!), depth(env[dlqEnvName(v)]!)]);
      return { queue, ...main, deadLetters: dlq.waiting + dlq.inFlight };
    }),
  );
}
