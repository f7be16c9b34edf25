import { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { sqs } from '#platform/aws/sqs.ts';
import { QUEUE_ENV } from '#platform/env-names.ts';

type QueueName = keyof typeof QUEUE_ENV;

import type { Action } from '../store.ts';

/**
 * What goes on the reporting queues: a pointer to one stored version, not the dose itself, so no health
 * information travels through SQS and a consumer always reads the version exactly as stored. Consumers must
 * treat (iis_id, vax_event_id, version) as the identity of a change: delivery is at least once.
 */
export interface ChangeMessage {
  type: 'dose.change';
  schema: 1;
  iis_id: string;
  vax_event_id: string;
  version: number;
  action: Action;
  stored_at: string;
}

/** Every stored change goes to each of these queues (named as in the topology). */
export const REPORTING_QUEUES = ['registry', 'cdc'] as const satisfies readonly QueueName[];
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
