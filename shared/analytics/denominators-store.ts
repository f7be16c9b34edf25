/**
 * Versions of the population denominators, in the analytics table.
 *
 * Layout:
 *   pk DENOM, sk V#000003            one item per version: who loaded it when, its row count, totals, source
 *                                    note, and the load whose rows it names. The newest version is in force.
 *   pk DENOM#LOAD#<load_id>, sk C#0000…  the rows of one load, ROWS_PER_CHUNK to an item (compact JSON tuples)
 *
 * Versioned like lot expirations (shared/stock/lot-dates.ts): versions are never rewritten and an older one is
 * kept for the record. A load writes every row chunk first, under a load id no version names yet, and only then
 * puts the version item with a conditional write (attribute_not_exists): that one write is what puts a version
 * in force. A crash before it leaves rows nobody reads and the previous version in force; two loads at once
 * cannot both take the same number (the loser takes the next one, its rows already written). Chunks rather than
 * one compressed item so no file the parser accepts can come near DynamoDB's 400 KB item limit: a chunk of
 * 500 rows is about 25 KB.
 */
import { randomUUID } from 'node:crypto';
import { ConditionalCheckFailedException, PutItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { dynamodb } from '#platform/aws/dynamodb.ts';
import { requiredEnv } from '#platform/aws/env.ts';
import { TABLE_ENV } from '#platform/env-names.ts';
import { batchWrite } from '#platform/store/batch-write.ts';
import { type Item, queryItems } from '#platform/store/query.ts';
import {
  type CountyTotal,
  type DenominatorFile,
  type DenominatorRow,
  type RowTuple,
  rowOf,
  rowTuple,
} from './denominators.ts';

export const ROWS_PER_CHUNK = 500;
const PK = 'DENOM';
const table = () => requiredEnv(TABLE_ENV.analytics);
const versionSk = (n: number) => `V#${String(n).padStart(6, '0')}`;
const loadPk = (loadId: string) => `DENOM#LOAD#${loadId}`;

export interface DenominatorVersion {
  version: number;
  loaded_at: string;
  loaded_by: string;
  row_count: number;
  total_population: number;
  source: string | null;
  content_hash: string;
  county_totals: CountyTotal[];
}

/** A version without its per-county totals: an entry of the history. */
export type VersionSummary = Omit<DenominatorVersion, 'county_totals' | 'content_hash'>;

export const summaryOf = ({ county_totals: _, content_hash: __, ...s }: DenominatorVersion): VersionSummary =>
  s;

interface Stored extends DenominatorVersion {
  load_id: string;
  chunks: number;
}

function fromItem(i: Item): Stored {
  return {
    version: Number(i.version!.N),
    loaded_at: i.loaded_at!.S!,
    loaded_by: i.loaded_by!.S!,
    row_count: Number(i.row_count!.N),
    total_population: Number(i.total_population!.N),
    source: i.source?.S ?? null,
    content_hash: i.content_hash!.S!,
    county_totals: JSON.parse(i.county_totals!.S!) as CountyTotal[],
    load_id: i.load_id!.S!,
    chunks: Number(i.chunks!.N),
  };
}

const strip = ({ load_id: _, chunks: __, ...v }: Stored): DenominatorVersion => v;

async function storedVersions(): Promise<Stored[]> {
  const items = await queryItems({
    TableName: table(),
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :v)',
    ExpressionAttributeValues: { ':pk': { S: PK }, ':v': { S: 'V#' } },
    ConsistentRead: true,
  });
  return items.map(fromItem);
}

/** Every version, oldest first (the last is in force). */
export const denominatorVersions = async (): Promise<DenominatorVersion[]> =>
  (await storedVersions()).map(strip);

async function newest(): Promise<Stored | undefined> {
  const res = await dynamodb.send(
    new QueryCommand({
      TableName: table(),
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :v)',
      ExpressionAttributeValues: { ':pk': { S: PK }, ':v': { S: 'V#' } },
      ScanIndexForward: false,
      Limit: 1,
      ConsistentRead: true,
    }),
  );
  const item = res.Items?.[0];
  return item ? fromItem(item) : undefined;
}

