import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { completedRunBefore } from '#analytics/nightly/state-store.ts';
import { dynamodb } from '#platform/aws/dynamodb.ts';
import { requiredEnv } from '#platform/aws/env.ts';
import { TABLE_ENV } from '#platform/env-names.ts';
import { completedBefore, rollupStatus } from '#stock/summaries.ts';
import type { Condition } from './conditions.ts';

/** The newest day a nightly job completed, when it finished, and whether it is behind its deadline. */
export interface NightlyJob {
  day: string | null;
  completed_at: string | null;
  /** false: yesterday is not done past the job's deadline (its alarm's condition, conditions.ts). */
  ok: boolean;
}

export interface NightlyRuns {
  rollup: { day: string | null; completed_at: string | null };
  analytics: { day: string | null; completed_at: string | null };
}

/**
 * The analytics run's record (pk ANALYTICS#RUNS, sk <day>: analytics/nightly/state-store.ts) read for its
 * completion time alone; the store answers only the day.
 */
async function analyticsCompletedAt(day: string): Promise<string | null> {
  const res = await dynamodb.send(
    new GetItemCommand({
      TableName: requiredEnv(TABLE_ENV.analytics),
      Key: { pk: { S: 'ANALYTICS#RUNS' }, sk: { S: day } },
    }),
  );
  const record = res.Item?.record?.S;
  return record ? ((JSON.parse(record) as { completed_at?: string }).completed_at ?? null) : null;
}

/** Each job's newest completed day before `today` (a failed run leaves no record, so it shows as behind). */
export async function nightlyRuns(today: string): Promise<NightlyRuns> {
  const [rollup, analytics] = await Promise.all([completedBefore(today), completedRunBefore(today)]);
  const [rollupAt, analyticsAt] = await Promise.all([
    rollup ? rollupStatus(rollup).then((s) => s?.completed_at ?? null) : null,
    analytics ? analyticsCompletedAt(analytics) : null,
  ]);
  return {
    rollup: { day: rollup ?? null, completed_at: rollupAt },
    analytics: { day: analytics ?? null, completed_at: analyticsAt },
  };
}

/** Each job with ok from its alarm's condition, so the table and the alarm list never disagree. */
export function nightlyJobs(
  runs: NightlyRuns,
  alarms: readonly Condition[],
): Record<keyof NightlyRuns, NightlyJob> {
  const behind = (alarm: Condition['alarm']) => alarms.some((a) => a.alarm === alarm && a.active);
  return {
    rollup: { ...runs.rollup, ok: !behind('rollupLate') },
    analytics: { ...runs.analytics, ok: !behind('analyticsFailed') },
  };
}
