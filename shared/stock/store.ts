import { createHash } from 'node:crypto';
import {
  type AttributeValue,
  ConditionalCheckFailedException,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
} from '@aws-sdk/client-dynamodb';
import { dynamodb } from '#platform/aws/dynamodb.ts';
import { requiredEnv } from '#platform/aws/env.ts';
import { localDate } from '#platform/dates.ts';
import { itemsOfDay, queryItems } from '#platform/store/query.ts';
import { dayPart } from '#platform/store/shards.ts';
import type { LossCategory, WastageReason } from './reasons.ts';
import type { Balance, Movement, MovementKind } from './rollup.ts';

/**
 * The stock table:
 *   lot expiration versions   pk = LOT#<ndc>#<lot>, sk = EXP#V#<000001>: expiration, effective_at/_day, set_by
 *   beyond-use date versions  pk = LOT#<ndc>#<lot>, sk = BUD#<iis_id>#V#<000001>: beyond_use_date, effective_…
 *   a movement                pk = MOV#<iis_id>#<record_id>, sk = MOV (a transfer's negative side:
 *                             XFER#<from>#<to>#<record_id>): kind, ndc, lot, doses, date, reason, …
 *                             GSI by-day (day_part = <recorded day>#<shard>), GSI by-stock (stock_key, recorded_at)
 *   a day's roll-up           pk = ROLLUP#<date>, sk = STATUS | SITE#<iis_id> (the site's rows and balances)
 *   the newest roll-up        pk = ROLLUP#LATEST, sk = STATUS: date
 *   completed days            pk = ROLLUP#DAYS, sk = <date>
 * Versions are never rewritten: an extended expiration is a new version effective from the day it was set, so
 * a report of an earlier day still sees the expiration known then.
 */
const table = () => requiredEnv('STOCK_TABLE');
const lotPk = (ndc: string, lot: string) => `LOT#${ndc}#${lot}`;
const version = (n: number) => `V#${String(n).padStart(6, '0')}`;

export interface DatedVersion {
  version: number;
  value: string;
  effective_at: string;
  effective_day: string;
  set_by: string;
}

async function versions(pk: string, prefix: string, attr: string): Promise<DatedVersion[]> {
  const items = await queryItems({
    TableName: table(),
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
    ExpressionAttributeValues: { ':pk': { S: pk }, ':p': { S: prefix } },
    ConsistentRead: true,
  });
  return items.map((i) => ({
    version: Number(i.version!.N),
    value: i[attr]!.S!,
    effective_at: i.effective_at!.S!,
    effective_day: i.effective_day!.S!,
    set_by: i.set_by?.S ?? '',
  }));
}

/** Adds a version unless the newest already says the same; answers the newest and whether it is new. */
async function addVersion(
  pk: string,
  prefix: string,
  attr: string,
  value: string,
  now: Date,
  setBy: string,
): Promise<{ current: DatedVersion; created: boolean; history: DatedVersion[] }> {
  for (let attempt = 0; ; attempt++) {
    const history = await versions(pk, prefix, attr);
    const head = history.at(-1);
    if (head?.value === value) return { current: head, created: false, history };
    const next: DatedVersion = {
      version: (head?.version ?? 0) + 1,
      value,
      effective_at: now.toISOString(),
      effective_day: localDate(now),
      set_by: setBy,
    };
    try {
      await dynamodb.send(
        new PutItemCommand({
          TableName: table(),
          Item: {
            pk: { S: pk },
            sk: { S: `${prefix}${version(next.version)}` },
            version: { N: String(next.version) },
            [attr]: { S: value },
            effective_at: { S: next.effective_at },
            effective_day: { S: next.effective_day },
            set_by: { S: setBy },
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return { current: next, created: true, history: [...history, next] };
    } catch (err) {
      // Someone else added a version meanwhile: read again and decide again.
      if (!(err instanceof ConditionalCheckFailedException) || attempt >= 4) throw err;
    }
  }
}

/** The value in force at the end of `day`: the newest version that took effect on or before it. */
export function asOf(history: readonly DatedVersion[], day: string): string | undefined {
  let found: DatedVersion | undefined;
  for (const v of history) if (v.effective_day <= day && (!found || v.version > found.version)) found = v;
  return found?.value;
}

export const lotExpirations = (ndc: string, lot: string) => versions(lotPk(ndc, lot), 'EXP#', 'expiration');
export const setLotExpiration = (ndc: string, lot: string, expiration: string, now: Date, by: string) =>
  addVersion(lotPk(ndc, lot), 'EXP#', 'expiration', expiration, now, by);

export const beyondUseDates = (iis: string, ndc: string, lot: string) =>
  versions(lotPk(ndc, lot), `BUD#${iis}#`, 'beyond_use_date');
export const setBeyondUseDate = (iis: string, ndc: string, lot: string, bud: string, now: Date) =>
  addVersion(lotPk(ndc, lot), `BUD#${iis}#`, 'beyond_use_date', bud, now, iis);

/** Every site's beyond-use dates of a lot, by site. */
export async function lotBeyondUseDates(ndc: string, lot: string): Promise<Map<string, DatedVersion[]>> {
  const items = await queryItems({
    TableName: table(),
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
    ExpressionAttributeValues: { ':pk': { S: lotPk(ndc, lot) }, ':p': { S: 'BUD#' } },
    ConsistentRead: true,
  });
  const out = new Map<string, DatedVersion[]>();
  for (const i of items) {
    const iis = i.sk!.S!.split('#')[1]!;
    out.set(iis, [
      ...(out.get(iis) ?? []),
      {
        version: Number(i.version!.N),
        value: i.beyond_use_date!.S!,
        effective_at: i.effective_at!.S!,
        effective_day: i.effective_day!.S!,
        set_by: i.set_by?.S ?? '',
      },
    ]);
  }
  return out;
}

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

// --- roll-up summaries ---

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
