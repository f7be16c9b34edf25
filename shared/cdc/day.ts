import cdcConfig from '../config/cdc.json' with { type: 'json' };
import { localDate } from '../domain/dates.ts';

/**
 * Report days are calendar days in California (America/Los_Angeles), whatever the clock of the machine: a change
 * belongs to the day on which it arrived there, and a day's file names carry that date.
 */
export const REPORT_TIME_ZONE = cdcConfig.timeZone;
/** CDC's three-letter submitter code for California's files (`yyyymmdd_NN_AAA.txt`); unconfirmed, see README. */
export const SUBMITTER_CODE = cdcConfig.submitter;

export const DAY_PATTERN = /^\d{4}-\d{2}-\d{2}$/;

export function reportDay(at: Date): string {
  return localDate(at, REPORT_TIME_ZONE);
}

/** The calendar day `n` days after `day` (negative: before); pure date arithmetic, no time zone involved. */
export function addDays(day: string, n: number): string {
  const t = Date.UTC(Number(day.slice(0, 4)), Number(day.slice(5, 7)) - 1, Number(day.slice(8, 10)) + n);
  return new Date(t).toISOString().slice(0, 10);
}

/** Whether `day` is a real calendar date written YYYY-MM-DD. */
export function isDay(day: string): boolean {
  return DAY_PATTERN.test(day) && addDays(day, 0) === day;
}
