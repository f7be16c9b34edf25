/** Figure 2: each handler's bundled size and cold import time vs an empty module. */
import { spawnSync } from 'node:child_process';
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { BUNDLE_ALIASES } from '../../infra/bundling.ts';
import { functionSpecs } from '../../infra/topology.ts';
import { fmt, out, root, table } from '../report.ts';

export async function bundleBench() {
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
      alias: { ...BUNDLE_ALIASES },
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
