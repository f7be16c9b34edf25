import { ALARMS } from '#platform/alarms.ts';
import { logger } from '#platform/logger.ts';
import { s3Audit } from './audit.ts';
import { clearinghouseUploader } from './clearinghouse/uploader.ts';
import { checkCvrsRecord } from './cvrs-check.ts';
import { addDays, isDay, reportDay, SUBMITTER_CODE } from './day.ts';
import { CLOSE_GRACE_SECONDS, type DayReport, runReportDay } from './report-day.ts';
import { dayStatus } from './store.ts';

/** How far back a run looks for days an earlier run left incomplete (they are finished first). */
const CATCH_UP_DAYS = 7;

/** `yesterday` or a date, as a report day that has begun in California. */
export function resolveDay(value: string, now: Date): string {
  const today = reportDay(now);
  const day = value === 'yesterday' ? addDays(today, -1) : value;
  if (!isDay(day)) throw new Error(`Report day must be YYYY-MM-DD or "yesterday", not "${value}"`);
  if (day > today) throw new Error(`Report day ${day} has not begun yet in California (today is ${today})`);
  return day;
}

/** Whether the day's upload succeeded; logs CDC_REPORT_LATE (the alarm) if not. */
export async function checkDayUploaded(day: string): Promise<boolean> {
  const status = await dayStatus(day);
  if (!status.uploadedAt)
    logger.error(ALARMS.cdcReportLate.code, {
      day,
      built: status.manifest !== undefined,
      lastError: status.lastError,
    });
  return status.uploadedAt !== undefined;
}

/**
 * CDC must get a dose's records in order: an earlier day that was closed but not uploaded goes first, and a
 * day waits while one before it is incomplete. A day nobody closed had no run at all and is left to a person.
 */
async function daysToRun(day: string): Promise<string[]> {
  const days: string[] = [];
  for (let back = CATCH_UP_DAYS; back >= 1; back--) {
    const earlier = addDays(day, -back);
    const s = await dayStatus(earlier);
    if (s.closedAt && !s.uploadedAt) days.push(earlier);
  }
  days.push(day);
  return days;
}

/** Reports the day, after the earlier days an earlier run left incomplete; one report per day, in order. */
export async function runReportWithCatchUp(day: string, closeGraceSeconds?: number): Promise<DayReport[]> {
  const reports: DayReport[] = [];
  for (const d of await daysToRun(day)) {
    const blocker = reports.find((r) => r.status !== 'uploaded');
    if (blocker) {
      reports.push({
        day: d,
        status: 'blocked',
        built: 'no',
        files: [],
        heldBack: 0,
        error: `waits until ${blocker.day} is uploaded`,
      });
      continue;
    }
    const report = await runReportDay(d, {
      now: () => new Date(),
      sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
      closeGraceSeconds: closeGraceSeconds ?? CLOSE_GRACE_SECONDS,
      uploader: clearinghouseUploader,
      audit: s3Audit,
      check: checkCvrsRecord,
      submitter: SUBMITTER_CODE,
    });
    logger.info('CDC report', {
      day: d,
      status: report.status,
      files: report.files.length,
      records: report.files.reduce((n, f) => n + f.records, 0),
      heldBack: report.heldBack,
      error: report.error,
    });
    reports.push(report);
  }
  return reports;
}
