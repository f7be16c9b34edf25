/**
 * Figure 3: sustained local POST /v1/doses throughput and p99 at fixed concurrency, one dose per request and in
 * batches of 100, vs GET /v1/openapi.json.
 */
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
  const drive = async (label: string, request: (i: number) => Promise<Response>, clients = concurrency) => {
    const lat: number[] = [];
    let i = 0;
    let errors = 0;
    const until = performance.now() + seconds * 1000;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: clients }, async () => {
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
    // Batches of 100, as EHRs and site systems send a day's doses: 4 clients, each batch a new set of IDs.
    let batch = 0;
    const batches = await drive(
      'POST /v1/doses (batches of 100)',
      () => {
        const b = batch++;
        return fetch(`${info.apiUrl}/v1/doses`, {
          method: 'POST',
          headers: { authorization: `Bearer ${info.apiKey}`, 'content-type': 'application/json' },
          body: JSON.stringify({
            doses: Array.from({ length: 100 }, (_, i) =>
              modernaDose({ vax_event_id: `BB-${Date.now()}-${b}-${i}`, recip_id: `RB${b}-${i}` }),
            ),
          }),
        });
      },
      4,
    );
    table(`Local API, ${concurrency} concurrent clients for ${seconds} s each (stand-ins in one process)`, [
      ['route', 'req/s', 'doses/s', 'p50 ms', 'p99 ms', 'errors', 'throughput ratio to baseline'],
      ...[baseline, post, batches].map((r) => [
        r.label,
        fmt(r.rps),
        r === baseline ? '' : fmt(r.rps * (r === batches ? 100 : 1)),
        fmt(r.p50, 1),
        fmt(r.p99, 1),
        r.errors,
        fmt(r.rps / baseline.rps, 2),
      ]),
    ]);
    const dosesPerSecond = batches.rps * 100;
    console.log(
      `local POST /v1/doses in batches of 100, target ≥ 5,000 doses/s: ${dosesPerSecond >= 5000 ? 'met' : 'not met'} (${fmt(dosesPerSecond)})`,
    );
  } finally {
    child.kill('SIGTERM');
  }
}
