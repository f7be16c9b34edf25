import {
  type AttributeValue,
  ConditionalCheckFailedException,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { dynamodb } from '../aws/dynamodb.ts';

/**
 * An expiring lock on one item (`lock_owner`, `lock_until`): one worker at a time, and a worker that dies does
 * not hold it forever. Taking it again as the same owner renews it.
 */
export type ItemKey = Record<string, AttributeValue>;

/** Takes the lease; answers the item's attributes, or undefined when another owner holds it. */
export async function takeLease(
  table: string,
  key: ItemKey,
  owner: string,
  now: Date,
  ttlMs: number,
): Promise<Record<string, AttributeValue> | undefined> {
  try {
    const res = await dynamodb.send(
      new UpdateItemCommand({
        TableName: table,
        Key: key,
        UpdateExpression: 'SET lock_owner = :o, lock_until = :u',
        ConditionExpression: 'attribute_not_exists(lock_until) OR lock_until < :now OR lock_owner = :o',
        ExpressionAttributeValues: {
          ':o': { S: owner },
          ':u': { S: new Date(now.getTime() + ttlMs).toISOString() },
          ':now': { S: now.toISOString() },
        },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return res.Attributes ?? {};
  } catch (err) {
    if (err instanceof ConditionalCheckFailedException) return undefined;
    throw err;
  }
}

/** Gives the lease back, if it is still ours (one that expired and was taken over is left alone). */
export async function releaseLease(table: string, key: ItemKey, owner: string): Promise<void> {
  try {
    await dynamodb.send(
      new UpdateItemCommand({
        TableName: table,
        Key: key,
        UpdateExpression: 'REMOVE lock_owner, lock_until',
        ConditionExpression: 'lock_owner = :o',
        ExpressionAttributeValues: { ':o': { S: owner } },
      }),
    );
  } catch (err) {
    if (!(err instanceof ConditionalCheckFailedException)) throw err;
  }
}
