/** Figures 4–6, dropped files: the file path vs bare parsing, ingest memory, and a file end to end locally. */
import { spawnSync } from 'node:child_process';
import { createReadStream, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { scanFile } from '#files/plan.ts';
import { readRecords } from '#files/reader.ts';
import { checkChunks } from '#files/validate-file.ts';
import { doseFile, mixedKinds } from '../../test/fixtures/files.ts';
import { fmt, out, quick, root, table } from '../report.ts';

export async function fileBench() {
  const sizes = [20_000, 200_000];
  for (const n of sizes) writeFileSync(join(out, `file-${n}.tsv`), doseFile(mixedKinds(n), 'cvrs', 'M'));
  const path = join(out, `file-${quick ? 20_000 : 200_000}.tsv`);
  const { rows: n, plan } = await (async () => {
    const scan = await scanFile(createReadStream(path), 'SITE1');
    if (!scan.ok) throw new Error(scan.problem.message);
    return { rows: scan.plan.rows, plan: scan.plan };
  })();
  const bareStart = performance.now();
  let bare = 0;
  for await (const _ of readRecords(createReadStream(path), 'cvrs')) bare++;
  const bareMs = performance.now() - bareStart;
  const fullStart = performance.now();
  let checked = 0;
  await checkChunks(path, plan, 'SITE1', new Date(), (_chunk, results) => {
    checked += results.length;
  });
  const fullMs = performance.now() - fullStart;
  table(`File path, ${fmt(n)}-row CVRS file (${fmt(statSync(path).size / 1e6, 1)} MB), storage excluded`, [
    ['step', 'ms', 'rows/s', 'ratio to bare parsing'],
    ['parse only (csv-parse, baseline)', fmt(bareMs), fmt((bare / bareMs) * 1000), '1.00'],
    [
      'parse + normalize + validate, per chunk',
      fmt(fullMs),
      fmt((checked / fullMs) * 1000),
      fmt(fullMs / bareMs, 2),
    ],
  ]);

  const rss = (mode: string, file: string) =>
    JSON.parse(
      spawnSync(process.execPath, ['--expose-gc', join(root, 'bench', 'ingest-rss.ts'), mode, file], {
        encoding: 'utf8',
      }).stdout,
    ) as { peakMb: number; liveMb: number; baselineMb: number };
  const rssRows: (string | number)[][] = [
    ['function', ...sizes.map((s) => `${fmt(s)} rows: peak RSS MB (live heap MB)`)],
  ];
  for (const mode of ['plan', 'work']) {
    const cells = sizes.map((s) => {
      const r = rss(mode, join(out, `file-${s}.tsv`));
      return `${r.peakMb}${mode === 'work' ? ` (${r.liveMb})` : ''}`;
    });
    rssRows.push([
      mode === 'plan' ? 'planner (one pass)' : 'worker (all chunks, one warm process)',
      ...cells,
    ]);
  }
  table('Ingest memory, each function in its own process (bounded memory: columns nearly equal)', rssRows);

  const e2eRows = quick ? 20_000 : 200_000;
  const e2e = JSON.parse(
    spawnSync(process.execPath, [join(root, 'bench', 'e2e-file.ts'), String(e2eRows)], {
      encoding: 'utf8',
      maxBuffer: 1e7,
    })
      .stdout.trim()
      .split('\n')
      .at(-1)!,
  ) as {
    seconds: number;
    summary: Record<string, number>;
    expected: Record<string, number>;
    resultLines: number;
    stored: number;
    registryMessages: number;
    cdcMessages: number;
  };
  const ok = ['rows', 'accepted', 'rejected', 'duplicates'].every((k) => e2e.summary[k] === e2e.expected[k]);
  const once =
    e2e.resultLines === e2eRows &&
    e2e.stored === e2e.expected.accepted &&
    e2e.registryMessages === e2e.stored &&
    e2e.cdcMessages === e2e.stored;
  table(`End to end locally: drop a ${fmt(e2eRows)}-row file through the API and S3, wait for its results`, [
    [
      'rows',
      'seconds',
      'rows/s',
      'accepted',
      'rejected',
      'duplicates',
      'summary = known mix',
      'results lines / stored / messages per queue',
    ],
    [
      fmt(e2eRows),
      fmt(e2e.seconds, 1),
      fmt(e2eRows / e2e.seconds),
      e2e.summary.accepted!,
      e2e.summary.rejected!,
      e2e.summary.duplicates!,
      ok ? 'yes' : 'NO',
      `${once ? 'exact' : 'MISMATCH'}: ${fmt(e2e.resultLines)} / ${fmt(e2e.stored)} / ${fmt(e2e.registryMessages)}, ${fmt(e2e.cdcMessages)}`,
    ],
  ]);
}
