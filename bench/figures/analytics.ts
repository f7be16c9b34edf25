/**
 * Figure 10: the nightly analytics of a day of doses on top of a history, vs reading the day (bench/analytics.ts),
 * run twice: on no history and on the full one. The ratio of the two runs is what shows a night's work does not
 * grow with the history.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fmt, quick, root, table } from '../report.ts';

interface Job {
  ms: number;
  baseRssMb: number;
  peakRssMb: number;
  deltaMb: number;
  calls: Record<string, number>;
  versions?: number;
  counts?: Record<string, number>;
  files?: number;
  days?: string[];
}
interface Run {
  day: string;
  doses: number;
  versions: number;
  withPerson: number;
  touched: number;
  rejections: number;
  sites: number;
  historyDoses: number;
  state: { unitItems: number; doseItems: number; historyPersons: number; counterFiles: number };
  loads: Record<string, number>;
  loadMs: number;
  read: Job;
  run: Job;
}

function run(doses: number, sites: number, history: number, untouched: number): Run {
  const res = spawnSync(
    process.execPath,
    [
      '--max-old-space-size=12288',
      join(root, 'bench', 'analytics.ts'),
      String(doses),
      String(sites),
      String(history),
      String(untouched),
    ],
    {
      encoding: 'utf8',
      maxBuffer: 1e8,
      env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'ERROR' },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const last = res.stdout?.trim().split('\n').at(-1);
  if (res.status !== 0 || !last) throw new Error(`bench/analytics.ts failed (${res.status})`);
  return JSON.parse(last) as Run;
}

export function analyticsBench() {
  // --quick: a tenth of the day and of the history. Untouched persons: as many state items as load in minutes.
  const [doses, sites, history, untouched] = quick
    ? [10_000, 2_000, 500_000, 50_000]
    : [100_000, 2_000, 5_000_000, 150_000];
  const none = run(doses, sites, 0, 0);
  const full = run(doses, sites, history, untouched);
  const mb = (n: number) => fmt(n, 0);
  const rows: (string | number)[][] = [
    ['step', 'ms', 'versions/s', 'peak RSS over baseline, MB', 'ratio to reading the day'],
  ];
  for (const [name, r] of [
    ['no history', none],
    [`${fmt(history)}-dose history`, full],
  ] as const)
    rows.push(
      [
        `read the day's versions (baseline), ${name}`,
        fmt(r.read.ms),
        fmt((r.versions / r.read.ms) * 1000),
        mb(r.read.deltaMb),
        '1.00',
      ],
      [
        `nightly analytics of the day, ${name}`,
        fmt(r.run.ms),
        fmt((r.versions / r.run.ms) * 1000),
        mb(r.run.deltaMb),
        fmt(r.run.ms / r.read.ms, 2),
      ],
    );
  table(
    `Nightly analytics locally: ${fmt(full.versions)} dose versions on ${full.day} (${fmt(full.withPerson)} linked to persons, ${fmt(full.touched)} second doses of history persons), ${fmt(full.rejections)} rejections, ${fmt(sites)} sites`,
    rows,
  );
  console.log(
    `with the history vs without: time ${fmt(full.run.ms / none.run.ms, 2)}x, peak memory ${fmt(full.run.deltaMb / none.run.deltaMb, 2)}x (reading the day: ${fmt(full.read.ms / none.read.ms, 2)}x)`,
  );
  const c = full.run.counts ?? {};
  console.log(
    `counts (with the history): units recomputed ${fmt(c.units ?? 0)}, moved ${fmt(c.moved ?? 0)}, admin days changed ${fmt(c.days_changed ?? 0)}, sites reported ${fmt(c.sites ?? 0)}, files written ${fmt(full.run.files ?? 0)}; baseline RSS ${mb(full.run.baseRssMb)} MB, peak ${mb(full.run.peakRssMb)} MB`,
  );
  // Per dose where a call is made per dose or unit; as a count where it is made per night, site or file.
  const perDose = (calls: Record<string, number>) =>
    Object.entries(calls)
      .sort((a, b) => b[1] - a[1])
      .map(([k, n]) =>
        n >= full.versions / 100 ? `${k} ${fmt(n / full.versions, 2)}/dose` : `${k} ${fmt(n)}`,
      )
      .join('; ');
  console.log(`calls (with the history): ${perDose(full.run.calls)}`);
  console.log(
    `history loaded: ${fmt(full.state.historyPersons)} persons' contributions summed into ${fmt(full.state.counterFiles)} counter files, timeliness trend/all of D-1, ${fmt(full.state.unitItems)} UNIT# and ${fmt(full.state.doseItems)} UDOSE# items (of the ${fmt(full.touched)} persons the day touches, the rest of persons it does not); the other history persons' state items and the history's ${fmt(full.historyDoses - full.touched)} other dose versions are not loaded: the job reads state only by key (Query on UNIT#/UDOSE#<id>, GetItem on LINK#, the day's GSI partitions), and a keyed read touches its own partition, whatever else the table holds`,
  );
  const loads = (r: Run) =>
    Object.entries(r.loads)
      .map(([k, ms]) => `${k} ${fmt(ms / 1000, 1)} s`)
      .join('; ');
  console.log(
    `setup (not part of the figure): no history ${fmt(none.loadMs / 1000, 1)} s; with the history ${fmt(full.loadMs / 1000, 1)} s (${loads(full)})`,
  );
}
