import { createHash } from 'node:crypto';
import {
  type AttributeValue,
  ConditionalCheckFailedException,
  GetItemCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { dynamodb } from '#platform/aws/dynamodb.ts';
import { localDate } from '#platform/dates.ts';
import { itemsOfDay, queryItems } from '#platform/store/query.ts';
import { dayPart } from '#platform/store/shards.ts';
import type { LossCategory, WastageReason } from './reasons.ts';
import type { Movement, MovementKind } from './rollup.ts';
import { table } from './table.ts';

/** Receipts, transfers and wastage as stored (layout: store.ts): once per (site, record_id), never rewritten. */

/** A movement as stored: what the roll-up counts (rollup.ts) and what the site told about it. */
export interface StoredMovement extends Movement {
  /** The date the site gave for the event. */
  date: string;
  reason_text?: string;
  /** The other site of a transfer. */
  counterpart?: string;
  /**
   * A transfer out the sending site reported itself (to another organization's site): its own record, keyed by
   * its own record_id; otherwise a transfer out is the sending side of a receipt within one organization.
   */
  reported_by_sender?: boolean;
  recorded_at: string;
  /** Where it came from: `api`, or `upload:<id>:<row>` for a file row. */
  source: string;
}

/**
 * A site's own records are keyed by its record_id; the sending side of a receipt within one organization has a
 * key space of its own (keyed by the receipt), so no record_id a site chooses can take its key.
 */
const movementPk = (
  m: Pick<StoredMovement, 'kind' | 'iis_id' | 'record_id' | 'counterpart' | 'reported_by_sender'>,
) =>
  m.kind === 'transfer-out' && !m.reported_by_sender
    ? `XFER#${m.iis_id}#${m.counterpart}#${m.record_id}`
    : `MOV#${m.iis_id}#${m.record_id}`;

/** What makes two submissions of a record the same record (not when or how it was sent). */
function contentHash(m: StoredMovement): string {
  const { recorded_at: _r, source: _s, ...content } = m;
  return createHash('sha256')
    .update(JSON.stringify(content, Object.keys(content).sort()))
    .digest('hex');
}

function movementItem(m: StoredMovement): Record<string, AttributeValue> {
  const day = localDate(new Date(m.recorded_at));
  const item: Record<string, AttributeValue> = {
    pk: { S: movementPk(m) },
    sk: { S: 'MOV' },
    kind: { S: m.kind },
    iis_id: { S: m.iis_id },
    record_id: { S: m.record_id },
    ndc: { S: m.ndc },
    lot_number: { S: m.lot_number },
    doses: { N: String(m.doses) },
    date: { S: m.date },
    recorded_at: { S: m.recorded_at },
    source: { S: m.source },
    content_hash: { S: contentHash(m) },
    day_part: { S: dayPart(day, movementPk(m)) },
    stock_key: { S: `${m.iis_id}|${m.ndc}|${m.lot_number}` },
  };
  if (m.reason) item.reason = { S: m.reason };
  if (m.category) item.category = { S: m.category };
  if (m.reason_text) item.reason_text = { S: m.reason_text };
  if (m.counterpart) item.counterpart = { S: m.counterpart };
  if (m.reported_by_sender) item.reported_by_sender = { BOOL: true };
  return item;
}

function fromMovementItem(i: Record<string, AttributeValue>): StoredMovement {
  return {
    kind: i.kind!.S as MovementKind,
    iis_id: i.iis_id!.S!,
    record_id: i.record_id!.S!,
    ndc: i.ndc!.S!,
    lot_number: i.lot_number!.S!,
    doses: Number(i.doses!.N),
    date: i.date!.S!,
    ...(i.reason?.S ? { reason: i.reason.S as WastageReason } : {}),
    ...(i.category?.S ? { category: i.category.S as LossCategory } : {}),
    ...(i.reason_text?.S ? { reason_text: i.reason_text.S } : {}),
    ...(i.counterpart?.S ? { counterpart: i.counterpart.S } : {}),
    ...(i.reported_by_sender?.BOOL ? { reported_by_sender: true } : {}),
    recorded_at: i.recorded_at!.S!,
    source: i.source?.S ?? 'api',
  };
}

export type RecordResult =
  | { kind: 'stored' }
  /** The same record again (a retry): nothing new stored. */
  | { kind: 'duplicate'; existing: StoredMovement }
  /** The record_id is taken by a different record. */
  | { kind: 'conflict'; existing: StoredMovement };

/** Stores a movement once per (site, record_id); a second submission is a duplicate or a conflict. */
export async function recordMovement(m: StoredMovement): Promise<RecordResult> {
  try {
    await dynamodb.send(
      new PutItemCommand({
        TableName: table(),
        Item: movementItem(m),
        ConditionExpression: 'attribute_not_exists(pk)',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    return { kind: 'stored' };
  } catch (err) {
    if (!(err instanceof ConditionalCheckFailedException)) throw err;
    const old =
      err.Item ??
      (
        await dynamodb.send(
          new GetItemCommand({
            TableName: table(),
            Key: { pk: { S: movementPk(m) }, sk: { S: 'MOV' } },
            ConsistentRead: true,
          }),
        )
      ).Item!;
    const existing = fromMovementItem(old);
    return old.content_hash?.S === contentHash(m)
      ? { kind: 'duplicate', existing }
      : { kind: 'conflict', existing };
  }
}

/** Every movement recorded on a California day. */
export async function movementsOfDay(day: string): Promise<StoredMovement[]> {
  return (await itemsOfDay(table(), 'by-day', 'day_part', day)).map(fromMovementItem);
}

/** A site's movements of one NDC and lot recorded after `after` (ISO time). */
export async function movementsSince(
  iis: string,
  ndc: string,
  lot: string,
  after: string,
): Promise<StoredMovement[]> {
  const items = await queryItems({
    TableName: table(),
    IndexName: 'by-stock',
    KeyConditionExpression: 'stock_key = :k AND recorded_at > :t',
    ExpressionAttributeValues: { ':k': { S: `${iis}|${ndc}|${lot}` }, ':t': { S: after } },
  });
  return items.map(fromMovementItem);
}
