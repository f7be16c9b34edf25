/**
 * What the command-line tools (drop, validate, uploads) share: argument parsing with clear usage errors, the
 * local stack's credentials and endpoints, the summary of a processed file, a progress bar and tables.
 * Nothing here constructs an AWS SDK client or talks to AWS.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { FILE_RULES } from '#files/format.ts';
import { RULES } from '#platform/findings.ts';
import { type EndpointsFile, processAlive, readEndpointsFile } from '../../local/endpoints.ts';

/** Where a command writes and what it reads: the real process by default, buffers in tests. */
export interface Io {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown; isTTY?: boolean; columns?: number };
  env: Record<string, string | undefined>;
}

export const processIo = (): Io => ({ stdout: process.stdout, stderr: process.stderr, env: process.env });

/** Exit codes shared by the tools. */
export const EXIT = { ok: 0, failed: 1, usage: 2, timeout: 3 } as const;

/** Something that stops the command before any verdict on the file (no pipeline, refused key): exit 2. */
export class CommandError extends Error {
  override name = 'CommandError';
}

/** A mistake in how the command was called: exit 2 with the message and the usage line. */
export class UsageError extends CommandError {
  override name = 'UsageError';
}

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * `util.parseArgs`, strict, with its errors turned into UsageErrors a person can read. `--help`/`-h` is added
 * to every command and answered by the caller (values.help).
 */
export function parseCommandLine<const O extends Options>(argv: string[], options: O) {
  try {
    return parseArgs({
      args: argv,
      options: { ...options, help: { type: 'boolean', short: 'h' } } as O & {
        help: { type: 'boolean'; short: 'h' };
      },
      allowPositionals: true,
      strict: true,
    });
  } catch (err) {
    const code = (err as { code?: string }).code;
    const message = (err as Error).message.replace(/^Unknown option '(.*?)'.*$/s, "Unknown option '$1'.");
    if (code?.startsWith('ERR_PARSE_ARGS')) throw new UsageError(message);
    throw err;
  }
}

/** A number option: a positive number or a usage error naming the option. */
export function positiveNumber(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0)
    throw new UsageError(`--${name} must be a positive number, not '${value}'.`);
  return n;
}

/** The size of a file the command was given, or a usage error that says what is wrong with the path. */
export function fileSize(path: string): number {
  let st: ReturnType<typeof statSync>;
  try {
    st = statSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new CommandError(`No such file: ${path}`);
    if (code === 'EACCES') throw new CommandError(`Cannot read ${path}: permission denied.`);
    throw new CommandError(`Cannot read ${path}: ${(err as Error).message}`);
  }
  if (!st.isFile()) throw new CommandError(`${path} is not a file.`);
  return st.size;
}

// ---------------------------------------------------------------------------------------------------------------
// The local stack: ${DATA_DIR:-.data}/credentials.json and endpoints.json, as `npm start` writes them.

export interface Credentials {
  admin_key?: string;
  sites: { iis_id: string; api_key: string }[];
}

export const dataDir = (env: Io['env']) => resolve(env.DATA_DIR || '.data');

export function readCredentials(dir: string): Credentials | undefined {
  const file = join(dir, 'credentials.json');
  if (!existsSync(file)) return undefined;
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<Credentials>;
    return { ...parsed, sites: Array.isArray(parsed.sites) ? parsed.sites : [] };
  } catch (err) {
    throw new CommandError(
      `${file} is not valid JSON (${(err as Error).message}). Delete it and run npm start.`,
    );
  }
}

/** The endpoints of the local stack running on `dir`, or undefined when none is running. */
export function runningStack(dir: string): EndpointsFile | undefined {
  let file: EndpointsFile | undefined;
  try {
    file = readEndpointsFile(dir);
  } catch {
    return undefined; // being rewritten, or left half-written by a crash: as good as absent
  }
  return file && processAlive(file.pid) ? file : undefined;
}

