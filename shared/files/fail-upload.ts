import type { Finding } from '#platform/findings.ts';
import { logger } from '#platform/logger.ts';
import type { FileKind } from './format.ts';
import { fileProblemResults } from './results.ts';
import { resultsKey, summaryKey, writeObject } from './storage.ts';
import * as uploads from './uploads-store.ts';

/**
 * An upload that cannot be processed as a whole: a results file and a summary with that one finding, and
 * the upload marked failed; `kind` (doses or wastage) when the header said, so the results name its ID column.
 * Rows stored before the failure (a file that stopped midway) stay stored; the message says so where it applies.
 */
export async function failUpload(
  upload: uploads.Upload,
  from: uploads.UploadStatus[],
  problem: Finding,
  now: string,
  kind?: FileKind,
): Promise<boolean> {
  const results = resultsKey(upload.iis_id, upload.name);
  const summaryPath = summaryKey(upload.iis_id, upload.name);
  const summary = {
    upload_id: upload.upload_id,
    file: upload.name,
    iis_id: upload.iis_id,
    ...(kind ? { kind } : {}),
    status: 'failed',
    rows: upload.rows_total ?? 0,
    accepted: 0,
    rejected: 0,
    duplicates: 0,
    warnings: 0,
    by_code: { [problem.code]: 1 },
    file_findings: [problem],
  };
  const resultsVersion = await writeObject(
    results,
    fileProblemResults(problem, kind),
    'text/csv; charset=utf-8',
  );
  const summaryVersion = await writeObject(summaryPath, JSON.stringify(summary, null, 2), 'application/json');
  const moved = await uploads.transition(
    upload,
    from,
    'failed',
    {
      file_findings: [problem],
      results_key: results,
      summary_key: summaryPath,
      results_version: resultsVersion,
      summary_version: summaryVersion,
      summary,
    },
    now,
  );
  logger.info('upload failed', { upload_id: upload.upload_id, code: problem.code });
  return moved;
}
