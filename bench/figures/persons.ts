/**
 * Figure 9: person matching through the stores (linkDose, one and two matchers) vs reading each dose's head,
 * beside the in-memory matcher on the same doses (bench/persons.ts, one process per matcher count so each
 * starts from an empty persons table).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fmt, quick, root, table } from '../report.ts';

interface Run {
  people: number;
  sites: number;
  workers: number;
  order: 'arrival' | 'paired';
  doses: number;
  headMs: number;
  linkMs: number;
  memoryMsPer1000: number;
  store: {
    precision: number;
    recall: number;
    outcomes: Partial<Record<'linked' | 'new' | 'review' | 'skipped', number>>;
    persons: number;
    calls: Record<string, number>;
  };
  memory: { precision: number; recall: number; reviews: number; skipped: number; persons: number };
}

/** Precision or recall off by more than this between the stores and memory is a bug to look into, not noise. */
const AGREE = 0.005;

function run(people: number, sites: number, workers: number, order: Run['order'] = 'arrival'): Run {
  const res = spawnSync(
    process.execPath,
    [join(root, 'bench', 'persons.ts'), String(people), String(sites), String(workers), order],
    { encoding: 'utf8', maxBuffer: 1e7, env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'ERROR' } },
  );
  const last = res.stdout.trim().split('\n').at(-1);
  if (res.status !== 0 || !last) throw new Error(`bench/persons.ts failed: ${res.stderr.slice(-2000)}`);
  return JSON.parse(last) as Run;
}

export function personsBench() {
  // About 2 doses per person; the default stays near 2,000 doses so the runs finish in about 3 minutes here.
  // The race on purpose is a quarter of that: it is there to show reconciliation converging, not for speed.
  const [people, sites] = quick ? [250, 25] : [1_000, 50];
  const runs = [
    run(people, sites, 1),
    run(people, sites, 2),
    run(Math.round(people / 4), sites, 2, 'paired'),
  ];
  const { doses } = runs[0]!;
  const per1000 = (ms: number, r: Run = runs[0]!) => (ms / r.doses) * 1000;
  const sum = (o: Record<string, number>) => Object.values(o).reduce((s, n) => s + n, 0);
  const rows: (string | number)[][] = [
    [
      'step',
      'ms per 1,000 doses',
      'ratio to reading the heads',
      'precision',
      'recall',
      'persons created / left',
      'reviews',
      'DynamoDB calls per dose',
    ],
  ];
  for (const r of runs) {
    const who =
      r.order === 'paired'
        ? `${r.workers} matchers racing on each person (${fmt(r.doses)} doses)`
        : r.workers === 1
          ? '1 matcher'
          : `${r.workers} matchers`;
    const created = (r.store.outcomes.new ?? 0) + (r.store.outcomes.review ?? 0);
    rows.push(
      [`read each dose's head (baseline), ${who}`, fmt(per1000(r.headMs, r)), '1.00', '', '', '', '', '1'],
      [
        `linkDose, ${who}`,
        fmt(per1000(r.linkMs, r)),
        fmt(r.linkMs / r.headMs, 2),
        r.store.precision.toFixed(4),
        r.store.recall.toFixed(4),
        `${fmt(created)} / ${fmt(r.store.persons)}`,
        fmt(r.store.outcomes.review ?? 0),
        fmt(sum(r.store.calls) / r.doses, 1),
      ],
    );
  }
  const m = runs[0]!.memory;
  rows.push([
    'in-memory evaluate(), same doses',
    fmt(runs[0]!.memoryMsPer1000, 1),
    fmt(runs[0]!.memoryMsPer1000 / per1000(runs[0]!.headMs), 3),
    m.precision.toFixed(4),
    m.recall.toFixed(4),
    fmt(m.persons),
    fmt(m.reviews),
    '0',
  ]);
  table(
    `Person matching locally: ${fmt(doses)} doses of ${fmt(people)} people over ${fmt(sites)} sites, in arrival order`,
    rows,
  );
  console.log(
    "Racing: ten people's first doses in one batch and their second doses in the next, so the two matchers create the same person at once and reconciliation must merge.",
  );
  const calls = runs[0]!.store.calls;
  console.log(
    `DynamoDB calls per dose, 1 matcher: ${Object.entries(calls)
      .map(([k, n]) => `${k.replace('Command', '')} ${fmt(n / doses, 1)}`)
      .join(', ')}`,
  );
  for (const r of runs) {
    const merged = (r.store.outcomes.new ?? 0) + (r.store.outcomes.review ?? 0) - r.store.persons;
    const dp = Math.abs(r.store.precision - r.memory.precision);
    const dr = Math.abs(r.store.recall - r.memory.recall);
    console.log(
      `${r.workers} matcher(s), ${r.order} order (${merged} persons merged by reconciliation) vs in memory on the same order: precision ${dp <= AGREE ? 'agrees' : 'DIFFERS'} (Δ ${dp.toFixed(4)}), recall ${dr <= AGREE ? 'agrees' : 'DIFFERS'} (Δ ${dr.toFixed(4)})`,
    );
  }
}
