import { type AttributeValue, QueryCommand } from '@aws-sdk/client-dynamodb';
import { sweepClock } from '#files/sweep-clock.ts';
import { type Upload, type UploadStatus, uploadsByStatus } from '#files/uploads-store.ts';
import { dynamodb } from '#platform/aws/dynamodb.ts';
import { requiredEnv } from '#platform/aws/env.ts';
import { TABLE_ENV } from '#platform/env-names.ts';

const LISTED = 20;
const STATUSES: readonly UploadStatus[] = ['received', 'processing', 'completed', 'failed'];
/** Counting reads the index's keys page by page; completed uploads pile up, so past this the figure is "at least". */
export const UPLOAD_COUNT_CAP = 10_000;

export interface UploadBrief {
  upload_id: string;
  iis_id: string;
  name: string;
  status: UploadStatus;
  updated_at: string;
}

/** What a person needs to find the upload, and nothing of its rows. */
export const brief = (u: Upload): UploadBrief => ({
  upload_id: u.upload_id,
  iis_id: u.iis_id,
  name: u.name,
  status: u.status,
  updated_at: u.updated_at,
});

/** Stuck ones oldest first, whichever status they are stuck in: the longest-waiting needs a person first. */
export function oldestFirst(...lists: readonly Upload[][]): UploadBrief[] {
  return lists
    .flat()
    .sort((a, b) => a.updated_at.localeCompare(b.updated_at))
    .slice(0, LISTED)
    .map(brief);
}

async function countOf(status: UploadStatus): Promise<{ n: number; capped: boolean }> {
  let n = 0;
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await dynamodb.send(
      new QueryCommand({
        TableName: requiredEnv(TABLE_ENV.uploads),
        IndexName: 'by-status',
        KeyConditionExpression: 'status_pk = :s',
        ExpressionAttributeValues: { ':s': { S: `STATUS#${status}` } },
        Select: 'COUNT',
        ExclusiveStartKey: start,
      }),
    );
    n += page.Count ?? 0;
    start = page.LastEvaluatedKey;
  } while (start && n < UPLOAD_COUNT_CAP);
  return { n, capped: start !== undefined };
}

/** Uploads per status, those stuck past the sweeper's own cut-off, and the latest failed: ids and names only. */
export async function uploadsHealth(now: Date) {
  const clock = sweepClock({}, now);
  const [counts, received, processing, failed] = await Promise.all([
    Promise.all(STATUSES.map(async (s) => [s, await countOf(s)] as const)),
    uploadsByStatus('received', clock.stuckBefore, LISTED),
    uploadsByStatus('processing', clock.stuckBefore, LISTED),
    uploadsByStatus('failed', undefined, LISTED, true),
  ]);
  return {
    by_status: Object.fromEntries(counts.map(([s, c]) => [s, c.n])) as Record<UploadStatus, number>,
    by_status_capped: counts.some(([, c]) => c.capped),
    stuck_after_minutes: (now.getTime() - Date.parse(clock.stuckBefore)) / 60_000,
    stuck: oldestFirst(received, processing),
    failed: failed.map(brief),
  };
}
