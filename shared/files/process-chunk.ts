import type { Rejection } from '#analytics/rejections.ts';
import { keepRejections, rejectionOf } from '#doses/rejections-log.ts';
import {
  conflictingRepeat,
  defaultDeps,
  exactRepeat,
  type IntakeDeps,
  type SubmitOptions,
  submitDoses,
} from '#doses/submit.ts';
import type { Finding } from '#platform/findings.ts';
import { assembleResults } from './assemble.ts';
import {
  type FailureStage,
  failureMessage,
  reportFailure,
  resolveFailures,
  stagedDeps,
  stageOf,
  tagStage,
} from './failures.ts';
import { rowToInput } from './format.ts';
import { hl7ChunkResults } from './hl7-chunk.ts';
import { readHl7Messages } from './hl7-reader.ts';
import { ChunkRowsMismatchError, type FilePlan, parsePlan } from './plan.ts';
import { readRecords } from './reader.ts';
import { countResults, type RowResult, resultRows } from './results.ts';
import { partKey, planKey, readObject, readText, writeObject } from './storage.ts';
import * as uploads from './uploads-store.ts';
import { defaultWastageDeps, type WastageDeps, wastageChunkResults } from './wastage-chunk.ts';

/** What a chunk needs that touches AWS: the intake's, and for wastage files the recording of a report. */
export type ChunkDeps = IntakeDeps & Partial<Pick<WastageDeps, 'recordWastage'>>;

// Plans are immutable once written: keep the last few per container for the chunks that follow.
const plans = new Map<string, FilePlan>();

export async function loadPlan(uploadId: string): Promise<FilePlan> {
  const hit = plans.get(uploadId);
  if (hit) return hit;
  const plan = parsePlan(await readText(planKey(uploadId)));
  if (plans.size >= 8) plans.delete(plans.keys().next().value!);
  plans.set(uploadId, plan);
  return plan;
}

/** The rows of a chunk as inputs for the intake, with what the file itself says about each. */
export async function chunkInputs(
  rows: AsyncIterable<{ cells: string[] }>,
  plan: FilePlan,
  firstRow: number,
  uploadId: string,
): Promise<{ inputs: Record<string, unknown>[]; options: SubmitOptions }> {
  const inputs: Record<string, unknown>[] = [];
  const extraFindings: Finding[][] = [];
  const sources: string[] = [];
  let row = firstRow;
  for await (const rec of rows) {
    const { input, findings } = rowToInput(rec.cells, plan.header);
    const id = String(input.vax_event_id ?? '').trim();
    const same = plan.duplicates[row];
    const differs = plan.conflicts?.[row];
    if (same !== undefined) findings.push(exactRepeat(id, `row ${same} of this file`));
    else if (differs !== undefined) findings.push(conflictingRepeat(id, `row ${differs} of this file`));
    inputs.push(input);
    extraFindings.push(findings);
    sources.push(`upload:${uploadId}:${row}`);
    row++;
  }
  return { inputs, options: { extraFindings, sources, forbidden: 'row', repeatsFlagged: true } };
}

/** Which stage a failure of each collaborator of a chunk belongs to: storing rows, or queuing them on. */
const PUBLISHING = new Set(['writeIntents', 'deleteIntents', 'shrinkIntent', 'publish']);
const depStage = (name: string): FailureStage => (PUBLISHING.has(name) ? 'publish' : 'store');

/**
 * One chunk of an upload: read its byte range, run every row through the same intake as the API (doses:
 * validate, store once, publish; wastage reports: check and record once), write the chunk's part of the
 * results and count it done. The last chunk to finish assembles the results. A retried chunk stores nothing
 * twice (rows carry their source) and writes the same part; a chunk already counted is skipped.
 *
 * A failure is logged and recorded on the upload (FILE_CHUNK_FAILED with its stage, FILE_RESULTS_FAILED for
 * the assembly; shared/files/failures.ts) and thrown again, so the queue retries the chunk.
 */
