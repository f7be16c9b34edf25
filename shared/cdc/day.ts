import { localDate } from '#platform/dates.ts';
import cdcConfig from './config.json' with { type: 'json' };

/**
 * Report days are calendar days in California (America/Los_Angeles), whatever the clock of the machine: a change
 * belongs to the day on which it arrived there, and a day's file names carry that date.
 */
export const REPORT_TIME_ZONE = cdcConfig.timeZone;
/** CDC's three-letter submitter code for California's files (`yyyymmdd_NN_AAA.txt`); unconfirmed, see README. */
export const SUBMITTER_CODE = cdcConfig.submitter;

export { addDays, isDay } from '#platform/dates.ts';

export function reportDay(at: Date): string {
  return localDate(at, REPORT_TIME_ZONE);
}
