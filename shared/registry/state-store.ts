import { UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { doseKey, packJson, versionKey } from '#doses/store.ts';
import { dynamodb } from '#platform/aws/dynamodb.ts';
import { requiredEnv } from '#platform/aws/env.ts';
import { TABLE_ENV } from '#platform/env-names.ts';
import type { Finding } from '#platform/findings.ts';
import { releaseLease, takeLease } from '#platform/store/lease.ts';
import type { RegistryState } from './decide.ts';

/**
 * What the regional registry has of each dose, beside the dose's versions in the doses table:
 *   pk = DOSE#<iis_id>#<vax_event_id>, sk = REGISTRY: settled_version, holds_dose, lock_owner, lock_until
 * The lock makes one reporter at a time send a dose's versions, in order, whatever order the queue
 * delivers them in; it expires, so a reporter that dies does not hold the dose forever.
 */
const table = () => requiredEnv(TABLE_ENV.doses);
const stateKey = (iisId: string, eventId: string) => ({
  pk: { S: doseKey(iisId, eventId) },
  sk: { S: 'REGISTRY' },
});

/** Takes the dose's lock; answers its registry state, or undefined when another reporter holds it. */
export async function lockDose(
  iisId: string,
  eventId: string,
  owner: string,
  now: Date,
  ttlMs: number,
): Promise<RegistryState | undefined> {
  const a = await takeLease(table(), stateKey(iisId, eventId), owner, now, ttlMs);
  if (!a) return undefined;
  return { settledVersion: Number(a.settled_version?.N ?? 0), holdsDose: a.holds_dose?.BOOL ?? false };
}

/** Records the new state and releases the lock (only if still ours). */
export async function saveState(
  iisId: string,
  eventId: string,
  owner: string,
  state: RegistryState,
): Promise<void> {
  await dynamodb.send(
    new UpdateItemCommand({
      TableName: table(),
      Key: stateKey(iisId, eventId),
      UpdateExpression: 'SET settled_version = :v, holds_dose = :h REMOVE lock_owner, lock_until',
      ConditionExpression: 'lock_owner = :o',
      ExpressionAttributeValues: {
        ':v': { N: String(state.settledVersion) },
        ':h': { BOOL: state.holdsDose },
        ':o': { S: owner },
      },
    }),
  );
}

export async function unlock(iisId: string, eventId: string, owner: string): Promise<void> {
  await releaseLease(table(), stateKey(iisId, eventId), owner);
}

export interface RegistryOutcome {
  registry: string;
  status: 'accepted' | 'accepted-with-warnings' | 'rejected' | 'not-sent';
  /** What was sent (A/U/D), if anything. */
  sentAs?: string;
  ack?: string;
  findings: Finding[];
  at: string;
}

/** Stores the registry's answer on the version it is about (shown by GET /v1/doses/{id}). */
export async function recordOutcome(
  iisId: string,
  eventId: string,
  version: number,
  o: RegistryOutcome,
): Promise<void> {
  await dynamodb.send(
    new UpdateItemCommand({
      TableName: table(),
      Key: { pk: { S: doseKey(iisId, eventId) }, sk: { S: versionKey(version) } },
      UpdateExpression: 'SET registry_status = :s, registry_outcome = :o',
      ConditionExpression: 'attribute_exists(pk)',
      // Compressed like the dose beside it, so the version stays near 1 KB (shared/doses/store.ts).
      ExpressionAttributeValues: { ':s': { S: o.status }, ':o': packJson(o) },
    }),
  );
}
