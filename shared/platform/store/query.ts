import { type AttributeValue, QueryCommand, type QueryCommandInput } from '@aws-sdk/client-dynamodb';
import { dynamodb } from '../aws/dynamodb.ts';
import { dayParts } from './shards.ts';

export type Item = Record<string, AttributeValue>;

/** Every item a query matches, page after page. */
export async function queryItems(input: QueryCommandInput): Promise<Item[]> {
  const out: Item[] = [];
  let start: Item | undefined;
  do {
    const page = await dynamodb.send(new QueryCommand({ ...input, ExclusiveStartKey: start }));
    out.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return out;
}

/** Every item of a California day in a day-sharded GSI (`<day>#<shard>` in `partAttr`), all shards at once. */
export async function itemsOfDay(
  table: string,
  index: string,
  partAttr: string,
  day: string,
): Promise<Item[]> {
  const parts = await Promise.all(
    dayParts(day).map((part) =>
      queryItems({
        TableName: table,
        IndexName: index,
        KeyConditionExpression: `${partAttr} = :p`,
        ExpressionAttributeValues: { ':p': { S: part } },
      }),
    ),
  );
  return parts.flat();
}
