import type { WriteRequest } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { batchWrite, UnprocessedItemsError } from '#platform/store/batch-write.ts';

const put = (n: number): WriteRequest => ({ PutRequest: { Item: { pk: { S: `K${n}` } } } });

/** A DynamoDB stand-in that leaves some items unprocessed each time, as a throttled table does. */
function flakyClient(leaveUnprocessed: (attempt: number, items: WriteRequest[]) => WriteRequest[]) {
  const calls: WriteRequest[][] = [];
  return {
    calls,
    send: async (cmd: { input: { RequestItems: Record<string, WriteRequest[]> } }) => {
      const items = cmd.input.RequestItems.t!;
      calls.push(items);
      const left = leaveUnprocessed(calls.length, items);
      return { UnprocessedItems: left.length ? { t: left } : {} };
    },
  };
}

describe('batchWrite', () => {
  it('sends at most 25 items a call and retries unprocessed items with backoff until all are written', async () => {
    const client = flakyClient((attempt, items) => (attempt <= 2 ? items.slice(0, 3) : []));
    const sleeps: number[] = [];
    await batchWrite(
      't',
      Array.from({ length: 30 }, (_, i) => put(i)),
      client as never,
      async (ms) => {
        sleeps.push(ms);
      },
    );
    // 25 (3 left), those 3 (3 left again), those 3, then the last 5; a pause before each retry.
    expect(client.calls.map((c) => c.length)).toEqual([25, 3, 3, 5]);
    expect(sleeps).toHaveLength(2);
    const written = new Set(client.calls.flat().map((r) => r.PutRequest!.Item!.pk!.S));
    expect(written.size).toBe(30);
  });

  it('throws rather than lose items when they stay unprocessed', async () => {
    const client = flakyClient((_, items) => items.slice(0, 1));
    await expect(batchWrite('t', [put(1), put(2)], client as never, async () => {})).rejects.toBeInstanceOf(
      UnprocessedItemsError,
    );
    expect(client.calls).toHaveLength(8);
  });
});
