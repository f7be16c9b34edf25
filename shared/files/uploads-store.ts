import {
  type AttributeValue,
  ConditionalCheckFailedException,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { dynamodb } from '#platform/aws/dynamodb.ts';
import { requiredEnv } from '#platform/aws/env.ts';
import { TABLE_ENV } from '#platform/env-names.ts';
import type { Finding } from '#platform/findings.ts';

/**
 * Uploads table. Access patterns:
 *   an upload                 pk = UPLOAD#<id>,               sk = UPLOAD
 *   its chunks' outcomes      pk = UPLOAD#<id>,               sk = CHUNK#<00000>
 *   first upload of a content pk = CONTENT#<iis_id>#<sha256>, sk = CONTENT   (same file again → earlier results)
 *   uploads by status         GSI by-status: status_pk = STATUS#<status>, updated_at
 *   a site's uploads          GSI by-site:   site_pk = SITE#<iis_id>, created_at (newest first)
 */
const table = () => requiredEnv(TABLE_ENV.uploads);

export type UploadStatus = 'received' | 'processing' | 'completed' | 'failed';

export interface ChunkCounts {
  rows: number;
  accepted: number;
  rejected: number;
  duplicates: number;
  /** Rows accepted with at least one warning. */
  warnings: number;
  byCode: Record<string, number>;
}

export interface Upload {
  upload_id: string;
  iis_id: string;
  /** The S3 key of the dropped file and the name the site gave it. */
  key: string;
  name: string;
  status: UploadStatus;
  created_at: string;
  updated_at: string;
  created_by?: string;
  /** The version (and ETag) of the dropped object this upload is about: a later overwrite is another upload. */
  version_id?: string;
  etag?: string;
  sha256?: string;
  format?: string;
  bytes?: number;
  rows_total?: number;
  chunks_total?: number;
  chunks_done?: number;
  rows_done?: number;
  /** An earlier upload of the same content by the same site: its results answer this one. */
  duplicate_of?: string;
  results_key?: string;
  summary_key?: string;
  /** Versions of the results objects written for this upload (a later file of the same name writes new ones). */
  results_version?: string;
  summary_version?: string;
  /** Sweeps that found it stuck since it last moved. */
  sweeps?: number;
  summary?: Record<string, unknown>;
  file_findings?: Finding[];
}

const key = (id: string) => ({ pk: { S: `UPLOAD#${id}` }, sk: { S: 'UPLOAD' } });

function toItem(u: Upload): Record<string, AttributeValue> {
  return {
    ...key(u.upload_id),
    status_pk: { S: `STATUS#${u.status}` },
    updated_at: { S: u.updated_at },
    status: { S: u.status },
    iis_id: { S: u.iis_id },
    site_pk: { S: `SITE#${u.iis_id}` },
    created_at: { S: u.created_at },
    data: { S: JSON.stringify(u) },
  };
}

function fromItem(i: Record<string, AttributeValue>): Upload {
  const u = JSON.parse(i.data!.S!) as Upload;
  // Counters and status live in their own attributes, which concurrent workers update atomically.
  u.status = i.status!.S as UploadStatus;
  u.updated_at = i.updated_at!.S!;
  u.chunks_done = i.chunks_done?.NS?.length ?? 0;
  u.rows_done = Number(i.rows_done?.N ?? 0);
  u.sweeps = Number(i.sweeps?.N ?? 0);
  return u;
}

/** Creates the upload unless it exists; answers the stored one either way. */
export async function createUpload(u: Upload): Promise<{ created: boolean; upload: Upload }> {
  try {
    await dynamodb.send(
      new PutItemCommand({
        TableName: table(),
        Item: toItem(u),
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    return { created: true, upload: u };
  } catch (err) {
    if (!(err instanceof ConditionalCheckFailedException)) throw err;
    const existing = await getUpload(u.upload_id);
    if (!existing) throw err;
    return { created: false, upload: existing };
  }
}

export async function getUpload(id: string): Promise<Upload | undefined> {
  const res = await dynamodb.send(
    new GetItemCommand({ TableName: table(), Key: key(id), ConsistentRead: true }),
  );
  return res.Item ? fromItem(res.Item) : undefined;
}

/**
 * Moves an upload to `to` if it is in one of `from`, merging `fields` into it. Answers false when another
 * invocation moved it first: status changes are the upload's lock.
 */
export async function transition(
  current: Upload,
  from: UploadStatus[],
  to: UploadStatus,
  fields: Partial<Upload>,
  now: string,
): Promise<boolean> {
  const next: Upload = { ...current, ...fields, status: to, updated_at: now };
  const values: Record<string, AttributeValue> = {
    ':to': { S: to },
    ':spk': { S: `STATUS#${to}` },
    ':now': { S: now },
    ':data': { S: JSON.stringify(next) },
  };
  from.forEach((f, i) => {
    values[`:f${i}`] = { S: f };
  });
  try {
    await dynamodb.send(
      new UpdateItemCommand({
        TableName: table(),
        Key: key(current.upload_id),
        UpdateExpression: 'SET #s = :to, status_pk = :spk, updated_at = :now, #d = :data',
        ConditionExpression: `#s IN (${from.map((_, i) => `:f${i}`).join(', ')})`,
        ExpressionAttributeNames: { '#s': 'status', '#d': 'data' },
        ExpressionAttributeValues: values,
      }),
    );
    return true;
  } catch (err) {
    if (err instanceof ConditionalCheckFailedException) return false;
    throw err;
  }
}

/** A sweep found the upload stuck and picked it up again: answers how many sweeps have, since it last moved. */
export async function countSweep(id: string, now: string): Promise<number> {
  const res = await dynamodb.send(
    new UpdateItemCommand({
      TableName: table(),
      Key: key(id),
      UpdateExpression: 'SET updated_at = :now ADD sweeps :one',
      ExpressionAttributeValues: { ':now': { S: now }, ':one': { N: '1' } },
      ReturnValues: 'UPDATED_NEW',
    }),
  );
  return Number(res.Attributes?.sweeps?.N ?? 1);
}

/** Hands the content claim of an upload that failed to another upload of the same content. */
export async function takeOverContent(
  iisId: string,
  sha256: string,
  from: string,
  to: string,
): Promise<boolean> {
  try {
    await dynamodb.send(
      new PutItemCommand({
        TableName: table(),
        Item: { pk: { S: `CONTENT#${iisId}#${sha256}` }, sk: { S: 'CONTENT' }, upload_id: { S: to } },
        ConditionExpression: 'upload_id = :from',
        ExpressionAttributeValues: { ':from': { S: from } },
      }),
    );
    return true;
  } catch (err) {
    if (err instanceof ConditionalCheckFailedException) return false;
    throw err;
  }
}

/** The first upload of this content by this site: answers the earlier upload's id if there was one. */
export async function claimContent(
  iisId: string,
  sha256: string,
  uploadId: string,
): Promise<string | undefined> {
  try {
    await dynamodb.send(
      new PutItemCommand({
        TableName: table(),
        Item: { pk: { S: `CONTENT#${iisId}#${sha256}` }, sk: { S: 'CONTENT' }, upload_id: { S: uploadId } },
        ConditionExpression: 'attribute_not_exists(pk) OR upload_id = :u',
        ExpressionAttributeValues: { ':u': { S: uploadId } },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    return undefined;
  } catch (err) {
    if (!(err instanceof ConditionalCheckFailedException)) throw err;
    const earlier = err.Item?.upload_id?.S;
    if (earlier) return earlier;
    const res = await dynamodb.send(
      new GetItemCommand({
        TableName: table(),
        Key: { pk: { S: `CONTENT#${iisId}#${sha256}` }, sk: { S: 'CONTENT' } },
        ConsistentRead: true,
      }),
    );
    return res.Item?.upload_id?.S;
  }
}

const chunkKey = (id: string, n: number) => ({
  pk: { S: `UPLOAD#${id}` },
  sk: { S: `CHUNK#${String(n).padStart(5, '0')}` },
});

/** Records a chunk's outcome (idempotent: a retried chunk writes the same counts). */
export async function putChunkCounts(id: string, n: number, counts: ChunkCounts): Promise<void> {
  await dynamodb.send(
    new PutItemCommand({
      TableName: table(),
      Item: { ...chunkKey(id, n), counts: { S: JSON.stringify(counts) } },
    }),
  );
}

/**
 * Adds a chunk to the upload's done set and its rows to the progress counter, once: a retried chunk finds
 * itself already in the set and changes nothing. Answers how many chunks are done.
 */
export async function markChunkDone(id: string, n: number, rows: number, now: string): Promise<number> {
  try {
    const res = await dynamodb.send(
      new UpdateItemCommand({
        TableName: table(),
        Key: key(id),
        // Progress: the sweeper judges an upload stuck by updated_at and counts sweeps since it last moved.
        UpdateExpression: 'SET updated_at = :now, sweeps = :zero ADD chunks_done :n, rows_done :rows',
        ConditionExpression: 'attribute_not_exists(chunks_done) OR NOT contains(chunks_done, :one)',
        ExpressionAttributeValues: {
          ':n': { NS: [String(n)] },
          ':rows': { N: String(rows) },
          ':one': { N: String(n) },
          ':now': { S: now },
          ':zero': { N: '0' },
        },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return res.Attributes?.chunks_done?.NS?.length ?? 0;
  } catch (err) {
    if (!(err instanceof ConditionalCheckFailedException)) throw err;
    return (await getUpload(id))?.chunks_done ?? 0;
  }
}

/** Which chunks are done (for the sweeper to requeue the others). */
export async function chunksDone(id: string): Promise<Set<number>> {
  const res = await dynamodb.send(
    new GetItemCommand({
      TableName: table(),
      Key: key(id),
      ConsistentRead: true,
      ProjectionExpression: 'chunks_done',
    }),
  );
  return new Set((res.Item?.chunks_done?.NS ?? []).map(Number));
}

export async function chunkCounts(id: string): Promise<ChunkCounts[]> {
  const out: ChunkCounts[] = [];
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await dynamodb.send(
      new QueryCommand({
        TableName: table(),
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :c)',
        ExpressionAttributeValues: { ':pk': { S: `UPLOAD#${id}` }, ':c': { S: 'CHUNK#' } },
        ConsistentRead: true,
        ExclusiveStartKey: start,
      }),
    );
    for (const i of page.Items ?? []) out.push(JSON.parse(i.counts!.S!) as ChunkCounts);
    start = page.LastEvaluatedKey;
  } while (start);
  return out;
}

/** Uploads in a status, oldest update first (or newest), optionally only those not updated since `before`. */
export async function uploadsByStatus(
  status: UploadStatus,
  before?: string,
  limit = 100,
  newestFirst = false,
): Promise<Upload[]> {
  const res = await dynamodb.send(
    new QueryCommand({
      TableName: table(),
      IndexName: 'by-status',
      KeyConditionExpression: before ? 'status_pk = :s AND updated_at < :b' : 'status_pk = :s',
      ExpressionAttributeValues: {
        ':s': { S: `STATUS#${status}` },
        ...(before ? { ':b': { S: before } } : {}),
      },
      ScanIndexForward: !newestFirst,
      Limit: limit,
    }),
  );
  return (res.Items ?? []).map(fromItem);
}

/**
 * A site's uploads, newest first: at most `limit`, created before `before` when given (the next page starts
 * before the last one shown). The index holds whole items, so the list needs no reads of the uploads.
 */
export async function uploadsOfSite(iisId: string, limit: number, before?: string): Promise<Upload[]> {
  const res = await dynamodb.send(
    new QueryCommand({
      TableName: table(),
      IndexName: 'by-site',
      KeyConditionExpression: before ? 'site_pk = :s AND created_at < :b' : 'site_pk = :s',
      ExpressionAttributeValues: {
        ':s': { S: `SITE#${iisId}` },
        ...(before ? { ':b': { S: before } } : {}),
      },
      ScanIndexForward: false,
      Limit: limit,
    }),
  );
  return (res.Items ?? []).map(fromItem);
}
