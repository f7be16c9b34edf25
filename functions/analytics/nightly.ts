import { type AnalyticsResult, runAnalytics } from '#analytics/nightly/run.ts';
import { ALARMS } from '#platform/alarms.ts';
import { bucketStore } from '#platform/aws/objects.ts';
import { addDays, isDay, localDate } from '#platform/dates.ts';
import { BUCKET_ENV } from '#platform/env-names.ts';
import { logger } from '#platform/logger.ts';
import { rollupStatus } from '#stock/store.ts';

const reports = bucketStore(BUCKET_ENV.reports);

/**
 * Uptake, coverage, supply and timeliness for a California day that has ended (`yesterday` on the schedule),
 * after that day's stock roll-up: supply starts from its closing balances.
 */
export const handler = async (event: { date?: string }): Promise<AnalyticsResult> => {
  const today = localDate(new Date());
  const day = !event.date || event.date === 'yesterday' ? addDays(today, -1) : event.date;
  if (!isDay(day)) throw new Error(`The date must be YYYY-MM-DD or "yesterday", not "${event.date}"`);
  if (day >= today) throw new Error(`${day} has not ended yet in California (today is ${today})`);
  if ((await rollupStatus(day))?.completed_at === undefined)
    throw new Error(`The stock roll-up of ${day} has not completed: run it first (npm run nightly)`);
  try {
    return await runAnalytics(day, reports, () => new Date());
  } catch (err) {
    logger.error(ALARMS.analyticsFailed.code, { date: day, error: (err as Error).name });
    throw err;
  }
};
