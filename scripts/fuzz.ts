/**
 * npm run fuzz -- [--runs N] [--only NAME[,NAME]] [--seed S] [--skip-known] [--no-shrink]
 *
 * The long fuzz run (issue 12): every parser's fast-check property (test/fuzz/) over N generated inputs each
 * (default 1,000). Prints per target the inputs tried, seconds, inputs per second, failures and the seed; exits 1
 * with the counterexample on any failure. The JSON, If-Match and SOAP targets run the real API handlers on the
 * local runtime's in-memory stand-ins, started once. --skip-known leaves out the invariants test/fuzz/known.ts
 * lists as open defects (as the bounded `npm test` run does); without it every invariant is checked.
 */
import { parseArgs } from 'node:util';
import type { FuzzResult } from '../test/fuzz/harness.ts';
import type { Pipeline } from '../test/fuzz/pipeline.ts';

// Quiet handler logs, as in tests: set before any module that builds the logger is loaded.
process.env.POWERTOOLS_LOG_LEVEL ??= 'CRITICAL';
const { formatResult, runTarget } = await import('../test/fuzz/harness.ts');
const { KNOWN_OPEN_IDS } = await import('../test/fuzz/known.ts');
const { TARGETS } = await import('../test/fuzz/targets.ts');

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '1000' },
    only: { type: 'string' },
    seed: { type: 'string' },
    'skip-known': { type: 'boolean', default: false },
    'no-shrink': { type: 'boolean', default: false },
  },
});
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 1) {
  process.stderr.write(`--runs must be a positive integer, not '${values.runs}'\n`);
  process.exit(2);
}
const only = values.only?.split(',').map((s) => s.trim());
const unknown = only?.filter((n) => !TARGETS.some((t) => t.name === n)) ?? [];
if (unknown.length > 0) {
  process.stderr.write(
    `no fuzz target ${unknown.join(', ')}; targets: ${TARGETS.map((t) => t.name).join(', ')}\n`,
  );
  process.exit(2);
}
const seed = values.seed === undefined ? Date.now() ^ (Math.random() * 0x7fffffff) : Number(values.seed);
const targets = TARGETS.filter((t) => !only || only.includes(t.name));
const skip = values['skip-known'] ? KNOWN_OPEN_IDS : new Set<string>();

let pipeline: Pipeline | undefined;
if (targets.some((t) => t.pipeline)) {
  const { startPipeline } = await import('../test/fuzz/pipeline.ts');
  pipeline = await startPipeline();
}

process.stdout.write(
  `fuzz: ${runs} inputs per target, seed ${seed}${skip.size ? `, skipping known open: ${[...skip].join(', ')}` : ''}\n`,
);
const results: FuzzResult[] = [];
try {
  for (const target of targets) {
    const r = await runTarget(target, { runs, seed, skip, pipeline, shrink: !values['no-shrink'] });
    results.push(r);
    process.stdout.write(`${formatResult(r)}\n`);
    if (r.failure)
      process.stdout.write(
        `  FAILED ${r.failure.message}\n  counterexample (after ${r.failure.shrinks} shrinks): ${r.failure.counterexample}\n  replay: npm run fuzz -- --only ${r.target} --seed ${seed} --runs ${runs}${r.failure.path ? ` (path ${r.failure.path})` : ''}\n`,
      );
  }
} finally {
  await pipeline?.stop();
}
const failed = results.filter((r) => r.failure);
const total = results.reduce((n, r) => n + r.runs, 0);
process.stdout.write(`total: ${total} inputs, ${failed.length} target(s) failed\n`);
process.exit(failed.length > 0 ? 1 : 0);
