import { lastRunBefore } from '#analytics/nightly/state-store.ts';
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

/** Each job's newest completed day before `today` (a failed run leaves no record, so it shows as behind). */
export async function nightlyRuns(today: string): Promise<NightlyRuns> {
  const [rollup, analytics] = await Promise.all([completedBefore(today), lastRunBefore(today)]);
  const rollupAt = rollup ? ((await rollupStatus(rollup))?.completed_at ?? null) : null;
  return {
    rollup: { day: rollup ?? null, completed_at: rollupAt },
    analytics: { day: analytics?.date ?? null, completed_at: analytics?.completed_at ?? null },
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
