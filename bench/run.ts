/**
 * npm run bench: figures as ratios against baselines measured in the same run, so they survive noisy machines.
 *   1. validation + normalization throughput vs plain JSON.parse of the same payloads;
 *   2. each handler's bundled size and cold import time vs an empty module;
 *   3. sustained local POST /v1/doses throughput and p99 at fixed concurrency vs GET /v1/openapi.json;
 *   4. the file path (parse + normalize + validate, storage excluded) vs bare parsing of the same file;
 *   5. peak memory of the ingest planner and worker on a 20,000- and a 200,000-row file;
 *   6. end to end locally: a 200,000-row file dropped through the API and S3 (20,000 with --quick);
 *   7. the nightly roll-up of a day of 100,000 doses and 5,000 wastage records across 500 sites vs reading them;
 *   8. CDC's validator (validate --cdc) on a 200,000-row CVRS file vs bare parsing (lines and TABs) of it.
 * Targets (not tests): validation ≥ 200,000 doses/s on one core, bundles ≤ 300 KB, cold import ≤ 60 ms, CDC's
 * validator ≥ 100,000 rows/s and ≤ 2x bare parsing. `-- --only <figure>` runs one (validation, bundles, http,
 * files, rollup, cdc).
 */
import { spawn, spawnSync } from 'node:child_process';
import { createReadStream, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { TextReportWriter, validateCvrsStream, validateCvrsText } from '#cdc/validator/index.ts';
import { normalizeDose } from '#doses/normalize.ts';
import { fillFromSite } from '#doses/submit.ts';
import { validateDose } from '#doses/validate.ts';
import { scanFile } from '#files/plan.ts';
import { readRecords } from '#files/reader.ts';
import { checkChunks } from '#files/validate-file.ts';
import { localDate } from '#platform/dates.ts';
import type { Site } from '#sites/site.ts';
import { functionSpecs } from '../infra/topology.ts';
import { demoSite, modernaDose } from '../test/fixtures/doses.ts';
import { doseFile, mixedKinds } from '../test/fixtures/files.ts';

const root = resolve(import.meta.dirname, '..');
const out = join(root, '.bench');
mkdirSync(out, { recursive: true });
const quick = process.argv.includes('--quick');

function table(title: string, rows: (string | number)[][]): void {
  console.log(`\n${title}`);
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
  for (const [n, r] of rows.entries()) {
    console.log(r.map((c, i) => String(c).padEnd(widths[i]!)).join('  '));
    if (n === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  }
}

const fmt = (n: number, d = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });

// 1. Validation throughput ---------------------------------------------------------------------------------
function validationBench() {
  const n = quick ? 5_000 : 50_000;
  const lots = ['039K20A', '040A21A', 'EL9261', 'ER8732', '011J20-2A'];
  const payloads = Array.from({ length: n }, (_, i) =>
    JSON.stringify(
      modernaDose({
        vax_event_id: `E${i}`,
        recip_id: `P${i % 9973}`,
        recip_dob: `19${String(30 + (i % 70)).padStart(2, '0')}-0${1 + (i % 9)}-1${i % 9}`,
        lot_number: lots[i % lots.length],
        admin_date: `2021-0${3 + (i % 3)}-0${2 + (i % 7)}`,
        recip_sex: i % 2 ? 'f' : 'M',
      }),
    ),
  );
  const site = { ...demoSite, enrolled_at: '' } as Site;
  const today = localDate(new Date());
  const rounds = 5;
  const time = (fn: () => void) => {
    fn(); // warm-up round: let the JIT settle before measuring
    const samples: number[] = [];
    for (let r = 0; r < rounds; r++) {
      const t = performance.now();
      fn();
      samples.push(performance.now() - t);
    }
    return samples.sort((a, b) => a - b)[Math.floor(rounds / 2)]!;
  };
  let sink = 0;
  const parseMs = time(() => {
    for (const p of payloads) sink += (JSON.parse(p) as object) ? 1 : 0;
  });
  const fullMs = time(() => {
    for (const p of payloads) {
      const { dose, findings } = normalizeDose(JSON.parse(p) as Record<string, unknown>);
      dose.iis_id = site.iis_id;
      fillFromSite(dose, site);
      sink += findings.length + validateDose(dose, { today }).length;
    }
  });
  const validateOnlyMs = Math.max(fullMs - parseMs, 1e-6);
  if (sink < 0) console.log(sink);
  table(`Validation + normalization (${fmt(n)} doses, median of ${rounds} rounds, one core)`, [
    ['step', 'ms', 'doses/s', 'ratio to JSON.parse'],
    ['JSON.parse (baseline)', fmt(parseMs, 1), fmt((n / parseMs) * 1000), '1.00'],
    ['parse + normalize + validate', fmt(fullMs, 1), fmt((n / fullMs) * 1000), fmt(fullMs / parseMs, 2)],
    [
      'normalize + validate alone',
      fmt(validateOnlyMs, 1),
      fmt((n / validateOnlyMs) * 1000),
      fmt(validateOnlyMs / parseMs, 2),
    ],
  ]);
  return (n / validateOnlyMs) * 1000;
}

// 2. Bundle size and cold import --------------------------------------------------------------------------
async function bundleBench() {
  const rows: (string | number)[][] = [
    [
      'handler',
      'bundle KB',
      'AWS SDK KB',
      'our code KB',
      'other libs KB',
      'cold import ms (median of 7)',
      'ratio to empty',
    ],
  ];
  const empty = join(out, 'empty.mjs');
  writeFileSync(empty, 'export const handler = async () => ({});\n');
  const coldImport = (file: string) => {
    const samples: number[] = [];
    for (let i = 0; i < 7; i++) {
      const res = spawnSync(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          `const t=performance.now();await import(${JSON.stringify(file)});console.log(performance.now()-t)`,
        ],
        { encoding: 'utf8', env: { ...process.env, AWS_REGION: 'us-east-1', POWERTOOLS_LOG_LEVEL: 'ERROR' } },
      );
      samples.push(Number(res.stdout.trim()));
    }
    return samples.sort((a, b) => a - b)[3]!;
  };
  const base = coldImport(empty);
  rows.push([
    '(empty module, baseline)',
    fmt(statSync(empty).size / 1024, 1),
    '0',
    '0',
    '0',
    fmt(base, 1),
    '1.00',
  ]);
  for (const [name, spec] of functionSpecs()) {
    const file = join(out, `${name}.mjs`);
    const result = await build({
      metafile: true,
      entryPoints: [join(root, spec.entry)],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node24',
      minify: true,
      mainFields: ['module', 'main'],
      outfile: file,
      logLevel: 'silent',
      banner: { js: "import{createRequire as __cr}from'module';const require=__cr(import.meta.url);" },
    });
    const ms = coldImport(file);
    const size = statSync(file).size;
    const share = { sdk: 0, own: 0, other: 0 };
    for (const [input, v] of Object.entries(Object.values(result.metafile.outputs)[0]!.inputs)) {
      const kind = /node_modules\/(@aws-sdk|@smithy|@aws-crypto|@aws\/)/.test(input)
        ? 'sdk'
        : input.includes('node_modules/')
          ? 'other'
          : 'own';
      share[kind] += v.bytesInOutput;
    }
    const kb = (n: number) => fmt(n / 1024, 0);
    rows.push([name, kb(size), kb(share.sdk), kb(share.own), kb(share.other), fmt(ms, 1), fmt(ms / base, 2)]);
  }
  table('Bundled handlers (esbuild, minified ESM, node24, AWS SDK bundled)', rows);
}

