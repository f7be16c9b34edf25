import { s3Audit } from '#cdc/audit.ts';
import { ClearinghouseClient, parseClearinghouseConfig } from '#cdc/clearinghouse.ts';
import { checkCvrsRecord } from '#cdc/cvrs-check.ts';
import { addDays, isDay, reportDay, SUBMITTER_CODE } from '#cdc/day.ts';
import { CLOSE_GRACE_SECONDS, type DayReport, runReportDay, type Uploader } from '#cdc/report-day.ts';
import { dayStatus } from '#cdc/store.ts';
import { getSecret } from '#platform/aws/secrets.ts';
import { logger } from '#platform/logger.ts';

export interface CdcReportEvent {
  /** `yesterday` (the schedule) or a date: report that day. */
  day?: string;
  /** `yesterday` or a date: only check that the day's upload succeeded (logs CDC_REPORT_LATE if not). */
  check?: string;
  /** Wait after closing a day before reading it; the default outlasts any stager (tests and demos shorten it). */
  closeGraceSeconds?: number;
}

export type CdcReportResult = { reports: DayReport[] } | { check: string; uploaded: boolean };

/** How far back a run looks for days an earlier run left incomplete (they are finished first). */
const CATCH_UP_DAYS = 7;

let client: { secret: string; uploader: ClearinghouseClient } | undefined;

/** The client is kept while the secret is unchanged, so its token is reused across files and runs. */
async function uploader(): Promise<Uploader> {
  const secret = await getSecret('CDC_CLEARINGHOUSE');
  if (client?.secret !== secret)
    client = { secret, uploader: new ClearinghouseClient(parseClearinghouseConfig(secret)) };
  return client.uploader;
}

function resolveDay(value: string, now: Date): string {
  const today = reportDay(now);
  const day = value === 'yesterday' ? addDays(today, -1) : value;
  if (!isDay(day)) throw new Error(`Report day must be YYYY-MM-DD or "yesterday", not "${value}"`);
  if (day > today) throw new Error(`Report day ${day} has not begun yet in California (today is ${today})`);
  return day;
}

export const handler = async (event: CdcReportEvent): Promise<CdcReportResult> => {
  const now = new Date();
  if (event.check) {
    const day = resolveDay(event.check, now);
    const status = await dayStatus(day);
    if (!status.uploadedAt)
      logger.error('CDC_REPORT_LATE', {
        day,
        built: status.manifest !== undefined,
        lastError: status.lastError,
      });
    return { check: day, uploaded: status.uploadedAt !== undefined };
  }
  const day = resolveDay(event.day ?? 'yesterday', now);
  // CDC must get a dose's records in order: an earlier day that was closed but not uploaded goes first, and a
  // day waits while one before it is incomplete. A day nobody closed had no run at all and is left to a person.
  const days: string[] = [];
  for (let back = CATCH_UP_DAYS; back >= 1; back--) {
    const earlier = addDays(day, -back);
    const s = await dayStatus(earlier);
    if (s.closedAt && !s.uploadedAt) days.push(earlier);
  }
  days.push(day);
  const reports: DayReport[] = [];
  for (const d of days) {
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
      closeGraceSeconds: event.closeGraceSeconds ?? CLOSE_GRACE_SECONDS,
      uploader,
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
  return { reports };
};
