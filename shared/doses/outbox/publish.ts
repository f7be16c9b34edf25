import { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { sqs } from '#platform/aws/sqs.ts';
import { QUEUE_ENV } from '#platform/env-names.ts';

type QueueName = keyof typeof QUEUE_ENV;

import type { ChangeMessage } from '../messages.ts';

export type { ChangeMessage };

/** Every stored change goes to each of these queues (named as in the topology). */
export const REPORTING_QUEUES = ['registry', 'cdc', 'persons'] as const satisfies readonly QueueName[];
export type ReportingQueue = (typeof REPORTING_QUEUES)[number];

export interface Delivery {
  message: ChangeMessage;
  /** The queues this change still has to reach. */
  queues: readonly ReportingQueue[];
}

const BATCH = 10;

export const changeId = (c: { iis_id: string; vax_event_id: string; version: number }) =>
  `${c.iis_id}#${c.vax_event_id}#${c.version}`;

/**
 * Sends each change to the queues it still has to reach. Answers, per change id, the queues that took it.
 * Never throws for a queue failure: the changes are already stored and the outbox keeps the rest.
 */
export async function publishChanges(
  deliveries: readonly Delivery[],
): Promise<Map<string, ReportingQueue[]>> {
  const delivered = new Map<string, ReportingQueue[]>();
  await Promise.all(
    REPORTING_QUEUES.map(async (queue) => {
      const pending = deliveries.filter((d) => d.queues.includes(queue)).map((d) => d.message);
      for (let i = 0; i < pending.length; i += BATCH) {
        const chunk = pending.slice(i, i + BATCH);
        try {
          const url = process.env[QUEUE_ENV[queue]];
          if (!url) throw new Error(`No URL for queue ${queue}`);
          const res = await sqs.send(
            new SendMessageBatchCommand({
              QueueUrl: url,
              Entries: chunk.map((c, j) => ({ Id: String(j), MessageBody: JSON.stringify(c) })),
            }),
          );
          const failed = new Set((res.Failed ?? []).map((f) => Number(f.Id)));
          chunk.forEach((c, j) => {
            if (failed.has(j)) return;
            const id = changeId(c);
            delivered.set(id, [...(delivered.get(id) ?? []), queue]);
          });
        } catch {
          // Left in the outbox: the sweeper sends it again.
        }
      }
    }),
  );
  return delivered;
}
