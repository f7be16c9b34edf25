import { once } from 'node:events';
import { createReadStream } from 'node:fs';
import type { Writable } from 'node:stream';
import { defaultDeps, submitDoses } from '#doses/submit.ts';
import type { Finding } from '#platform/findings.ts';
import type { Site } from '#sites/site.ts';
import { type Chunk, ChunkRowsMismatchError, type FilePlan, scanFile } from './plan.ts';
import { chunkInputs } from './process-chunk.ts';
import { readRecords } from './reader.ts';
import {
  addCounts,
  countResults,
  fileProblemResults,
  type RowResult,
  resultHeader,
  resultRows,
} from './results.ts';
import type { ChunkCounts } from './uploads-store.ts';
import { defaultWastageDeps, wastageChunkResults } from './wastage-chunk.ts';

export interface FileCheck {
  format?: string;
  /** doses or wastage, when the header was read far enough to say. */
  kind?: string;
  counts: ChunkCounts;
  fileFindings: Finding[];
}

/**
 * A site's pre-flight check of a file, offline: the same reading, planning and rules as a dropped file, with
 * nothing read from or stored in AWS. Writes the same results file. Without the site's enrollment at hand,
 * site fields a row leaves out are not reported missing, and doses stored earlier are not known (so nothing
 * is a "duplicate" of them and the minimum interval sees only the file). A wastage file's rows are parsed and
 * checked (shared/stock/input.ts) against today's date, without what only the store knows: lots without an
 * expiration (STK005), more doses than on hand (STK006), record_ids used before.
 */
export async function validateFile(
  path: string,
  iisId: string,
  out: Writable,
  now = new Date(),
): Promise<FileCheck> {
  const write = async (text: string) => {
    if (!out.write(text)) await once(out, 'drain');
  };
  const scan = await scanFile(createReadStream(path), iisId);
  if (!scan.ok) {
    await write(fileProblemResults(scan.problem, scan.kind));
    return {
      ...(scan.kind ? { kind: scan.kind } : {}),
      counts: {
        rows: 0,
        accepted: 0,
        rejected: 0,
        duplicates: 0,
        warnings: 0,
        byCode: { [scan.problem.code]: 1 },
      },
      fileFindings: [scan.problem],
    };
  }
  const { plan } = scan;
  await write(resultHeader(plan.header.kind));
  const all: ChunkCounts[] = [];
  await checkChunks(path, plan, iisId, now, async (chunk, results) => {
    await write(resultRows(chunk.firstRow, results));
    all.push(countResults(results));
  });
  const counts = addCounts(all);
  if (counts.rows !== plan.rows)
    throw new Error(`the chunks read ${counts.rows} rows where the plan counted ${plan.rows}`);
  return {
    format: plan.format,
    kind: plan.header.kind ?? 'doses',
    counts,
    fileFindings: plan.header.notes,
  };
}

/**
 * Runs every chunk of a planned local file through the rules as the worker would (reading its byte range),
 * storing nothing; `onChunk` gets each chunk's results in order. Offline validation and the benchmark use it.
 */
export async function checkChunks(
  path: string,
  plan: FilePlan,
  iisId: string,
  now: Date,
  onChunk: (chunk: Chunk, results: RowResult[]) => Promise<void> | void,
): Promise<void> {
  if (plan.format === 'hl7')
    throw new Error('HL7 batch files cannot be checked offline yet: drop them to have them checked.');
  const site = { iis_id: iisId } as Site;
  const deps = { ...defaultDeps, getSite: async (id: string) => (id === iisId ? site : undefined) };
  for (const chunk of plan.chunks) {
    const body = createReadStream(path, { start: chunk.start, end: chunk.end - 1 });
    if (plan.header.kind === 'wastage') {
      const results = await wastageChunkResults(
        readRecords(body, plan.format, chunk.start),
        plan,
        chunk.firstRow,
        'offline',
        { role: 'site', iis_id: iisId },
        iisId,
        now,
        { dryRun: true, deps: { ...defaultWastageDeps, getSite: deps.getSite } },
      );
      if (results.length !== chunk.rows) throw new ChunkRowsMismatchError(chunk, results.length);
      await onChunk(chunk, results);
      continue;
    }
    const { inputs, options } = await chunkInputs(
      readRecords(body, plan.format, chunk.start),
      plan,
      chunk.firstRow,
      'offline',
    );
    const outcome = await submitDoses(inputs, { role: 'site', iis_id: iisId }, now, deps, {
      ...options,
      dryRun: true,
      siteUnknown: true,
      sources: undefined,
    });
    if (!outcome.ok) throw new Error('file rows are never refused as a whole');
    // As the worker does: a chunk whose rows disagree with the plan is never answered with shifted results.
    if (outcome.results.length !== chunk.rows)
      throw new ChunkRowsMismatchError(chunk, outcome.results.length);
    await onChunk(chunk, outcome.results);
  }
}
