/**
 * What the intake paths (the JSON API, dropped files, HL7 VXU) tell the rejections log (shared/analytics/rejections.ts)
 * of a dose they reject: the site, the sender, when, the action, a valid admin date and the findings' codes and
 * severities, nothing else of the dose. Recording never changes an answer: a failure is logged (counts and the
 * error's class only) and the submission goes on.
 */
import { createHash } from 'node:crypto';
import { type Rejection, recordRejections } from '#analytics/rejections.ts';
import { isDay } from '#platform/dates.ts';
import type { Finding } from '#platform/findings.ts';
import { errorName, logger } from '#platform/logger.ts';

export interface RejectedDose {
  iis_id: string;
  sender: string;
  received: Date;
  admin_date: unknown;
  action: Rejection['action'];
  findings: readonly Pick<Finding, 'code' | 'severity'>[];
  source: string;
}

/** A rejected dose as the log keeps it: codes and severities of its findings only, the admin date if it is one. */
export function rejectionOf(d: RejectedDose): Rejection {
  return {
    iis_id: d.iis_id,
    sender: d.sender,
    received_at: d.received.toISOString(),
    ...(typeof d.admin_date === 'string' && isDay(d.admin_date) ? { admin_date: d.admin_date } : {}),
    action: d.action,
    findings: d.findings.map((f) => ({ code: f.code, severity: f.severity })),
    source: d.source,
  };
}

/**
 * An opaque source for what has no id of its own that a retry repeats (an API request: a client's retry gets a
 * new request id): a digest of who sent what, so the same submission again is the same source.
 */
export function digestSource(prefix: string, parts: readonly string[]): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(`${p}\u0000`);
  return `${prefix}:${h.digest('hex').slice(0, 32)}`;
}

/**
 * One batched write of a request's (chunk's, message's) rejections. Never throws: the submission's answer does
 * not depend on it; a failure is a warning with the path, the count and the error's class, nothing of the doses.
 */
export async function keepRejections(
  rs: readonly Rejection[],
  path: 'api' | 'upload' | 'soap',
  record: (rs: readonly Rejection[]) => Promise<void> = recordRejections,
): Promise<void> {
  if (rs.length === 0) return;
  try {
    await record(rs);
  } catch (err) {
    logger.warn('rejections not recorded', { path, rejections: rs.length, error: errorName(err) });
  }
}
