import { runFollowUp } from '#persons/follow-up.ts';
import { bucketStore } from '#platform/aws/objects.ts';
import { isDay, localDate } from '#platform/dates.ts';
import { BUCKET_ENV } from '#platform/env-names.ts';

const reports = bucketStore(BUCKET_ENV.reports);

/** The nightly reminder/recall lists as of a California day: `today` (the schedule) or a date, run again at will. */
export const handler = async (event: { date?: string }) => {
  const day = !event.date || event.date === 'today' ? localDate(new Date()) : event.date;
  if (!isDay(day)) throw new Error(`The date must be YYYY-MM-DD or "today", not "${event.date}"`);
  return runFollowUp(reports, day);
};
