/** Figure 7: the nightly roll-up of a day of doses and wastage records across sites vs reading them (bench/rollup.ts). */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fmt, quick, root, table } from '../report.ts';

export function rollupBench() {
  const [doses, wastage, sites] = quick ? [10_000, 500, 50] : [100_000, 5_000, 500];
  const r = JSON.parse(
    spawnSync(
      process.execPath,
      [join(root, 'bench', 'rollup.ts'), String(doses), String(wastage), String(sites)],
      {
        encoding: 'utf8',
        maxBuffer: 1e7,
        env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'ERROR' },
      },
    )
      .stdout.trim()
      .split('\n')
      .at(-1)!,
  ) as { doses: number; movements: number; sites: number; readMs: number; rollupMs: number };
  table(
    `Nightly roll-up locally: ${fmt(r.doses)} doses, ${fmt(wastage)} wastage records (+ receipts: ${fmt(r.movements)} movements), ${fmt(r.sites)} sites`,
    [
      ['step', 'ms', 'records/s', 'ratio to reading the day'],
      [
        "read the day's doses and movements (baseline)",
        fmt(r.readMs),
        fmt(((r.doses + r.movements) / r.readMs) * 1000),
        '1.00',
      ],
      [
        'roll up the day (read, chain, reports, summaries)',
        fmt(r.rollupMs),
        fmt(((r.doses + r.movements) / r.rollupMs) * 1000),
        fmt(r.rollupMs / r.readMs, 2),
      ],
    ],
  );
}