/** Whether a URL points at this machine (a local stack), where the local credentials may be used. */
export function isLoopback(url: string): boolean {
  try {
    const host = new URL(url).hostname;
    return host === 'localhost' || host === '[::1]' || host.startsWith('127.');
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The summary of a processed file: the pipeline's `….summary.json`, and validate's.

export interface FindingLike {
  code: string;
  severity?: string;
  field?: string;
  message: string;
}

export interface FileSummary {
  upload_id?: string;
  file?: string;
  iis_id?: string;
  format?: string;
  /** doses or wastage. */
  kind?: string;
  status?: string;
  rows: number;
  accepted: number;
  rejected: number;
  duplicates: number;
  warnings: number;
  by_code?: Record<string, number>;
  file_findings?: FindingLike[];
  timings?: Record<string, unknown>;
}

const ruleText = (code: string): string =>
  (RULES as Record<string, { summary: string } | undefined>)[code]?.summary ?? FILE_RULES[code] ?? '';

const n = (x: number) => x.toLocaleString('en-US');

/** What kind of file it was, as a clinic calls it. */
function formatLabel(s: FileSummary): string {
  if (s.kind === 'wastage') return s.format === 'cvrs' ? 'wastage, tab-delimited' : 'wastage, CSV';
  return s.format === 'cvrs' ? 'CVRS, tab-delimited' : s.format === 'hl7' ? 'HL7' : 'CSV';
}

/** The lines that tell a clinic what happened to its file. `top` finding codes, most frequent first. */
export function formatSummary(s: FileSummary, top = 6): string {
  const errors = (s.file_findings ?? []).filter((f) => f.severity !== 'warning' && f.severity !== 'info');
  const lines: string[] = [];
  if (s.status === 'failed' || (errors.length > 0 && s.rows === 0)) {
    lines.push('The file was not processed: nothing in it was stored.');
    for (const f of errors) lines.push(`  ${f.code}  ${f.message}`);
    return `${lines.join('\n')}\n`;
  }
  const width = n(s.rows).length;
  const row = (label: string, value: number, note = '') =>
    lines.push(`${label.padEnd(11)}${n(value).padStart(width)}${note}`);
  row('rows', s.rows, s.format ? `   (${formatLabel(s)})` : '');
  row('accepted', s.accepted, s.warnings ? `   (${n(s.warnings)} with warnings)` : '');
  row('rejected', s.rejected);
  row('duplicates', s.duplicates);
  for (const f of s.file_findings ?? []) lines.push(`note: ${f.code}  ${f.message}`);
  const codes = Object.entries(s.by_code ?? {}).sort(([a, x], [b, y]) => y - x || a.localeCompare(b));
  if (codes.length > 0) {
    lines.push(codes.length > top ? `top findings (${top} of ${codes.length} codes):` : 'findings:');
    const cw = Math.max(...codes.slice(0, top).map(([c]) => c.length));
    const nw = Math.max(...codes.slice(0, top).map(([, k]) => n(k).length));
    for (const [code, count] of codes.slice(0, top))
      lines.push(`  ${code.padEnd(cw)}  ${n(count).padStart(nw)}  ${ruleText(code)}`.trimEnd());
  }
  return `${lines.join('\n')}\n`;
}

/** Whether a summary says the file failed as a whole. */
export const failedAsWhole = (s: FileSummary) =>
  s.status === 'failed' ||
  (s.rows === 0 && (s.file_findings ?? []).some((f) => f.severity !== 'warning' && f.severity !== 'info'));

/** The bucket and key a presigned S3 URL points at (path-style, as locally, or virtual-hosted). */
export function s3Location(url: string): { bucket: string; key: string } | undefined {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return undefined;
  }
  const path = decodeURIComponent(u.pathname.slice(1));
  const hosted = /^(.+)\.s3[.-]([a-z0-9-]+\.)?amazonaws\.com$/.exec(u.hostname);
  if (hosted) return path ? { bucket: hosted[1]!, key: path } : undefined;
  const slash = path.indexOf('/');
  return slash > 0 ? { bucket: path.slice(0, slash), key: path.slice(slash + 1) } : undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// Progress on stderr: a bar redrawn in place on a terminal, an occasional line otherwise.

export interface Progress {
  /** `done`/`total` rows or bytes (total undefined: a spinner), and what is going on. */
  update(label: string, done?: number, total?: number, unit?: 'rows' | 'bytes'): void;
  /** Clears the bar (a terminal) so what follows starts on a clean line. */
  done(): void;
}

const SPINNER = ['|', '/', '-', '\\'];

export function progress(io: Io, opts: { lineEveryMs?: number; now?: () => number } = {}): Progress {
  const tty = io.stderr.isTTY === true;
  const now = opts.now ?? Date.now;
  const started = now();
  const lineEvery = opts.lineEveryMs ?? 5000;
  let frame = 0;
  let drawn = false;
  let lastLine = '';
  let lastLineAt = -Infinity;
  const elapsed = () => `${Math.round((now() - started) / 1000)}s`;
  return {
    update(label, done, total, unit = 'rows') {
      const known = total !== undefined && total > 0 && done !== undefined;
      const amount = (x: number) => (unit === 'bytes' ? bytes(x) : `${n(x)} rows`);
      const counts = known
        ? unit === 'bytes'
          ? `${bytes(done)}/${bytes(total)}`
          : `${n(done)}/${n(total)} rows`
        : '';
      if (tty) {
        // A pseudo-terminal without a size reports 0 columns.
        const cols = Math.max(40, io.stderr.columns || 80);
        const spin = SPINNER[frame++ % SPINNER.length];
        let text: string;
        if (known) {
          const ratio = Math.min(1, done / total);
          const tail = ` ${String(Math.floor(ratio * 100)).padStart(3)}% ${counts} ${label} ${elapsed()}`;
          const width = Math.max(10, Math.min(40, cols - tail.length - 5));
          const fill = Math.round(ratio * width);
          text = `${spin} [${'#'.repeat(fill)}${'-'.repeat(width - fill)}]${tail}`;
        } else {
          text = `${spin} ${label}${done ? ` ${amount(done)}` : ''} ${elapsed()}`;
        }
        io.stderr.write(`\r${text.slice(0, cols - 1)}\x1b[K`);
        drawn = true;
        return;
      }
      const line = known ? `${label}: ${counts}` : label;
      const t = now();
      if (line === lastLine) return;
      // A new stage is always worth a line; mere counting only every few seconds.
      const sameStage = lastLine.split(':')[0] === line.split(':')[0];
      if (sameStage && t - lastLineAt < lineEvery) return;
      io.stderr.write(`${line} (${elapsed()})\n`);
      lastLine = line;
      lastLineAt = t;
    },
    done() {
      if (tty && drawn) io.stderr.write('\r\x1b[K');
      drawn = false;
    },
  };
}

/** Bytes as a person reads them. */
export function bytes(b: number): string {
  if (b < 1024) return `${b} B`;
  if (b < 1024 * 1024) return `${(b / 1024).toFixed(1)} KB`;
  return `${(b / 1024 / 1024).toFixed(1)} MB`;
}

/** A plain text table: a header, a rule and the rows, columns padded to their widest cell. */
export function table(
  header: string[],
  rows: string[][],
  rightAligned: ReadonlySet<number> = new Set(),
): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (rightAligned.has(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return `${[line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n')}\n`;
}

/** A command: its body's exit code, or for a CommandError its message (and the usage line) and exit 2. */
export function command(
  usage: string,
  body: (argv: string[], io: Io) => Promise<number>,
): (argv: string[], io?: Io) => Promise<number> {
  return async (argv, io = processIo()) => {
    if (argv.includes('--help') || argv.includes('-h')) {
      io.stdout.write(usage);
      return EXIT.ok;
    }
    try {
      return await body(argv, io);
    } catch (err) {
      if (!(err instanceof CommandError)) throw err;
      io.stderr.write(
        err instanceof UsageError
          ? `${err.message}\n${usage.split('\n')[0]}   (--help for more)\n`
          : `${err.message}\n`,
      );
      return EXIT.usage;
    }
  };
}

/** Runs a command as this process: its exit code, or 2 with the error for something unexpected. */
export async function run(main: (argv: string[], io?: Io) => Promise<number>): Promise<void> {
  try {
    process.exitCode = await main(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
    process.exitCode = EXIT.usage;
  }
}