export interface LoadOutcome {
  version: DenominatorVersion;
  /** False when the file says exactly what the version in force says: no new version. */
  created: boolean;
  previous: number | null;
}

/** Stores a checked file as the next version and puts it in force (see the layout above for why this order). */
export async function storeDenominators(
  file: DenominatorFile,
  meta: { loaded_by: string; source?: string },
  now: Date,
): Promise<LoadOutcome> {
  let head = await newest();
  if (head?.content_hash === file.content_hash)
    return { version: strip(head), created: false, previous: head.version };
  const loadId = randomUUID();
  const chunks = await writeRows(loadId, file.rows);
  for (let attempt = 0; ; attempt++) {
    const next: Stored = {
      version: (head?.version ?? 0) + 1,
      loaded_at: now.toISOString(),
      loaded_by: meta.loaded_by,
      row_count: file.rows.length,
      total_population: file.total_population,
      source: meta.source ?? null,
      content_hash: file.content_hash,
      county_totals: file.county_totals,
      load_id: loadId,
      chunks,
    };
    try {
      await dynamodb.send(
        new PutItemCommand({
          TableName: table(),
          Item: toItem(next),
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return { version: strip(next), created: true, previous: head?.version ?? null };
    } catch (err) {
      // Another load took this number meanwhile: ours goes in force after it.
      if (!(err instanceof ConditionalCheckFailedException) || attempt >= 4) throw err;
      head = await newest();
    }
  }
}

function toItem(v: Stored): Item {
  return {
    pk: { S: PK },
    sk: { S: versionSk(v.version) },
    version: { N: String(v.version) },
    loaded_at: { S: v.loaded_at },
    loaded_by: { S: v.loaded_by },
    row_count: { N: String(v.row_count) },
    total_population: { N: String(v.total_population) },
    ...(v.source ? { source: { S: v.source } } : {}),
    content_hash: { S: v.content_hash },
    county_totals: { S: JSON.stringify(v.county_totals) },
    load_id: { S: v.load_id },
    chunks: { N: String(v.chunks) },
  };
}

async function writeRows(loadId: string, rows: readonly DenominatorRow[]): Promise<number> {
  const puts = [];
  for (let i = 0; i < rows.length; i += ROWS_PER_CHUNK) {
    puts.push({
      PutRequest: {
        Item: {
          pk: { S: loadPk(loadId) },
          sk: { S: `C#${String(i / ROWS_PER_CHUNK).padStart(4, '0')}` },
          rows: { S: JSON.stringify(rows.slice(i, i + ROWS_PER_CHUNK).map(rowTuple)) },
        },
      },
    });
  }
  await batchWrite(table(), puts);
  return puts.length;
}

async function rowsOf(v: Stored): Promise<DenominatorRow[]> {
  const items = await queryItems({
    TableName: table(),
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': { S: loadPk(v.load_id) } },
    ConsistentRead: true,
  });
  // The version item is written after its rows, so a shortfall is damage, not a load in progress.
  if (items.length !== v.chunks)
    throw new Error(`denominators version ${v.version}: ${items.length} of ${v.chunks} row chunks found`);
  return items.flatMap((i) => (JSON.parse(i.rows!.S!) as RowTuple[]).map(rowOf));
}

/** The rows of the version in force, for the nightly coverage figures; undefined when none was ever loaded. */
export async function denominatorsInForce(): Promise<
  { version: number; rows: DenominatorRow[] } | undefined
> {
  const head = await newest();
  return head ? { version: head.version, rows: await rowsOf(head) } : undefined;
}

/** The rows of a given version (an older one, to recompute a past report against what was in force then). */
export async function denominatorRows(version: number): Promise<DenominatorRow[] | undefined> {
  const all = await storedVersions();
  const v = all.find((x) => x.version === version);
  return v ? rowsOf(v) : undefined;
}
