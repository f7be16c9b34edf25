/**
 * Figure 11: what a million doses cost in AWS, by path, from usage the local runtime meters (bench/cost-run.ts)
 * priced with list prices kept as data (bench/cost/prices.ts), and the AWS calls per dose behind it.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { MeterSnapshot } from '../../local/metering/meter.ts';
import { type CostLine, callsPerDose, priceSnapshot, total } from '../cost/model.ts';
import { PRICES } from '../cost/prices.ts';
import { fmt, quick, root, table } from '../report.ts';

interface CostRun {
  phases: { phase: string; doses: number; snapshot: MeterSnapshot }[];
  retention: Record<string, number>;
}

const usd = (n: number) => `$${n < 0.01 ? n.toFixed(4) : n.toFixed(3)}`;

export function costBench(): { path: string; usd: number }[] {
  const sizes = quick ? [200, 500, 50] : [1000, 2000, 200];
  const child = spawnSync(process.execPath, [join(root, 'bench', 'cost-run.ts'), ...sizes.map(String)], {
    encoding: 'utf8',
    maxBuffer: 1e8,
  });
  const line = child.stdout.trim().split('\n').at(-1);
  if (child.status !== 0 || !line?.startsWith('{'))
    throw new Error(`cost run failed: ${child.stderr.slice(-2000)}`);
  const run = JSON.parse(line) as CostRun;
  const priced = run.phases.map((p) => ({
    ...p,
    lines: priceSnapshot(p.snapshot, p.doses, { retentionDays: (where) => run.retention[where] ?? 365 }),
  }));
  const services = [...new Set(priced.flatMap((p) => p.lines.map((l) => l.service)))];
  const byService = (lines: CostLine[], s: string) =>
    lines.filter((l) => l.service === s).reduce((n, l) => n + l.usd, 0);
  table(
    `AWS cost per 1,000,000 accepted doses (${PRICES.region} list prices read ${PRICES.readOn}; usage metered locally)`,
    [
      ['path', 'doses measured', ...services, 'total'],
      ...priced.map((p) => [
        p.phase,
        fmt(p.doses),
        ...services.map((s) => usd(byService(p.lines, s))),
        usd(total(p.lines)),
      ]),
    ],
  );
  const daily = priced.find((p) => p.phase.startsWith("the day's"));
  const results: { path: string; usd: number }[] = [];
  for (const p of priced.filter((x) => x !== daily)) {
    const end = total(p.lines) + (daily ? total(daily.lines) : 0);
    results.push({ path: p.phase, usd: end });
    const top = [...p.lines].sort((a, b) => b.usd - a.usd).slice(0, 3);
    console.log(
      `${p.phase}: ${usd(end)} per million end to end with the daily jobs (goal ≤ $2: ${end <= 2 ? 'met' : 'not met'}); most: ${top.map((l) => `${l.service} ${l.item} ${usd(l.usd)}`).join('; ')}`,
    );
  }
  for (const p of priced) {
    table(
      `AWS calls per accepted dose, ${p.phase} (counted at the SDK by the local runtime, per function; empty long polls left out)`,
      [
        ['function', 'calls per dose', 'WRU per dose', 'RRU per dose', 'by operation'],
        ...callsPerDose(p.snapshot, p.doses).map((c) => [
          c.who,
          fmt(c.calls, 2),
          fmt(c.wru, 1),
          fmt(c.rru, 1),
          c.byOp,
        ]),
      ],
    );
  }
  return results;
}
