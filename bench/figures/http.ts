/** Figure 3: sustained local POST /v1/doses throughput and p99 at fixed concurrency vs GET /v1/openapi.json. */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { modernaDose } from '../../test/fixtures/doses.ts';
import { fmt, quick, root, table } from '../report.ts';

export async function httpBench() {
  const child = spawn(process.execPath, [join(root, 'bench', 'server.ts')], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const info = await new Promise<{ apiUrl: string; apiKey: string }>((res, rej) => {
    let buf = '';
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      const line = buf.split('\n').find((l) => l.startsWith('{'));
      if (line) res(JSON.parse(line));
    });
    child.on('exit', (code) => rej(new Error(`bench server exited ${code}`)));
  });
  const concurrency = 16;
  const seconds = quick ? 3 : 10;
  const drive = async (label: string, request: (i: number) => Promise<Response>) => {
    const lat: number[] = [];
    let i = 0;
    let errors = 0;
    const until = performance.now() + seconds * 1000;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (performance.now() < until) {
          const t = performance.now();
          const res = await request(i++);
          await res.arrayBuffer();
          if (!res.ok) errors++;
          lat.push(performance.now() - t);
        }
      }),
    );
    const elapsed = (performance.now() - t0) / 1000;
    lat.sort((a, b) => a - b);
    return {
      label,
      rps: lat.length / elapsed,
      p50: lat[Math.floor(lat.length * 0.5)]!,
      p99: lat[Math.floor(lat.length * 0.99)]!,
      errors,
    };
  };
  try {
    const baseline = await drive('GET /v1/openapi.json (baseline)', () =>
      fetch(`${info.apiUrl}/v1/openapi.json`),
    );
    const post = await drive('POST /v1/doses (1 dose each)', (i) =>
      fetch(`${info.apiUrl}/v1/doses`, {
        method: 'POST',
        headers: { authorization: `Bearer ${info.apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify(modernaDose({ vax_event_id: `B-${Date.now()}-${i}`, recip_id: `R${i}` })),
      }),
    );
    table(`Local API, ${concurrency} concurrent clients for ${seconds} s each (stand-ins in one process)`, [
      ['route', 'req/s', 'p50 ms', 'p99 ms', 'errors', 'throughput ratio to baseline'],
      ...[baseline, post].map((r) => [
        r.label,
        fmt(r.rps),
        fmt(r.p50, 1),
        fmt(r.p99, 1),
        r.errors,
        fmt(r.rps / baseline.rps, 2),
      ]),
    ]);
  } finally {
    child.kill('SIGTERM');
  }
}
