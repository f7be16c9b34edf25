import { QueryCommand } from '@aws-sdk/client-dynamodb';
import { dynamodb } from '#platform/aws/dynamodb.ts';
import { requiredEnv } from '#platform/aws/env.ts';
import { TABLE_ENV } from '#platform/env-names.ts';
import { REGISTRIES } from '#registry/config.ts';
import { getControl, type Pause } from '#registry/control.ts';

export interface RegistryHealth {
  registry: string;
  /** probing: the pause has ended and the next message decides whether it resumes (report.ts). */
  state: 'sending' | 'paused' | 'probing';
  /** While paused: until when, and why (e.g. the registry refused our credentials). */
  until?: string;
  reason?: string;
  /** Transport failures in a row since it last answered (it pauses at failuresToPause). */
  failures: number;
  failuresToPause: number;
  /** Messages parked while it is paused (counted up to PARKED_COUNT_CAP). */
  parked: number;
  parkedCapped: boolean;
}

/** Counting parked messages reads keys only; past this many the figure says "at least". */
const PARKED_COUNT_CAP = 10_000;

async function parkedCount(registry: string): Promise<{ n: number; capped: boolean }> {
  let n = 0;
  let start: Record<string, import('@aws-sdk/client-dynamodb').AttributeValue> | undefined;
  do {
    const page = await dynamodb.send(
      new QueryCommand({
        TableName: requiredEnv(TABLE_ENV.doses),
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': { S: `PARKED#${registry}` } },
        Select: 'COUNT',
        ExclusiveStartKey: start,
      }),
    );
    n += page.Count ?? 0;
    start = page.LastEvaluatedKey;
  } while (start && n < PARKED_COUNT_CAP);
  return { n, capped: start !== undefined };
}

/** A pause whose time is over is not lifted until the next send answers (report.ts): until then it is probing. */
export function stateOf(pause: Pause | undefined, now: Date): RegistryHealth['state'] {
  if (!pause) return 'sending';
  return pause.until > now.toISOString() ? 'paused' : 'probing';
}

/**
 * Each regional registry: sending or paused (control.ts), its failures in a row and its parked messages. No
 * last-answer time or acceptance rate: the reporter keeps each answer on the dose version it is about and
 * nothing by registry and time, so either would mean scanning the doses table (docs/operations.md).
 */
export async function registriesHealth(now: Date): Promise<RegistryHealth[]> {
  return Promise.all(
    Object.entries(REGISTRIES).map(async ([registry, config]) => {
      const [control, parked] = await Promise.all([getControl(registry), parkedCount(registry)]);
      const pause = control.pause;
      return {
        registry,
        state: stateOf(pause, now),
        ...(pause ? { until: pause.until, reason: pause.reason } : {}),
        failures: control.failures,
        failuresToPause: config.failuresToPause,
        parked: parked.n,
        parkedCapped: parked.capped,
      } satisfies RegistryHealth;
    }),
  );
}
