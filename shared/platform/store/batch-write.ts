import { BatchWriteItemCommand, type DynamoDBClient, type WriteRequest } from '@aws-sdk/client-dynamodb';
import { dynamodb } from '../aws/dynamodb.ts';

/** BatchWriteItem takes at most 25 requests. */
export const BATCH_LIMIT = 25;
const MAX_ATTEMPTS = 8;

export class UnprocessedItemsError extends Error {
  override readonly name = 'UnprocessedItemsError';
}

/**
 * Writes (puts and deletes, unconditional) in batches of 25. DynamoDB may answer a batch with some items
 * unprocessed (throttling, partition limits): those are sent again with exponential backoff and full jitter
 * (AWS's recommended retry shape); if any remain after the last attempt the call throws, so the caller
 * retries the whole unit of work instead of losing items.
 */
export async function batchWrite(
  table: string,
  requests: readonly WriteRequest[],
  client: Pick<DynamoDBClient, 'send'> = dynamodb,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
): Promise<void> {
  for (let i = 0; i < requests.length; i += BATCH_LIMIT) {
    let pending: WriteRequest[] = requests.slice(i, i + BATCH_LIMIT);
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt === MAX_ATTEMPTS)
        throw new UnprocessedItemsError(
          `${pending.length} item(s) still unprocessed after ${MAX_ATTEMPTS} attempts`,
        );
      if (attempt > 0) await sleep(Math.random() * Math.min(2_000, 25 * 2 ** attempt));
      const res = await client.send(new BatchWriteItemCommand({ RequestItems: { [table]: pending } }));
      pending = res.UnprocessedItems?.[table] ?? [];
    }
  }
}
