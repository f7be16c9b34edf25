import {
  type AttributeValue,
  ConditionalCheckFailedException,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
} from '@aws-sdk/client-dynamodb';
import { dynamodb } from '#platform/aws/dynamodb.ts';
import { queryItems } from '#platform/store/query.ts';
import type { Balance } from './rollup.ts';
import { table } from './table.ts';

/** What the nightly roll-up keeps of each day (layout: store.ts): per-site summaries and the day's status. */

/**
 * A site's day in DynamoDB: its totals and closing balances (for chaining and the on-hand estimate), kept small;
 * its report rows are in the reports bucket (`accountability/<date>/sites/<iis_id>.json`), since a site with
 * many lots or admin errors would outgrow an item's 400 KB.
 */
export interface SiteSummary {
  iis_id: string;
  date: string;
  rows: { stock: number; expiring: number; admin_errors: number };
  totals: {
    received: number;
    transferred_out: number;
    administered: number;
    wasted: number;
    expired_spoiled: number;
    on_hand: number;
  };
  balances: Balance[];
}

export interface RollupStatus {
  date: string;
  completed_at?: string;
  files?: string[];
  counts?: Record<string, number>;
}

export async function saveSiteSummary(s: SiteSummary): Promise<void> {
  await dynamodb.send(
    new PutItemCommand({
      TableName: table(),
      Item: {
        pk: { S: `ROLLUP#${s.date}` },
        sk: { S: `SITE#${s.iis_id}` },
        iis_id: { S: s.iis_id },
        date: { S: s.date },
        rows: { S: JSON.stringify(s.rows) },
        totals: { S: JSON.stringify(s.totals) },
        // Compact: [ndc, lot, on_hand] per lot (about 40 bytes each).
        balances: { S: JSON.stringify(s.balances.map((b) => [b.ndc, b.lot_number, b.on_hand])) },
      },
    }),
  );
}

function toSummary(i: Record<string, AttributeValue>): SiteSummary {
  const iis = i.iis_id!.S!;
  return {
    iis_id: iis,
    date: i.date!.S!,
    rows: JSON.parse(i.rows!.S!),
    totals: JSON.parse(i.totals!.S!),
    balances: (JSON.parse(i.balances!.S!) as [string, string, number][]).map(
      ([ndc, lot_number, on_hand]) => ({
        iis_id: iis,
        ndc,
        lot_number,
        on_hand,
      }),
    ),
  };
}

export async function siteSummary(date: string, iis: string): Promise<SiteSummary | undefined> {
  const res = await dynamodb.send(
    new GetItemCommand({
      TableName: table(),
      Key: { pk: { S: `ROLLUP#${date}` }, sk: { S: `SITE#${iis}` } },
      ConsistentRead: true,
    }),
  );
  return res.Item ? toSummary(res.Item) : undefined;
}

export async function siteSummaries(date: string): Promise<SiteSummary[]> {
  const items = await queryItems({
    TableName: table(),
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :s)',
    ExpressionAttributeValues: { ':pk': { S: `ROLLUP#${date}` }, ':s': { S: 'SITE#' } },
    ConsistentRead: true,
  });
  return items.map(toSummary);
}

export async function rollupStatus(date: string): Promise<RollupStatus | undefined> {
  const res = await dynamodb.send(
    new GetItemCommand({
      TableName: table(),
      Key: { pk: { S: `ROLLUP#${date}` }, sk: { S: 'STATUS' } },
      ConsistentRead: true,
    }),
  );
  if (!res.Item) return undefined;
  return JSON.parse(res.Item.status!.S!) as RollupStatus;
}

export async function saveRollupStatus(s: RollupStatus): Promise<void> {
  await dynamodb.send(
    new PutItemCommand({
      TableName: table(),
      Item: { pk: { S: `ROLLUP#${s.date}` }, sk: { S: 'STATUS' }, status: { S: JSON.stringify(s) } },
    }),
  );
  // The index of completed days, for chaining from the newest one before a day, however far back.
  await dynamodb.send(
    new PutItemCommand({ TableName: table(), Item: { pk: { S: 'ROLLUP#DAYS' }, sk: { S: s.date } } }),
  );
  // The newest completed day, for the on-hand estimate; an older day re-run does not move it back.
  try {
    await dynamodb.send(
      new PutItemCommand({
        TableName: table(),
        Item: { pk: { S: 'ROLLUP#LATEST' }, sk: { S: 'STATUS' }, date: { S: s.date } },
        ConditionExpression: 'attribute_not_exists(pk) OR #d < :d',
        ExpressionAttributeNames: { '#d': 'date' },
        ExpressionAttributeValues: { ':d': { S: s.date } },
      }),
    );
  } catch (err) {
    if (!(err instanceof ConditionalCheckFailedException)) throw err;
  }
}

/** The newest day before `date` whose roll-up completed. */
export async function completedBefore(date: string): Promise<string | undefined> {
  const res = await dynamodb.send(
    new QueryCommand({
      TableName: table(),
      KeyConditionExpression: 'pk = :pk AND sk < :d',
      ExpressionAttributeValues: { ':pk': { S: 'ROLLUP#DAYS' }, ':d': { S: date } },
      ScanIndexForward: false,
      Limit: 1,
      ConsistentRead: true,
    }),
  );
  return res.Items?.[0]?.sk?.S;
}

export async function latestRollupDate(): Promise<string | undefined> {
  const res = await dynamodb.send(
    new GetItemCommand({
      TableName: table(),
      Key: { pk: { S: 'ROLLUP#LATEST' }, sk: { S: 'STATUS' } },
      ConsistentRead: true,
    }),
  );
  return res.Item?.date?.S;
}
