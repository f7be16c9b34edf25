import { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { requiredEnv } from '../clients/env.ts';
import { sqs } from '../clients/sqs.ts';
import type { Action } from '../store/doses.ts';

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

export const QUEUE_ENV_VARS = ['REGISTRY_QUEUE_URL', 'CDC_QUEUE_URL'] as const;
const BATCH = 10;

export const changeId = (c: { iis_id: string; vax_event_id: string; version: number }) =>
  `${c.iis_id}#${c.vax_event_id}#${c.version}`;

/**
 * Sends every change to every reporting queue. Answers the ids of the changes that reached all of them; the
 * others stay in the outbox for the sweeper. Never throws for a queue failure: the changes are already stored.
 */
export async function publishChanges(changes: readonly ChangeMessage[]): Promise<Set<string>> {
  const failed = new Set<string>();
  await Promise.all(
    QUEUE_ENV_VARS.map(async (envVar) => {
      const url = requiredEnv(envVar);
      for (let i = 0; i < changes.length; i += BATCH) {
        const chunk = changes.slice(i, i + BATCH);
        try {
          const res = await sqs.send(
            new SendMessageBatchCommand({
              QueueUrl: url,
              Entries: chunk.map((c, j) => ({ Id: String(j), MessageBody: JSON.stringify(c) })),
            }),
          );
          for (const f of res.Failed ?? []) {
            const c = chunk[Number(f.Id)];
            if (c) failed.add(changeId(c));
          }
        } catch {
          for (const c of chunk) failed.add(changeId(c));
        }
      }
    }),
  );
  const ok = new Set<string>();
  for (const c of changes) if (!failed.has(changeId(c))) ok.add(changeId(c));
  return ok;
}
