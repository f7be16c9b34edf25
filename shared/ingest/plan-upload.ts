import type { Finding } from '../domain/findings.ts';
import { CHUNK_ROWS, fileFinding, MAX_BYTES } from '../files/format.ts';
import { type FilePlan, scanFile } from '../files/plan.ts';
import { fileProblemResults } from '../files/results.ts';
import {
  copyObject,
  headObject,
  planKey,
  readObject,
  resultsKey,
  summaryKey,
  writeObject,
} from '../files/storage.ts';
import { logger } from '../observability/logger.ts';
import { getSite } from '../store/sites.ts';
import * as uploads from '../store/uploads.ts';
import { parseIncomingKey } from './keys.ts';
import { type IngestTask, sendAll } from './messages.ts';

/** Rows per chunk: CHUNK_ROWS, or INGEST_CHUNK_ROWS where a deployment or a test wants other sizes. */
function chunkRows(): number {
  const n = Number(process.env.INGEST_CHUNK_ROWS);
  return Number.isInteger(n) && n > 0 ? n : CHUNK_ROWS;
}

export type PlanOutcome = 'ignored' | 'already' | 'failed' | 'duplicate' | 'planned';

/**
 * First step for a dropped file (from its S3 notification): record the upload, read the file once to check
 * it and plan its chunks, and queue the chunks. Safe to run again for the same object: a notification
 * delivered twice, or a retry after a crash, finds the upload past `received` or re-plans it identically.
 */
export async function planUpload(key: string, now: Date): Promise<PlanOutcome> {
  const head = await headObject(key);
  if (!head) return 'ignored'; // deleted since the notification
  const dropped = parseIncomingKey(key, head.etag);
  if (!dropped) {
    logger.warn('dropped file outside incoming/<iis_id>/…; ignored', { keyDepth: key.split('/').length });
    return 'ignored';
  }
  const stamp = now.toISOString();
  const { upload } = await uploads.createUpload({
    upload_id: dropped.upload_id,
    iis_id: dropped.iis_id,
    key,
    name: dropped.name,
    status: 'received',
    created_at: stamp,
    updated_at: stamp,
    bytes: head.size,
  });
  if (upload.status !== 'received') return 'already';
  if (upload.key !== key) return 'ignored'; // an issued upload id reused for another object

  if (!(await getSite(upload.iis_id)))
    return fail(
      upload,
      fileFinding(
        'FILE009',
        `Site ${upload.iis_id} is not enrolled. Files go under incoming/<your Org Code>/.`,
      ),
      stamp,
    );
  if (head.size > MAX_BYTES)
    return fail(
      upload,
      fileFinding(
        'FILE004',
        `The file is ${Math.round(head.size / 1024 / 1024)} MB, over the ${MAX_BYTES / 1024 / 1024} MB limit. Split it.`,
      ),
      stamp,
    );

  const started = Date.now();
  const scan = await scanFile(await readObject(key), upload.iis_id, chunkRows());
  if (!scan.ok) return fail({ ...upload, sha256: scan.sha256 }, scan.problem, stamp);
  const plan = scan.plan;

  const earlier = await uploads.claimContent(upload.iis_id, plan.sha256, upload.upload_id);
  if (earlier) return answerWithEarlier(upload, plan, earlier, stamp);

  await writeObject(planKey(upload.upload_id), JSON.stringify(plan), 'application/json');
  const moved = await uploads.transition(
    upload,
    ['received'],
    'processing',
    {
      sha256: plan.sha256,
      format: plan.format,
      bytes: plan.bytes,
      rows_total: plan.rows,
      chunks_total: plan.chunks.length,
      file_findings: plan.header.notes,
      summary: { plan_ms: Date.now() - started },
    },
    new Date().toISOString(),
  );
  if (!moved) return 'already';
  const tasks: IngestTask[] =
    plan.chunks.length > 0
      ? plan.chunks.map((c) => ({ type: 'chunk', upload_id: upload.upload_id, chunk: c.n }))
      : [{ type: 'assemble', upload_id: upload.upload_id }];
  await sendAll('ingestChunks', tasks);
  logger.info('upload planned', { upload_id: upload.upload_id, rows: plan.rows, chunks: plan.chunks.length });
  return 'planned';
}

/** A whole-file problem: a results file with that one finding, nothing stored. */
async function fail(upload: uploads.Upload, problem: Finding, stamp: string): Promise<PlanOutcome> {
  const results = resultsKey(upload.iis_id, upload.name);
  const summary = summaryKey(upload.iis_id, upload.name);
  const body = {
    upload_id: upload.upload_id,
    file: upload.name,
    iis_id: upload.iis_id,
    status: 'failed',
    rows: 0,
    accepted: 0,
    rejected: 0,
    duplicates: 0,
    warnings: 0,
    by_code: { [problem.code]: 1 },
    file_findings: [problem],
  };
  await writeObject(results, fileProblemResults(problem), 'text/csv; charset=utf-8');
  await writeObject(summary, JSON.stringify(body, null, 2), 'application/json');
  await uploads.transition(
    upload,
    ['received'],
    'failed',
    { file_findings: [problem], results_key: results, summary_key: summary, summary: body },
    stamp,
  );
  logger.info('upload failed', { upload_id: upload.upload_id, code: problem.code });
  return 'failed';
}

/** The same content was dropped before by this site: its results answer this upload too. */
async function answerWithEarlier(
  upload: uploads.Upload,
  plan: FilePlan,
  earlierId: string,
  stamp: string,
): Promise<PlanOutcome> {
  const earlier = await uploads.getUpload(earlierId);
  const fields: Partial<uploads.Upload> = {
    duplicate_of: earlierId,
    sha256: plan.sha256,
    rows_total: plan.rows,
  };
  if (earlier?.status === 'completed' && earlier.results_key && earlier.summary_key) {
    const results = resultsKey(upload.iis_id, upload.name);
    const summary = summaryKey(upload.iis_id, upload.name);
    if (results !== earlier.results_key) await copyObject(earlier.results_key, results);
    if (summary !== earlier.summary_key) await copyObject(earlier.summary_key, summary);
    Object.assign(fields, { results_key: results, summary_key: summary, summary: earlier.summary });
  }
  await uploads.transition(upload, ['received'], 'completed', fields, stamp);
  logger.info('upload is a repeat of an earlier one', {
    upload_id: upload.upload_id,
    duplicate_of: earlierId,
  });
  return 'duplicate';
}
