import {
  type AttributeValue,
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { ChangeMessage } from '#doses/messages.ts';
import { dynamodb } from '#platform/aws/dynamodb.ts';
import { requiredEnv } from '#platform/aws/env.ts';
import { TABLE_ENV } from '#platform/env-names.ts';
import { batchWrite } from '#platform/store/batch-write.ts';

/**
 * Sending to a registry can be paused (its credentials were refused): while paused, its messages are parked
 * here instead of being retried into the DLQ, and put back on the queue when the pause ends.
 *   pause    pk = REGISTRY#<name>, sk = CONTROL: paused_until, reason
 *   parked   pk = PARKED#<name>,   sk = <stored_at>#<iis_id>#<vax_event_id>#<version>: the message
 */
const table = () => requiredEnv(TABLE_ENV.doses);
const controlKey = (registry: string) => ({ pk: { S: `REGISTRY#${registry}` }, sk: { S: 'CONTROL' } });

export interface Pause {
  until: string;
  reason: string;
}

export interface Control {
  pause?: Pause;
  /** Transport failures in a row since the registry last answered. */
  failures: number;
}

export async function getControl(registry: string): Promise<Control> {
  const res = await dynamodb.send(
    new GetItemCommand({ TableName: table(), Key: controlKey(registry), ConsistentRead: true }),
  );
  const i = res.Item;
  return {
    pause: i?.paused_until?.S ? { until: i.paused_until.S, reason: i.reason?.S ?? '' } : undefined,
    failures: Number(i?.failures?.N ?? 0),
  };
}

export async function getPause(registry: string): Promise<Pause | undefined> {
  return (await getControl(registry)).pause;
}

/** Counts a transport failure; answers how many in a row. */
export async function countFailure(registry: string): Promise<number> {
  const res = await dynamodb.send(
    new UpdateItemCommand({
      TableName: table(),
      Key: controlKey(registry),
      UpdateExpression: 'ADD failures :one',
      ExpressionAttributeValues: { ':one': { N: '1' } },
      ReturnValues: 'UPDATED_NEW',
    }),
  );
  return Number(res.Attributes?.failures?.N ?? 1);
}

export async function pauseRegistry(registry: string, until: string, reason: string): Promise<void> {
  await dynamodb.send(
    new PutItemCommand({
      TableName: table(),
      Item: { ...controlKey(registry), paused_until: { S: until }, reason: { S: reason } },
    }),
  );
}

/** The registry answered: no pause, no failures counted. */
export async function resumeRegistry(registry: string): Promise<void> {
  await dynamodb.send(new DeleteItemCommand({ TableName: table(), Key: controlKey(registry) }));
}

const parkedKey = (
  registry: string,
  m: Pick<ChangeMessage, 'stored_at' | 'iis_id' | 'vax_event_id' | 'version'>,
) => ({
  pk: { S: `PARKED#${registry}` },
  sk: { S: `${m.stored_at}#${m.iis_id}#${m.vax_event_id}#${m.version}` },
});

export async function park(registry: string, messages: readonly ChangeMessage[]): Promise<void> {
  await batchWrite(
    table(),
    messages.map((m) => ({
      PutRequest: { Item: { ...parkedKey(registry, m), message: { S: JSON.stringify(m) } } },
    })),
  );
}

export async function parked(registry: string, limit: number): Promise<ChangeMessage[]> {
  const out: ChangeMessage[] = [];
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await dynamodb.send(
      new QueryCommand({
        TableName: table(),
        KeyConditionExpression: 'pk = :p',
        ExpressionAttributeValues: { ':p': { S: `PARKED#${registry}` } },
        Limit: limit - out.length,
        ExclusiveStartKey: start,
      }),
    );
    for (const i of page.Items ?? []) out.push(JSON.parse(i.message!.S!) as ChangeMessage);
    start = page.LastEvaluatedKey;
  } while (start && out.length < limit);
  return out;
}

export async function unpark(registry: string, messages: readonly ChangeMessage[]): Promise<void> {
  await batchWrite(
    table(),
    messages.map((m) => ({ DeleteRequest: { Key: parkedKey(registry, m) } })),
  );
}
