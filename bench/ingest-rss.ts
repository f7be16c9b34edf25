/**
 * Peak memory of the ingest functions on a file, storage excluded, each in a process of its own as they run
 * in separate Lambda functions:
 *   node bench/ingest-rss.ts plan <file>   the planner's single pass (writes <file>.plan.json)
 *   node bench/ingest-rss.ts work <file>   every chunk as the worker runs it (byte range, parse, validate),
 *                                          one after another as in one warm container
 * Prints one JSON line with the peak RSS in MB.
 */
import { createReadStream, readFileSync, writeFileSync } from 'node:fs';
import { type FilePlan, scanFile } from '#files/plan.ts';
import { checkChunks } from '#files/validate-file.ts';

const [mode, path] = process.argv.slice(2) as ['plan' | 'work', string];
const baselineMb = Math.round(process.memoryUsage().rss / 1e6);
let rows = 0;
/** Largest heap still in use after a full collection between chunks (only with --expose-gc). */
let liveMb = 0;
if (mode === 'plan') {
  const scan = await scanFile(createReadStream(path), 'SITE1');
  if (!scan.ok) throw new Error(scan.problem.message);
  writeFileSync(`${path}.plan.json`, JSON.stringify(scan.plan));
  rows = scan.plan.rows;
} else {
  const plan = JSON.parse(readFileSync(`${path}.plan.json`, 'utf8')) as FilePlan;
  await checkChunks(path, plan, 'SITE1', new Date(), (_chunk, results) => {
    rows += results.length;
    if (global.gc) {
      global.gc();
      liveMb = Math.max(liveMb, Math.round(process.memoryUsage().heapUsed / 1e6));
    }
  });
}
console.log(
  JSON.stringify({
    mode,
    rows,
    baselineMb,
    liveMb,
    peakMb: Math.round(process.resourceUsage().maxRSS / 1e3),
  }),
);
