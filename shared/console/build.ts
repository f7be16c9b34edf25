/**
 * Builds the web console (docs/console.md) into a directory that is served as is: the bundled TypeScript
 * (`app.js`, `app.css` from the CSS its modules import, `chunks/` loaded on demand), the HTML shell, and the California State Web Template's CSS, script and font. The
 * server writes `config.json` (issuer, client id) beside them. Nothing built is committed.
 */
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { build } from 'esbuild';
import { californiaCounties } from './ca-counties.ts';

const WEB = resolve(import.meta.dirname, 'web');

/** The State Template's files shipped, relative to its package's `dist/` (the CSS finds the font in ../fonts). */
const TEMPLATE_FILES = [
  'css/cagov.core.min.css',
  'css/colortheme-oceanside.min.css',
  'js/cagov.core.min.js',
  'fonts/CaGov.woff2',
];

export interface ConsoleConfig {
  issuer: string;
  clientId: string;
  scope?: string;
  /** Cognito's /logout (its discovery has no end_session_endpoint). */
  logoutEndpoint?: string;
}

function templateDist(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('@cagovweb/state-template/package.json')), 'dist');
}

/** Bundles the console into `outDir` (made when missing); answers the files written. */
export async function buildConsole(outDir: string): Promise<string[]> {
  const out = resolve(outDir);
  mkdirSync(out, { recursive: true });
  const result = await build({
    entryPoints: { app: join(WEB, 'main.ts') },
    outdir: out,
    // Heavy modules a page loads by import() (charts, the county map) become their own files under chunks/,
    // so the pages that do not use them do not download them. CSS imported by modules is bundled into app.css.
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    metafile: true,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['chrome120', 'firefox120', 'safari17'],
    minify: true,
    sourcemap: true,
    legalComments: 'none',
    logLevel: 'silent',
  });
  const written = Object.keys(result.metafile.outputs).map((f) => relative(out, resolve(f)));
  for (const file of ['index.html']) {
    copyFileSync(join(WEB, file), join(out, file));
    written.push(file);
  }
  writeFileSync(join(out, 'ca-counties.json'), JSON.stringify(californiaCounties()));
  written.push('ca-counties.json');
  const dist = templateDist();
  for (const file of TEMPLATE_FILES) {
    mkdirSync(dirname(join(out, file)), { recursive: true });
    copyFileSync(join(dist, file), join(out, file));
    written.push(file);
  }
  return written;
}

/** The console's settings, read by the browser at /config.json. */
export function writeConsoleConfig(outDir: string, config: ConsoleConfig): void {
  writeFileSync(join(outDir, 'config.json'), `${JSON.stringify(config, null, 2)}\n`);
}

export function readConsoleConfig(outDir: string): ConsoleConfig | undefined {
  try {
    return JSON.parse(readFileSync(join(outDir, 'config.json'), 'utf8')) as ConsoleConfig;
  } catch {
    return undefined;
  }
}
