import { ALARMS } from '#platform/alarms.ts';
import { bucketStore } from '#platform/aws/objects.ts';
import { addDays, isDay, localDate } from '#platform/dates.ts';
import { BUCKET_ENV } from '#platform/env-names.ts';
import { logger } from '#platform/logger.ts';
import { type RollupResult, runRollup } from '#stock/run-rollup.ts';
import { rollupStatus } from '#stock/store.ts';

export interface NightlyEvent {
  /** `yesterday` (the schedule) or a date: roll that day up (again). */
  date?: string;
  /** `yesterday` or a date: only check that the day's roll-up has completed (logs ROLLUP_LATE if not). */
  check?: string;
}

export type NightlyResult = RollupResult | { check: string; completed: boolean };

const reports = bucketStore(BUCKET_ENV.reports);

/** A day that has ended in California: its records can no longer change, so its roll-up is final. */
function endedDay(value: string, now: Date): string {
  const today = localDate(now);
  const day = value === 'yesterday' ? addDays(today, -1) : value;
  if (!isDay(day)) throw new Error(`The date must be YYYY-MM-DD or "yesterday", not "${value}"`);
  if (day >= today)
    throw new Error(`${day} has not ended yet in California (today is ${today}): roll up a past day`);
  return day;
}

export const handler = async (event: NightlyEvent): Promise<NightlyResult> => {
  const now = new Date();
  if (event.check) {
    const day = endedDay(event.check, now);
    const completed = (await rollupStatus(day))?.completed_at !== undefined;
    if (!completed) logger.error(ALARMS.rollupLate.code, { date: day });
    return { check: day, completed };
  }
  const day = endedDay(event.date ?? 'yesterday', now);
  try {
    return await runRollup(day, reports, () => new Date());
  } catch (err) {
    // The alarm's log line; the error itself goes to Lambda's log and the schedule's retry.
    logger.error(ALARMS.rollupFailed.code, { date: day, error: (err as Error).name });
    throw err;
  }
};
