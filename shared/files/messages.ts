import { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { requiredEnv } from '#platform/aws/env.ts';
import { sqs } from '#platform/aws/sqs.ts';
import { QUEUE_ENV } from '#platform/env-names.ts';

type QueueName = keyof typeof QUEUE_ENV;

/** Work for the ingest worker: one chunk of a planned upload, or assembling its results. */
export type IngestTask =
  | { type: 'chunk'; upload_id: string; chunk: number }
  | { type: 'assemble'; upload_id: string };

/** Sends JSON bodies to a topology queue in batches of 10; throws if any is refused, so the caller retries. */
export async function sendAll(queue: QueueName, bodies: readonly unknown[]): Promise<void> {
  const url = requiredEnv(QUEUE_ENV[queue]);
  for (let i = 0; i < bodies.length; i += 10) {
    const chunk = bodies.slice(i, i + 10);
    const res = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: url,
        Entries: chunk.map((b, j) => ({ Id: String(j), MessageBody: JSON.stringify(b) })),
      }),
    );
    if (res.Failed?.length) throw new Error(`${res.Failed.length} message(s) refused by ${queue}`);
  }
}
