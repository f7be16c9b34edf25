import { logger } from '#platform/logger.ts';
import { getSite } from '#sites/store.ts';
import { failUpload } from './fail-upload.ts';
import {
  type FailureStage,
  failureMessage,
  reportFailure,
  resolveFailures,
  stageOf,
  tagStage,
} from './failures.ts';
import { CHUNK_ROWS, fileFinding, MAX_BYTES } from './format.ts';
import { parseIncomingKey } from './keys.ts';
import { type IngestTask, sendAll } from './messages.ts';
import { type FilePlan, scanFile } from './plan.ts';
import { requeueMissing } from './requeue.ts';
import {
  copyObject,
  headObject,
  planKey,
  readObject,
  resultsKey,
  summaryKey,
  writeObject,
} from './storage.ts';
import * as uploads from './uploads-store.ts';

/** Rows per chunk: CHUNK_ROWS, or INGEST_CHUNK_ROWS where a deployment or a test wants other sizes. */
function chunkRows(): number {
  const n = Number(process.env.INGEST_CHUNK_ROWS);
  return Number.isInteger(n) && n > 0 ? n : CHUNK_ROWS;
}

export type PlanOutcome = 'ignored' | 'already' | 'failed' | 'duplicate' | 'planned';

/** The object a notification is about: S3 names its version (versioned bucket) and ETag. */
export interface ObjectRef {
  versionId?: string;
  etag?: string;
}

/**
 * First step for a dropped file (from its S3 notification): record the upload, read the file once to check
 * it and plan its chunks, and queue the chunks. Safe to run again for the same object: a notification
 * delivered twice, or a retry after a crash, finds the upload past `received` (and re-queues the chunks not
 * yet done, in case the first run died before queuing them) or re-plans it identically.
 */
export async function planUpload(key: string, now: Date, ref: ObjectRef = {}): Promise<PlanOutcome> {
  const at: Progress = { stage: 'head' };
  try {
    const outcome = await planSteps(key, now, ref, at);
    if (at.uploadId && outcome !== 'ignored')
      await resolveFailures(at.uploadId, 'FILE_PLAN_FAILED', null, new Date());
    return outcome;
  } catch (err) {
    // Logged and recorded on the upload (once its id is known), then thrown again for the queue to retry.
    const stage = stageOf(err, at.stage);
    const waiting = err instanceof WaitingForEarlierError;
    await reportFailure(
      at.uploadId,
      {
        code: 'FILE_PLAN_FAILED',
        stage,
        error: err,
        message: waiting ? err.message : failureMessage('FILE_PLAN_FAILED', stage, err),
        warning: waiting,
      },
      now,
    );
    throw err;
  }
}

/** Where planning got to: the stage a failure belongs to, and the upload once known. */
interface Progress {
  stage: FailureStage;
  uploadId?: string;
}

/**
 * An earlier upload of the same content is still being processed: this one waits for its outcome (the
 * notification comes back after the queue's visibility timeout). Its message names only upload ids.
 */
class WaitingForEarlierError extends Error {
  override name = 'WaitingForEarlierError';
}

