import { type AttributeValue, QueryCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { dynamodb } from '#platform/aws/dynamodb.ts';
import { requiredEnv } from '#platform/aws/env.ts';
import { TABLE_ENV } from '#platform/env-names.ts';
import { batchWrite } from '#platform/store/batch-write.ts';

/**
 * The outbox, in the doses table: an intent item per change that still has queues to reach, written (in
 * batches) *before* the change itself and deleted (in batches) once every queue has it.
 *   pk = OUTBOX#<0-7>, sk = <stored_at>#<iis_id>#<vax_event_id>#<version>, queues = {registry, cdc}
 * An intent whose change was never stored (the writer died in between, or the change was a duplicate) is
 * found by the sweeper and dropped; one whose change exists is published to its remaining queues.
 */
const table = () => requiredEnv(TABLE_ENV.doses);
export const OUTBOX_SHARDS = 8;

export interface ChangeRef {
  iis_id: string;
  vax_event_id: string;
  version: number;
  stored_at: string;
}

export interface Intent extends ChangeRef {
  queues: string[];
}

export function outboxShard(iisId: string, eventId: string): number {
  let h = 0;
  for (const ch of `${iisId}#${eventId}`) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return h % OUTBOX_SHARDS;
}

export function intentKey(c: ChangeRef): Record<string, AttributeValue> {
  return {
    pk: { S: `OUTBOX#${outboxShard(c.iis_id, c.vax_event_id)}` },
    sk: { S: `${c.stored_at}#${c.iis_id}#${c.vax_event_id}#${c.version}` },
  };
}

export async function writeIntents(intents: readonly Intent[]): Promise<void> {
  await batchWrite(
    table(),
    intents.map((i) => ({
      PutRequest: {
        Item: {
          ...intentKey(i),
          iis_id: { S: i.iis_id },
          vax_event_id: { S: i.vax_event_id },
          version: { N: String(i.version) },
          stored_at: { S: i.stored_at },
          queues: { SS: i.queues },
        },
      },
    })),
  );
}

export async function deleteIntents(changes: readonly ChangeRef[]): Promise<void> {
  await batchWrite(
    table(),
    changes.map((c) => ({ DeleteRequest: { Key: intentKey(c) } })),
  );
}

/** Takes the queues a change reached off its intent (the rest stay for the sweeper). */
export async function shrinkIntent(c: ChangeRef, reached: readonly string[]): Promise<void> {
  await dynamodb.send(
    new UpdateItemCommand({
      TableName: table(),
      Key: intentKey(c),
      UpdateExpression: 'DELETE queues :q',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: { ':q': { SS: [...reached] } },
    }),
  );
}

/** Intents of a shard written before `before` (ISO), oldest first. */
export async function pendingIntents(shard: number, before: string, limit: number): Promise<Intent[]> {
  const out: Intent[] = [];
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await dynamodb.send(
      new QueryCommand({
        TableName: table(),
        KeyConditionExpression: 'pk = :p AND sk < :b',
        ExpressionAttributeValues: { ':p': { S: `OUTBOX#${shard}` }, ':b': { S: before } },
        ConsistentRead: true,
        Limit: limit - out.length,
        ExclusiveStartKey: start,
      }),
    );
    for (const i of page.Items ?? [])
      out.push({
        iis_id: i.iis_id!.S!,
        vax_event_id: i.vax_event_id!.S!,
        version: Number(i.version!.N),
        stored_at: i.stored_at!.S!,
        queues: i.queues?.SS ?? [],
      });
    start = page.LastEvaluatedKey;
  } while (start && out.length < limit);
  return out;
}
