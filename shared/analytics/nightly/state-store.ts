/**
 * What the nightly analytics job keeps between nights, in the analytics table:
 *   pk UNIT#<unit>,              sk R#<run day>   the unit's kept doses and what it added to the counters, after that run
 *   pk UDOSE#<iis_id>#<event>,   sk R#<run day>   the unit a dose was counted in, from that run on
 *   pk ANALYTICS#RUNS,           sk <run day>     a completed run (what it did)
 *
 * Every state is written under the run that made it and read as "the newest before this run", so running a day
 * again reads exactly what its first run read and writes the same items again: a re-run (after a crash, or of an
 * older day) gives the same counts, whatever later nights did.
 */
import { type AttributeValue, PutItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { dynamodb } from '#platform/aws/dynamodb.ts';
import { requiredEnv } from '#platform/aws/env.ts';
import { TABLE_ENV } from '#platform/env-names.ts';
import { mapLimit } from '#platform/map-limit.ts';
import { BATCH_LIMIT, batchWrite } from '#platform/store/batch-write.ts';
import type { Contribution } from '../uptake.ts';
import type { UnitDose } from './units.ts';

const table = () => requiredEnv(TABLE_ENV.analytics);
const S = (v: string): AttributeValue => ({ S: v });
const runSk = (run: string) => `R#${run}`;
const RUNS = 'ANALYTICS#RUNS';
const WRITERS = 8;

export interface UnitState {
  doses: UnitDose[];
  contribution?: Contribution;
}

/** The newest item of `pk` written by a run before `run`. */
async function newestBefore(pk: string, run: string): Promise<Record<string, AttributeValue> | undefined> {
  const res = await dynamodb.send(
    new QueryCommand({
      TableName: table(),
      KeyConditionExpression: 'pk = :pk AND sk BETWEEN :a AND :b',
      ExpressionAttributeValues: { ':pk': S(pk), ':a': S('R#'), ':b': S(runSk(run)) },
      ScanIndexForward: false,
      Limit: 2,
      ConsistentRead: true,
    }),
  );
  // BETWEEN is inclusive: skip this run's own item (a re-run must read what the first run read).
  return res.Items?.find((i) => i.sk!.S! < runSk(run));
}

export async function unitBefore(unit: string, run: string): Promise<UnitState | undefined> {
  const item = await newestBefore(`UNIT#${unit}`, run);
  return item ? (JSON.parse(item.state!.S!) as UnitState) : undefined;
}

export async function doseUnitBefore(doseId: string, run: string): Promise<string | undefined> {
  const item = await newestBefore(`UDOSE#${doseId}`, run);
  return item?.unit?.S;
}

export async function saveState(
  run: string,
  units: ReadonlyMap<string, UnitState>,
  doseUnits: ReadonlyMap<string, string>,
): Promise<void> {
  const items: Record<string, AttributeValue>[] = [];
  for (const [unit, state] of units)
    items.push({ pk: S(`UNIT#${unit}`), sk: S(runSk(run)), state: S(JSON.stringify(state)) });
  for (const [dose, unit] of doseUnits)
    items.push({ pk: S(`UDOSE#${dose}`), sk: S(runSk(run)), unit: S(unit) });
  const batches: (typeof items)[] = [];
  for (let i = 0; i < items.length; i += BATCH_LIMIT) batches.push(items.slice(i, i + BATCH_LIMIT));
  await mapLimit(batches, WRITERS, (batch) =>
    batchWrite(
      table(),
      batch.map((Item) => ({ PutRequest: { Item } })),
    ),
  );
}

export interface RunRecord {
  date: string;
  completed_at: string;
  counts: Record<string, number>;
}

export async function completeRun(r: RunRecord): Promise<void> {
  await dynamodb.send(
    new PutItemCommand({
      TableName: table(),
      Item: { pk: S(RUNS), sk: S(r.date), record: S(JSON.stringify(r)) },
    }),
  );
}

/** The newest completed run before `date` (or on it, with `inclusive`). */
export async function completedRunBefore(date: string, inclusive = false): Promise<string | undefined> {
  return (await lastRunBefore(date, inclusive))?.date;
}

/** The record of the newest completed run before `date` (or on it, with `inclusive`): its day and finish time. */
export async function lastRunBefore(date: string, inclusive = false): Promise<RunRecord | undefined> {
  const res = await dynamodb.send(
    new QueryCommand({
      TableName: table(),
      KeyConditionExpression: inclusive ? 'pk = :pk AND sk <= :d' : 'pk = :pk AND sk < :d',
      ExpressionAttributeValues: { ':pk': S(RUNS), ':d': S(date) },
      ScanIndexForward: false,
      Limit: 1,
      ConsistentRead: true,
    }),
  );
  const item = res.Items?.[0];
  return item?.record?.S ? (JSON.parse(item.record.S) as RunRecord) : undefined;
}
