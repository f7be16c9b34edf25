import {
  type AttributeValue,
  ConditionalCheckFailedException,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { Action } from '#doses/store.ts';
import { dynamodb } from '#platform/aws/dynamodb.ts';
import { requiredEnv } from '#platform/aws/env.ts';
import { TABLE_ENV } from '#platform/env-names.ts';
import { releaseLease, takeLease } from '#platform/store/lease.ts';
import { itemsOfDay, queryItems } from '#platform/store/query.ts';
import { dayPart } from '#platform/store/shards.ts';
import type { RecordType } from './clearinghouse/client.ts';
import type { StagedChange } from './report-build.ts';

/**
 * The CDC table: nothing identifying is stored here, only the de-identified CVRS lines that will be sent.
 *   a staged change   pk = CHG#<iis_id>#<vax_event_id>, sk = V#<000003>: day, day_part, action, line
 *                     (one item per change, ever: staging is a conditional put, so a redelivered message
 *                     cannot stage a change for a second day)
 *   a report day      pk = DAY#<yyyy-mm-dd>, sk = STATUS: closed_at, manifest, receipts, uploaded_at, lock
 *   GSI by-day        day_part = <day>#<shard> → the day's changes (shards.ts)
 */
const table = () => requiredEnv(TABLE_ENV.cdc);
const BY_DAY = 'by-day';

const changeKey = (iisId: string, eventId: string) => `CHG#${iisId}#${eventId}`;
const versionKey = (v: number) => `V#${String(v).padStart(6, '0')}`;
const dayKey = (day: string) => ({ pk: { S: `DAY#${day}` }, sk: { S: 'STATUS' } });

/** Stages a change for a day unless it was staged already (for whichever day): answers which. */
export async function stageChange(c: StagedChange): Promise<'staged' | 'already-staged'> {
  try {
    await dynamodb.send(
      new PutItemCommand({
        TableName: table(),
        Item: {
          pk: { S: changeKey(c.iis_id, c.vax_event_id) },
          sk: { S: versionKey(c.version) },
          iis_id: { S: c.iis_id },
          vax_event_id: { S: c.vax_event_id },
          version: { N: String(c.version) },
          action: { S: c.action },
          day: { S: c.day },
          day_part: { S: dayPart(c.day, `${c.iis_id}#${c.vax_event_id}`) },
          line: { S: c.line },
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    return 'staged';
  } catch (err) {
    if (err instanceof ConditionalCheckFailedException) return 'already-staged';
    throw err;
  }
}

function fromItem(i: Record<string, AttributeValue>): StagedChange {
  return {
    iis_id: i.iis_id!.S!,
    vax_event_id: i.vax_event_id!.S!,
    version: Number(i.version!.N),
    action: i.action!.S as Action,
    day: i.day!.S!,
    line: i.line?.S ?? '',
  };
}

/** Every change staged for a day (read after the day is closed and its grace period has passed). */
export async function changesOfDay(day: string): Promise<StagedChange[]> {
  return (await itemsOfDay(table(), BY_DAY, 'day_part', day)).map(fromItem);
}

/**
 * A dose's changes staged for days before `day` that reached CDC (without their lines): a change whose record
 * was held back or refused by CDC is marked `unreported` and left out, so CDC is never told of a change to a
 * record it does not have.
 */
export async function changesBefore(iisId: string, eventId: string, day: string): Promise<StagedChange[]> {
  const items = await queryItems({
    TableName: table(),
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': { S: changeKey(iisId, eventId) } },
    ProjectionExpression: 'iis_id, vax_event_id, version, #a, #d, unreported',
    ExpressionAttributeNames: { '#a': 'action', '#d': 'day' },
    ConsistentRead: true,
  });
  return items.filter((i) => !i.unreported && i.day!.S! < day).map(fromItem);
}

/** Marks a dose's changes as not reported to CDC (held back, or refused in a receipt), with why. */
export async function markUnreported(
  iisId: string,
  eventId: string,
  versions: readonly number[],
  reason: 'held-back' | 'refused',
): Promise<void> {
  for (const v of versions)
    await dynamodb.send(
      new UpdateItemCommand({
        TableName: table(),
        Key: { pk: { S: changeKey(iisId, eventId) }, sk: { S: versionKey(v) } },
        UpdateExpression: 'SET unreported = :r',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':r': { S: reason } },
      }),
    );
}

export interface ManifestFile {
  name: string;
  type: RecordType;
  records: number;
  sha256: string;
  /** Key of the file in the audit bucket. */
  key: string;
}

export interface Manifest {
  day: string;
  built_at: string;
  files: ManifestFile[];
  held_back: number;
  /** Key of the held-back list (ids and findings) in the audit bucket, when there is one. */
  held_back_key?: string;
}

export interface DayStatus {
  day: string;
  closedAt?: string;
  manifest?: Manifest;
  receipts: Record<string, StoredReceipt>;
  uploadedAt?: string;
  lastError?: string;
}

/**
 * What the day item keeps of a file's receipt: counts and the first errors (a receipt can list an error per
 * record, far beyond an item's 400 KB); the whole receipt is in the audit bucket under `key`.
 */
export interface StoredReceipt {
  file: string;
  id: string;
  at: string;
  status: number;
  validationErrors: number;
  processingErrors: number;
  truncated: boolean;
  firstErrors: string[];
  key: string;
  /** Whether the records CDC refused in it are marked unreported (absent: receipts from before marking). */
  marked?: boolean;
}

export async function dayStatus(day: string): Promise<DayStatus> {
  const res = await dynamodb.send(
    new GetItemCommand({ TableName: table(), Key: dayKey(day), ConsistentRead: true }),
  );
  return toStatus(day, res.Item ?? {});
}

function toStatus(day: string, i: Record<string, AttributeValue>): DayStatus {
  const receipts: Record<string, StoredReceipt> = {};
  for (const [name, v] of Object.entries(i.receipts?.M ?? {})) receipts[name] = JSON.parse(v.S!);
  return {
    day,
    closedAt: i.closed_at?.S,
    manifest: i.manifest?.S ? (JSON.parse(i.manifest.S) as Manifest) : undefined,
    receipts,
    uploadedAt: i.uploaded_at?.S,
    lastError: i.last_error?.S,
  };
}

/** Closes a day for staging (the first close time is kept); answers when it was closed. */
export async function closeDay(day: string, now: Date): Promise<string> {
  const res = await dynamodb.send(
    new UpdateItemCommand({
      TableName: table(),
      Key: dayKey(day),
      UpdateExpression: 'SET closed_at = if_not_exists(closed_at, :now)',
      ExpressionAttributeValues: { ':now': { S: now.toISOString() } },
      ReturnValues: 'ALL_NEW',
    }),
  );
  return res.Attributes!.closed_at!.S!;
}

/** Records the day's files once; a second build of the same day finds the first one's manifest instead. */
export async function saveManifest(manifest: Manifest): Promise<Manifest> {
  try {
    await dynamodb.send(
      new UpdateItemCommand({
        TableName: table(),
        Key: dayKey(manifest.day),
        UpdateExpression: 'SET manifest = :m, receipts = if_not_exists(receipts, :empty)',
        ConditionExpression: 'attribute_not_exists(manifest)',
        ExpressionAttributeValues: { ':m': { S: JSON.stringify(manifest) }, ':empty': { M: {} } },
      }),
    );
    return manifest;
  } catch (err) {
    if (!(err instanceof ConditionalCheckFailedException)) throw err;
    const existing = (await dayStatus(manifest.day)).manifest;
    if (!existing) throw err;
    return existing;
  }
}

export async function saveReceipt(day: string, receipt: StoredReceipt): Promise<void> {
  await dynamodb.send(
    new UpdateItemCommand({
      TableName: table(),
      Key: dayKey(day),
      UpdateExpression: 'SET receipts.#f = :r REMOVE last_error',
      ExpressionAttributeNames: { '#f': receipt.file },
      ExpressionAttributeValues: { ':r': { S: JSON.stringify(receipt) } },
    }),
  );
}

export async function markUploaded(day: string, now: Date): Promise<void> {
  await dynamodb.send(
    new UpdateItemCommand({
      TableName: table(),
      Key: dayKey(day),
      UpdateExpression: 'SET uploaded_at = if_not_exists(uploaded_at, :now) REMOVE last_error',
      ExpressionAttributeValues: { ':now': { S: now.toISOString() } },
    }),
  );
}

export async function recordError(day: string, message: string): Promise<void> {
  await dynamodb.send(
    new UpdateItemCommand({
      TableName: table(),
      Key: dayKey(day),
      UpdateExpression: 'SET last_error = :e',
      ExpressionAttributeValues: { ':e': { S: message } },
    }),
  );
}

/** One report run per day at a time; the lease expires so a run that died does not block the next. */
export async function lockDay(day: string, owner: string, now: Date, ttlMs: number): Promise<boolean> {
  return (await takeLease(table(), dayKey(day), owner, now, ttlMs)) !== undefined;
}

export async function unlockDay(day: string, owner: string): Promise<void> {
  await releaseLease(table(), dayKey(day), owner);
}

export type CdcAnswer = 'accepted' | 'refused' | 'pending';

/**
 * CDC's answer to each change staged for a day (for the timeliness scorecard, by `iis_id#vax_event_id#version`):
 * refused when its receipt refused the record; accepted once every file of the day has a receipt and it was not;
 * pending before that. A held-back change was never sent, so it has no answer and is left out.
 */
export async function answersOfDay(day: string): Promise<Map<string, CdcAnswer>> {
  const [items, status] = await Promise.all([itemsOfDay(table(), BY_DAY, 'day_part', day), dayStatus(day)]);
  const files = status.manifest?.files.length ?? 0;
  const receipts = Object.values(status.receipts);
  // Refusals are known once every file's receipt is in and its refused records are marked.
  const answered =
    status.uploadedAt !== undefined &&
    receipts.length >= Math.max(files, 1) &&
    receipts.every((r) => r.marked);
  const out = new Map<string, CdcAnswer>();
  for (const i of items) {
    const unreported = i.unreported?.S;
    if (unreported === 'held-back') continue;
    const key = `${i.iis_id!.S!}#${i.vax_event_id!.S!}#${i.version!.N!}`;
    out.set(key, unreported === 'refused' ? 'refused' : answered ? 'accepted' : 'pending');
  }
  return out;
}
