import { createReadStream } from 'node:fs';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type { Finding } from '../domain/findings.ts';
import type { Site } from '../domain/site.ts';
import { type Chunk, type FilePlan, scanFile } from '../files/plan.ts';
import { readRecords } from '../files/reader.ts';
import { addCounts, countResults, fileProblemResults, resultHeader, resultRows } from '../files/results.ts';
import { type DoseResult, defaultDeps, submitDoses } from '../intake/submit.ts';
import type { ChunkCounts } from '../store/uploads.ts';
import { chunkInputs } from './process-chunk.ts';

export interface FileCheck {
  format?: string;
  counts: ChunkCounts;
  fileFindings: Finding[];
}

/**
 * A site's pre-flight check of a file, offline: the same reading, planning and rules as a dropped file, with
 * nothing read from or stored in AWS. Writes the same results file. Without the site's enrollment at hand,
 * site fields a row leaves out are not reported missing, and doses stored earlier are not known (so nothing
 * is a "duplicate" of them and the minimum interval sees only the file).
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
    await write(fileProblemResults(scan.problem));
    return {
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
  await write(resultHeader());
  const all: ChunkCounts[] = [];
  await checkChunks(path, plan, iisId, now, async (chunk, results) => {
    await write(resultRows(chunk.firstRow, results));
    all.push(countResults(results));
  });
  return { format: plan.format, counts: addCounts(all), fileFindings: plan.header.notes };
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
  onChunk: (chunk: Chunk, results: DoseResult[]) => Promise<void> | void,
): Promise<void> {
  if (plan.format === 'hl7')
    throw new Error('HL7 batch files cannot be checked offline yet: drop them to have them checked.');
  const site = { iis_id: iisId } as Site;
  const deps = { ...defaultDeps, getSite: async (id: string) => (id === iisId ? site : undefined) };
  for (const chunk of plan.chunks) {
    const body = createReadStream(path, { start: chunk.start, end: chunk.end - 1 });
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
    await onChunk(chunk, outcome.results);
  }
}
