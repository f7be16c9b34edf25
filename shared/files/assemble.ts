import { PassThrough } from 'node:stream';
import { logger } from '#platform/logger.ts';
import type { FilePlan } from './plan.ts';
import { addCounts, resultHeader } from './results.ts';
import { partKey, readObject, resultsKey, summaryKey, writeObject, writeStream } from './storage.ts';
import * as uploads from './uploads-store.ts';

/**
 * Builds the one results file from the chunks' parts, in order, streaming (never the whole file in memory),
 * and the summary; then completes the upload. Running it again writes the same bytes: it is what a retry or
 * the sweeper does when an assembly was interrupted.
 */
export async function assembleResults(upload: uploads.Upload, plan: FilePlan, now: Date): Promise<void> {
  // A redelivered last chunk or a sweep may ask again after another worker finished: nothing to redo.
  if ((await uploads.getUpload(upload.upload_id))?.status !== 'processing') return;
  const results = resultsKey(upload.iis_id, upload.name);
  const summaryPath = summaryKey(upload.iis_id, upload.name);
  const out = new PassThrough();
  const writing = writeStream(results, out, 'text/csv; charset=utf-8');
  try {
    out.write(resultHeader(plan.header.kind));
    for (const c of plan.chunks) {
      for await (const piece of await readObject(partKey(upload.upload_id, c.n))) {
        if (!out.write(piece)) await new Promise((r) => out.once('drain', r));
      }
    }
    out.end();
  } catch (err) {
    out.destroy(err as Error);
    await writing.catch(() => undefined);
    throw err;
  }
  const resultsVersion = await writing;
  const total = addCounts(await uploads.chunkCounts(upload.upload_id));
  const summary = {
    upload_id: upload.upload_id,
    file: upload.name,
    iis_id: upload.iis_id,
    format: plan.format,
    kind: plan.header.kind ?? 'doses',
    status: 'completed',
    rows: total.rows,
    accepted: total.accepted,
    rejected: total.rejected,
    duplicates: total.duplicates,
    warnings: total.warnings,
    by_code: total.byCode,
    file_findings: plan.header.notes,
    timings: {
      received_at: upload.created_at,
      completed_at: now.toISOString(),
      total_ms: now.getTime() - Date.parse(upload.created_at),
      plan_ms: (upload.summary as { plan_ms?: number } | undefined)?.plan_ms,
    },
  };
  const summaryVersion = await writeObject(summaryPath, JSON.stringify(summary, null, 2), 'application/json');
  await uploads.transition(
    upload,
    ['processing'],
    'completed',
    {
      results_key: results,
      summary_key: summaryPath,
      results_version: resultsVersion,
      summary_version: summaryVersion,
      summary,
    },
    now.toISOString(),
  );
  logger.info('upload completed', {
    upload_id: upload.upload_id,
    rows: total.rows,
    accepted: total.accepted,
  });
}
