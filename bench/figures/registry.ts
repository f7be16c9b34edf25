/**
 * Figure 12: registry throughput vs its cap. 10,000 doses (1,000 with --quick) through the registry reporter to a
 * stand-in CAIR2 answering each request after 200 ms, once per cap, each in its own process (bench/registry.ts).
 * The ceiling at a cap is cap / 0.2 s doses/s; the mapping's 2 invocations of 10 messages bound it at 20 in flight.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fmt, quick, root, table } from '../report.ts';

export function registryBench(): void {
  const doses = quick ? 1_000 : 10_000;
  const caps = quick ? [2, 5, 10, 20] : [5, 10, 20];
  const rows: (string | number)[][] = [
    [
      'cap (maxConcurrent)',
      'doses',
      'seconds',
      'doses/s',
      'ceiling cap/0.2 s',
      'of ceiling',
      'received',
      'answers recorded',
    ],
  ];
  for (const cap of caps) {
    const child = spawnSync(
      process.execPath,
      [join(root, 'bench', 'registry.ts'), String(doses), String(cap)],
      {
        encoding: 'utf8',
        maxBuffer: 1e7,
      },
    );
    const line = child.stdout.trim().split('\n').at(-1);
    if (child.status !== 0 || !line?.startsWith('{'))
      throw new Error(`registry bench failed: ${child.stderr.slice(-2000)}`);
    const r = JSON.parse(line) as {
      seconds: number;
      dosesPerSecond: number;
      received: number;
      recorded: number;
    };
    const ceiling = Math.min(cap, 20) / 0.2;
    rows.push([
      cap,
      fmt(doses),
      fmt(r.seconds, 1),
      fmt(r.dosesPerSecond, 1),
      fmt(ceiling),
      `${fmt((100 * r.dosesPerSecond) / ceiling)}%`,
      fmt(r.received),
      fmt(r.recorded),
    ]);
  }
  table(
    'Registry reporter: doses/s to a registry answering in 200 ms, by its cap (requests in flight)',
    rows,
  );
}
