/**
 * What the intake paths (the JSON API, dropped files, HL7 VXU) tell the rejections log (shared/analytics/rejections.ts)
 * of a dose they reject: the site, the sender, when, the action, a valid admin date and the findings' codes and
 * severities, nothing else of the dose. Recording never changes an answer: a failure is logged (counts and the
 * error's class only) and the submission goes on.
 */
import { createHash } from 'node:crypto';
import { type Rejection, recordRejections } from '#analytics/rejections.ts';
import { contentHash } from '#platform/content-hash.ts';
import { isDay } from '#platform/dates.ts';
import type { Finding } from '#platform/findings.ts';
import { errorName, logger } from '#platform/logger.ts';
import type { Dose } from './fields.ts';

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

/**
 * The rejected doses of a POST /v1/doses. A client's retry of the request has a new request id: the source is the
 * dose's place and content, so a retry counts once.
 */
export async function keepApiRejections(
  outcome: {
    results: readonly { status: string; issues?: readonly Pick<Finding, 'code' | 'severity'>[] }[];
    doses: readonly Partial<Dose>[];
  },
  sender: string,
  received: Date,
): Promise<void> {
  const rejections = outcome.results.flatMap((r, i) => {
    const dose = outcome.doses[i]!;
    if (r.status !== 'rejected') return [];
    const iisId = dose.iis_id ?? sender;
    return [
      rejectionOf({
        iis_id: iisId,
        sender,
        received,
        admin_date: dose.admin_date,
        action: 'A',
        findings: r.issues ?? [],
        source: digestSource('api', [sender, 'A', iisId, String(i), contentHash(dose)]),
      }),
    ];
  });
  await keepRejections(rejections, 'api');
}

/** A rejected PUT /v1/doses/{id}: one dose, keyed by who sent which correction of which dose. */
export async function keepApiRejection(
  findings: readonly Pick<Finding, 'code' | 'severity'>[],
  r: {
    iis_id: string;
    vax_event_id: string;
    sender: string;
    now: Date;
    action: 'U';
    body: Record<string, unknown>;
  },
): Promise<void> {
  await keepRejections(
    [
      rejectionOf({
        iis_id: r.iis_id,
        sender: r.sender,
        received: r.now,
        admin_date: r.body.admin_date,
        action: r.action,
        findings,
        source: digestSource('api', [r.sender, r.action, r.iis_id, r.vax_event_id, JSON.stringify(r.body)]),
      }),
    ],
    'api',
  );
}