async function planSteps(key: string, now: Date, ref: ObjectRef, at: Progress): Promise<PlanOutcome> {
  const head = await headObject(key, ref.versionId);
  if (!head) return 'ignored'; // deleted since the notification
  const dropped = parseIncomingKey(key, head.versionId ?? head.etag);
  if (!dropped) {
    logger.warn('dropped file outside incoming/<iis_id>/…; ignored', { keyDepth: key.split('/').length });
    return 'ignored';
  }
  const stamp = now.toISOString();
  at.stage = 'record';
  at.uploadId = dropped.upload_id;
  let { upload } = await uploads.createUpload({
    upload_id: dropped.upload_id,
    iis_id: dropped.iis_id,
    key,
    name: dropped.name,
    status: 'received',
    created_at: stamp,
    updated_at: stamp,
    bytes: head.size,
    version_id: head.versionId,
    etag: head.etag,
  });
  if (upload.key !== key) return 'ignored'; // an issued upload id reused for another object
  if (upload.status === 'processing') {
    at.stage = 'queue';
    await requeueMissing(upload);
    return 'already';
  }
  // A URL's file that arrived after the sweeper had given up on it: take it after all.
  const late = upload.status === 'failed' && upload.file_findings?.[0]?.code === 'FILE011';
  if (late && (await uploads.transition(upload, ['failed'], 'received', { file_findings: [] }, stamp)))
    upload = { ...upload, status: 'received', file_findings: [] };
  if (upload.status !== 'received') return 'already';
  // An issued upload learns its object's version when the file arrives.
  upload = {
    ...upload,
    version_id: upload.version_id ?? head.versionId,
    etag: upload.etag ?? head.etag,
    bytes: head.size,
  };

  if (!(await getSite(upload.iis_id))) {
    await failUpload(
      upload,
      ['received'],
      fileFinding(
        'FILE009',
        `Site ${upload.iis_id} is not enrolled. Files go under incoming/<your Org Code>/.`,
      ),
      stamp,
    );
    return 'failed';
  }
  if (head.size > MAX_BYTES) {
    await failUpload(
      upload,
      ['received'],
      fileFinding(
        'FILE004',
        `The file is ${Math.round(head.size / 1024 / 1024)} MB, over the ${MAX_BYTES / 1024 / 1024} MB limit. Split it.`,
      ),
      stamp,
    );
    return 'failed';
  }

  const started = Date.now();
  at.stage = 'read';
  const body = await readObject(key, undefined, upload.version_id);
  body.on('error', (err) => tagStage(err, 'read'));
  const scan = await scanFile(body, upload.iis_id, chunkRows());
  at.stage = 'record';
  if (!scan.ok) {
    await failUpload({ ...upload, sha256: scan.sha256 }, ['received'], scan.problem, stamp, scan.kind);
    return 'failed';
  }
  const plan: FilePlan = { ...scan.plan, version_id: upload.version_id };

  at.stage = 'claim';
  const earlier = await uploads.claimContent(upload.iis_id, plan.sha256, upload.upload_id);
  if (earlier) {
    const answered = await answerWithEarlier(upload, plan, earlier, stamp);
    if (answered) return 'duplicate';
  }

  at.stage = 'plan';
  await writeObject(planKey(upload.upload_id), JSON.stringify(plan), 'application/json');
  at.stage = 'record';
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
  at.stage = 'queue';
  const tasks: IngestTask[] =
    plan.chunks.length > 0
      ? plan.chunks.map((c) => ({ type: 'chunk', upload_id: upload.upload_id, chunk: c.n }))
      : [{ type: 'assemble', upload_id: upload.upload_id }];
  await sendAll('ingestChunks', tasks);
  logger.info('upload planned', { upload_id: upload.upload_id, rows: plan.rows, chunks: plan.chunks.length });
  return 'planned';
}

/**
 * The same content was dropped before by this site. A completed earlier upload answers this one with its
 * results; a failed one hands its claim over and this upload is processed; one still in progress makes this
 * one wait (the notification comes back after the queue's visibility timeout).
 */
async function answerWithEarlier(
  upload: uploads.Upload,
  plan: FilePlan,
  earlierId: string,
  stamp: string,
): Promise<boolean> {
  const earlier = await uploads.getUpload(earlierId);
  if (!earlier || earlier.status === 'failed') {
    if (await uploads.takeOverContent(upload.iis_id, plan.sha256, earlierId, upload.upload_id)) return false;
    throw new Error('content claim changed hands; retrying');
  }
  if (earlier.status !== 'completed' || !earlier.results_key || !earlier.summary_key)
    throw new WaitingForEarlierError(
      `Waiting for upload ${earlierId} of the same content, still ${earlier.status}, to finish: this file is answered with its results then (the planner tries again after the queue's visibility timeout).`,
    );
  const results = resultsKey(upload.iis_id, upload.name);
  const summary = summaryKey(upload.iis_id, upload.name);
  const resultsVersion = await copyObject(earlier.results_key, results, earlier.results_version);
  const summaryVersion = await copyObject(earlier.summary_key, summary, earlier.summary_version);
  await uploads.transition(
    upload,
    ['received'],
    'completed',
    {
      duplicate_of: earlierId,
      sha256: plan.sha256,
      rows_total: plan.rows,
      results_key: results,
      summary_key: summary,
      results_version: resultsVersion,
      summary_version: summaryVersion,
      summary: earlier.summary,
    },
    stamp,
  );
  logger.info('upload is a repeat of an earlier one', {
    upload_id: upload.upload_id,
    duplicate_of: earlierId,
  });
  return true;
}
