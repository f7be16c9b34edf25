/**
 * Rejected submissions, for the timeliness scorecard (issue 15): accepted doses are stored as dose versions,
 * rejected ones only here. One item per rejected dose, in the analytics table:
 *
 *   pk REJECTED#<day>#<shard>, sk <source>   the California day it was received, one of SHARDS partitions of it
 *
 * Only the site, the sender, when, the action, the admin date and the findings' codes and severities are kept:
 * a finding's message or field may quote the dose, which is protected health information. The source is the
 * item's key, so a retried request, chunk or message overwrites its own items instead of counting twice.
 */

import { requiredEnv } from '#platform/aws/env.ts';
import { isDay, localDate } from '#platform/dates.ts';
import { TABLE_ENV } from '#platform/env-names.ts';
import type { Severity } from '#platform/findings.ts';
import { batchWrite } from '#platform/store/batch-write.ts';
import { type Item, queryItems } from '#platform/store/query.ts';
import { dayPart, dayParts } from '#platform/store/shards.ts';

export interface Rejection {
  /** The site the dose was for (CAIR org code), as the submission named it or the caller's own. */
  iis_id: string;
  /** Who sent it: the calling key's iis_id (a sending facility may submit for client sites). */
  sender: string;
  /** ISO instant we received it. */
  received_at: string;
  /** As submitted, only when it is a valid YYYY-MM-DD. */
  admin_date?: string;
  action: 'A' | 'U' | 'D';
  /** Codes and severities only: messages and values can quote PHI. */
  findings: { code: string; severity: Severity }[];
  /** Unique per rejected dose and the same on a retry: `api:…`, `upload:<upload id>:<row>`, `soap:…`. */
  source: string;
}

const PREFIX = 'REJECTED#';
const table = () => requiredEnv(TABLE_ENV.analytics);
const ACTIONS: ReadonlySet<string> = new Set(['A', 'U', 'D']);
const SEVERITIES: ReadonlySet<string> = new Set(['error', 'warning', 'info']);

function toItem(r: Rejection): Item {
  const day = localDate(new Date(r.received_at));
  return {
    pk: { S: PREFIX + dayPart(day, r.source) },
    sk: { S: r.source },
    iis_id: { S: r.iis_id },
    sender: { S: r.sender },
    received_at: { S: r.received_at },
    ...(r.admin_date !== undefined && isDay(r.admin_date) ? { admin_date: { S: r.admin_date } } : {}),
    action: { S: r.action },
    // Rebuilt field by field: whatever else a caller's finding objects carry is not stored.
    findings: { S: JSON.stringify(r.findings.map((f) => [f.code, f.severity])) },
  };
}

function fromItem(i: Item): Rejection {
  const findings = (JSON.parse(i.findings!.S!) as [string, Severity][]).map(([code, severity]) => ({
    code,
    severity,
  }));
  return {
    iis_id: i.iis_id!.S!,
    sender: i.sender!.S!,
    received_at: i.received_at!.S!,
    ...(i.admin_date?.S ? { admin_date: i.admin_date.S } : {}),
    action: i.action!.S! as Rejection['action'],
    findings,
    source: i.sk!.S!,
  };
}

function check(r: Rejection): void {
  if (!r.source) throw new Error('a rejection needs a source');
  if (Number.isNaN(Date.parse(r.received_at)))
    throw new Error('a rejection needs received_at as an ISO instant');
  if (!ACTIONS.has(r.action)) throw new Error('a rejection action is A, U or D');
  for (const f of r.findings)
    if (!SEVERITIES.has(f.severity)) throw new Error('a finding severity is error, warning or info');
}

/**
 * Stores rejections, 25 to a BatchWriteItem (unprocessed items sent again; shared/platform/store/batch-write.ts).
 * Idempotent: an item's key is its source, so the same source again overwrites. Within one call a source given
 * twice is kept once (the last), as BatchWriteItem refuses two requests for one key.
 */
export async function recordRejections(rs: readonly Rejection[]): Promise<void> {
  if (rs.length === 0) return;
  const bySource = new Map<string, Rejection>();
  for (const r of rs) {
    check(r);
    bySource.set(r.source, r);
  }
  await batchWrite(
    table(),
    [...bySource.values()].map((r) => ({ PutRequest: { Item: toItem(r) } })),
  );
}

/** Every rejection received on a California day, sorted by received_at then source. */
export async function rejectionsOn(day: string): Promise<Rejection[]> {
  if (!isDay(day)) throw new Error(`not a day: ${day}`);
  const parts = await Promise.all(
    dayParts(day).map((part) =>
      queryItems({
        TableName: table(),
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': { S: PREFIX + part } },
        ConsistentRead: true,
      }),
    ),
  );
  return parts
    .flat()
    .map(fromItem)
    .sort((a, b) =>
      a.received_at < b.received_at
        ? -1
        : a.received_at > b.received_at
          ? 1
          : a.source < b.source
            ? -1
            : a.source > b.source
              ? 1
              : 0,
    );
}
