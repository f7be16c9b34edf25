/**
 * npm run bench: figures as ratios against baselines measured in the same run, so they survive noisy machines.
 *   1. validation + normalization throughput vs plain JSON.parse of the same payloads;
 *   2. each handler's bundled size and cold import time vs an empty module;
 *   3. sustained local POST /v1/doses throughput and p99 at fixed concurrency vs GET /v1/openapi.json;
 *   4. the file path (parse + normalize + validate, storage excluded) vs bare parsing of the same file;
 *   5. peak memory of the ingest planner and worker on a 20,000- and a 200,000-row file;
 *   6. end to end locally: a 200,000-row file dropped through the API and S3 (20,000 with --quick);
 *   7. the nightly roll-up of a day of 100,000 doses and 5,000 wastage records across 500 sites vs reading them;
 *   8. CDC's validator (validate --cdc) on a 200,000-row CVRS file vs bare parsing (lines and TABs) of it;
 *   9. person matching through the stores (linkDose, 1 and 2 matchers) on ~2,000 synthetic doses vs reading each
 *      dose's head, and the in-memory matcher's time and precision/recall on the same doses;
 *  10. the nightly analytics of a day of 100,000 dose versions across 2,000 sites on no history and on a
 *      5,000,000-dose history (10,000 and 500,000 with --quick) vs reading the day: time and peak memory;
 *  11. AWS cost per million doses by path (JSON API, dropped files, VXU over SOAP, the daily jobs) from usage the
 *      local runtime meters × list prices (bench/cost/), and the AWS calls per dose by function;
 *  12. registry throughput: 10,000 doses (1,000 with --quick) through the reporter to a registry stand-in
 *      answering in 200 ms, doses/s by the registry's cap.
 * Targets (not tests): validation ≥ 200,000 doses/s on one core, bundles ≤ 300 KB, cold import ≤ 60 ms, CDC's
 * validator ≥ 100,000 rows/s and ≤ 2x bare parsing. `-- --only <figure>` runs one (validation, bundles, http,
 * files, rollup, cdc, persons, analytics, cost, registry). Each figure is in bench/figures/; the ones that need their own process start
 * bench/server.ts, e2e-file.ts, ingest-rss.ts, rollup.ts, persons.ts or analytics.ts.
 */
import { analyticsBench } from './figures/analytics.ts';
import { bundleBench } from './figures/bundles.ts';
import { cdcBench } from './figures/cdc.ts';
import { costBench } from './figures/cost.ts';
import { fileBench } from './figures/files.ts';
import { httpBench } from './figures/http.ts';
import { personsBench } from './figures/persons.ts';
import { registryBench } from './figures/registry.ts';
import { rollupBench } from './figures/rollup.ts';
import { validationBench } from './figures/validation.ts';
import { fmt } from './report.ts';

// `-- --only cdc` runs one figure (validation, bundles, http, files, rollup, cdc, persons, analytics); the rest are left out.
const only = process.argv[process.argv.indexOf('--only') + 1];
const runs = (name: string) => !process.argv.includes('--only') || only === name;
const rate = runs('validation') ? validationBench() : undefined;
if (runs('bundles')) await bundleBench();
if (runs('http')) await httpBench();
if (runs('files')) await fileBench();
if (runs('rollup')) rollupBench();
const cdc = runs('cdc') ? await cdcBench() : undefined;
if (runs('persons')) personsBench();
if (runs('analytics')) analyticsBench();
const costs = runs('cost') ? costBench() : undefined;
if (runs('registry')) registryBench();
if (rate !== undefined)
  console.log(`\nvalidation target 200,000 doses/s: ${rate >= 200_000 ? 'met' : 'not met'} (${fmt(rate)})`);
for (const [what, f] of cdc
  ? ([
      ['in memory', cdc.memory],
      ['validate --cdc', cdc.command],
    ] as const)
  : [])
  console.log(
    `CDC validator (${what}) target ≥ 100,000 rows/s and ≤ 2x bare parsing: ${f.rate >= 100_000 && f.ratio <= 2 ? 'met' : 'not met'} (${fmt(f.rate)} rows/s, ${fmt(f.ratio, 2)}x)`,
  );
for (const c of costs ?? [])
  console.log(
    `cost target ≤ $2 per million doses, ${c.path}: ${c.usd <= 2 ? 'met' : 'not met'} ($${c.usd.toFixed(2)})`,
  );