// 3. Local HTTP throughput ----------------------------------------------------------------------------------
async function httpBench() {
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

// 4–6. Dropped files ----------------------------------------------------------------------------------------
async function fileBench() {
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

// 7. Nightly roll-up ---------------------------------------------------------------------------------------
function rollupBench() {
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

// 8. CDC's validator ------------------------------------------------------------------------------------------
async function cdcBench() {
  const n = quick ? 20_000 : 200_000;
  // The file-path figures' rows with what a CDC file has and intake leaves to the site's enrollment (extract
  // type, organization, site name and type): what the pipeline would send CDC. 10% of its rows are refused
  // (BUSR005) and 4% repeat the row before (BUSR013).
  const site: Record<string, string> = {
    responsible_org: demoSite.responsible_org,
    admin_name: demoSite.admin_name,
    admin_type: demoSite.admin_type,
  };
  const [head, ...rows] = doseFile(mixedKinds(n), 'cvrs', 'C').split('\n');
  const columns = head!.split('\t');
  const text = [
    `ext_type\tpprl_id\t${head}`,
    ...rows.map((r) =>
      r === ''
        ? r
        : `I\t\t${r
            .split('\t')
            .map((v, i) => site[columns[i]!] ?? v)
            .join('\t')}`,
    ),
  ].join('\n');
  const path = join(out, `cdc-${n}.tsv`);
  writeFileSync(path, text);
  const bytes = Buffer.from(text);
  const rounds = 5;
  const median = async (fn: () => unknown) => {
    await fn(); // warm-up round
    const samples: number[] = [];
    for (let r = 0; r < rounds; r++) {
      const t = performance.now();
      await fn();
      samples.push(performance.now() - t);
    }
    return samples.sort((a, b) => a - b)[Math.floor(rounds / 2)]!;
  };
  let cells = 0;
  const bareMs = await median(() => {
    for (const line of new TextDecoder().decode(bytes).split('\n')) cells += line.split('\t').length;
  });
  // The command streams its file, so its baselines do too: the project's CVRS reader (csv-parse, what "bare
  // parsing" means in the file-path figure), and the floor: the same reads cut at line ends and TABs.
  const bareParseMs = await median(async () => {
    for await (const _ of readRecords(createReadStream(path), 'cvrs')) cells++;
  });
  const bareSplitMs = await median(async () => {
    const decoder = new TextDecoder();
    let carry = '';
    for await (const chunk of createReadStream(path)) {
      const lines = (carry + decoder.decode(chunk as Buffer, { stream: true })).split('\n');
      carry = lines.pop()!;
      for (const line of lines) cells += line.split('\t').length;
    }
    cells += (carry + decoder.decode()).split('\t').length;
  });
  let findings = 0;
  const today = localDate(new Date());
  const textMs = await median(() => {
    findings = validateCvrsText(bytes, { today }).totalErrors;
  });
  // What `npm run validate -- --cdc FILE` does: stream the file, check it, write CDC's text report.
  const streamMs = await median(async () => {
    let chars = 0;
    const report = new TextReportWriter(path, (t) => {
      chars += t.length;
    });
    report.end(
      await validateCvrsStream(createReadStream(path), {
        today,
        keepFindings: false,
        onFinding: report.onFinding,
      }),
    );
    return chars;
  });
  if (cells < 0) console.log(cells);
  const row = (step: string, ms: number, base: number) => [
    step,
    fmt(ms),
    fmt((n / ms) * 1000),
    fmt(ms / base, 2),
  ];
  table(
    `CDC's validator, ${fmt(n)}-row CVRS file (${fmt(bytes.length / 1e6, 1)} MB, ${fmt(findings)} findings), median of ${rounds}`,
    [
      ['step', 'ms', 'rows/s', 'ratio to bare parsing'],
      row('stream: parse with the CVRS reader (csv-parse, baseline)', bareParseMs, bareParseMs),
      row('stream: cut at line ends and TABs only', bareSplitMs, bareParseMs),
      row('validate --cdc: read, check, text report', streamMs, bareParseMs),
      row('in memory: split lines and TABs (baseline)', bareMs, bareMs),
      row('in memory: validateCvrsText', textMs, bareMs),
    ],
  );
  return {
    memory: { rate: (n / textMs) * 1000, ratio: textMs / bareMs },
    command: { rate: (n / streamMs) * 1000, ratio: streamMs / bareParseMs },
  };
}

// `-- --only cdc` runs one figure (validation, bundles, http, files, rollup, cdc); the rest are left out.
const only = process.argv[process.argv.indexOf('--only') + 1];
const runs = (name: string) => !process.argv.includes('--only') || only === name;
const rate = runs('validation') ? validationBench() : undefined;
if (runs('bundles')) await bundleBench();
if (runs('http')) await httpBench();
if (runs('files')) await fileBench();
if (runs('rollup')) rollupBench();
const cdc = runs('cdc') ? await cdcBench() : undefined;
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
