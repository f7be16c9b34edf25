import type { DayReport } from '#cdc/report-day.ts';
import { checkDayUploaded, resolveDay, runReportWithCatchUp } from '#cdc/report-run.ts';

export interface CdcReportEvent {
  /** `yesterday` (the schedule) or a date: report that day. */
  day?: string;
  /** `yesterday` or a date: only check that the day's upload succeeded (logs CDC_REPORT_LATE if not). */
  check?: string;
  /** Wait after closing a day before reading it; the default outlasts any stager (tests and demos shorten it). */
  closeGraceSeconds?: number;
}

export type CdcReportResult = { reports: DayReport[] } | { check: string; uploaded: boolean };

/** Scheduled: the daily CVRS report for CDC, earlier incomplete days first; or the check that it is in. */
export const handler = async (event: CdcReportEvent): Promise<CdcReportResult> => {
  const now = new Date();
  if (event.check) {
    const day = resolveDay(event.check, now);
    return { check: day, uploaded: await checkDayUploaded(day) };
  }
  const day = resolveDay(event.day ?? 'yesterday', now);
  return { reports: await runReportWithCatchUp(day, event.closeGraceSeconds) };
};