export async function processChunk(
  uploadId: string,
  n: number,
  now: Date,
  deps: ChunkDeps = defaultDeps,
): Promise<void> {
  let stage: FailureStage = 'load';
  let plan: FilePlan | undefined;
  try {
    const upload = await uploads.getUpload(uploadId);
    if (upload?.status !== 'processing') return;
    plan = await loadPlan(uploadId);
    const chunk = plan.chunks[n];
    if (!chunk)
      throw new NoSuchChunkError(`the plan has ${plan.chunks.length} parts, none numbered ${n + 1}`);
    const already = await uploads.chunksDone(uploadId);
    let done = already.size;
    if (!already.has(n)) {
      stage = 'read';
      const body = await readObject(upload.key, { start: chunk.start, end: chunk.end }, plan.version_id);
      // An error of the object's stream surfaces through the parser: it is still a failure to read.
      body.on('error', (err) => tagStage(err, 'read'));
      const staged = stagedDeps(deps, depStage);
      // Rows are checked against who uploaded (a sending facility for its client), defaulting to the file's site.
      const caller = { role: 'site' as const, iis_id: upload.created_by ?? upload.iis_id };
      let results: RowResult[];
      let rejections: Rejection[] = [];
      if (plan.format === 'hl7') {
        stage = 'store';
        ({ results, rejections } = await hl7ChunkResults(
          readHl7Messages(body, chunk.start),
          chunk.firstRow,
          uploadId,
          caller,
          now,
          staged,
        ));
      } else if (plan.header.kind === 'wastage') {
        stage = 'store';
        results = await wastageChunkResults(
          readRecords(body, plan.format, chunk.start),
          plan,
          chunk.firstRow,
          uploadId,
          caller,
          upload.iis_id,
          now,
          {
            deps: {
              getSite: staged.getSite,
              recordWastage: staged.recordWastage ?? stagedDeps(defaultWastageDeps, depStage).recordWastage,
            },
          },
        );
      } else {
        const { inputs, options } = await chunkInputs(
          readRecords(body, plan.format, chunk.start),
          plan,
          chunk.firstRow,
          uploadId,
        );
        stage = 'store';
        const outcome = await submitDoses(inputs, caller, now, staged, {
          ...options,
          defaultIisId: upload.iis_id,
        });
        if (!outcome.ok) throw new Error('file rows are never refused as a whole');
        results = outcome.results;
        rejections = outcome.results.flatMap((r, i) => {
          const dose = outcome.doses[i]!;
          if (r.status !== 'rejected') return [];
          return [
            rejectionOf({
              iis_id: dose.iis_id ?? upload.iis_id,
              sender: caller.iis_id,
              received: now,
              admin_date: dose.admin_date,
              action: 'A',
              findings: r.issues,
              source: options.sources![i]!,
            }),
          ];
        });
      }
      if (results.length !== chunk.rows) throw new ChunkRowsMismatchError(chunk, results.length);
      // One batched write for the chunk's rejected rows. Received when the upload was, not when this attempt
      // runs: a chunk retried after midnight writes the same sources under the same day again.
      await keepRejections(
        rejections.map((r) => ({ ...r, received_at: receivedAt(upload.created_at, now) })),
        'upload',
      );
      stage = 'write';
      await writeObject(partKey(uploadId, n), resultRows(chunk.firstRow, results), 'text/csv; charset=utf-8');
      stage = 'count';
      await uploads.putChunkCounts(uploadId, n, countResults(results));
      done = await uploads.markChunkDone(uploadId, n, chunk.rows, new Date().toISOString());
      await resolveFailures(uploadId, 'FILE_CHUNK_FAILED', n, new Date());
    }
    stage = 'results';
    if (done >= plan.chunks.length) {
      await assembleResults(upload, plan, new Date());
      await resolveFailures(uploadId, 'FILE_RESULTS_FAILED', null, new Date());
    }
  } catch (err) {
    const at = stageOf(err, stage);
    const code = at === 'results' ? 'FILE_RESULTS_FAILED' : 'FILE_CHUNK_FAILED';
    const part = plan?.chunks[n];
    await reportFailure(
      uploadId,
      {
        code,
        stage: at,
        chunk: code === 'FILE_CHUNK_FAILED' ? n : null,
        error: err,
        message: failureMessage(code, at, err, {
          ...(part ? { part } : { chunk: n }),
          parts: plan?.chunks.length,
        }),
      },
      now,
    );
    throw err;
  }
}

const receivedAt = (createdAt: string, now: Date) =>
  Number.isNaN(Date.parse(createdAt)) ? now.toISOString() : new Date(createdAt).toISOString();

/** A chunk task names a part the upload's plan does not have. */
class NoSuchChunkError extends Error {
  override name = 'NoSuchChunkError';
}

/** Assembles an upload whose chunks are all done (the sweeper's and the empty file's path). */
export async function assembleIfDone(uploadId: string, now: Date): Promise<void> {
  try {
    const upload = await uploads.getUpload(uploadId);
    if (upload?.status !== 'processing') return;
    const plan = await loadPlan(uploadId);
    if ((await uploads.chunksDone(uploadId)).size >= plan.chunks.length) {
      await assembleResults(upload, plan, now);
      await resolveFailures(uploadId, 'FILE_RESULTS_FAILED', null, now);
    }
  } catch (err) {
    await reportFailure(
      uploadId,
      {
        code: 'FILE_RESULTS_FAILED',
        stage: 'results',
        error: err,
        message: failureMessage('FILE_RESULTS_FAILED', 'results', err),
      },
      now,
    );
    throw err;
  }
}
