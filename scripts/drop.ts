/**
 * npm run drop -- --site <iis_id> <file>: uploads a CVRS or CSV file through the API (POST /v1/uploads, then
 * a PUT of the bytes to the presigned URL, streamed from disk), follows its processing with a progress bar and
 * prints the summary and where the results are. Local by default; --url/--key for a deployed API.
 */
import { closeSync, createReadStream, openSync, readSync } from 'node:fs';
import { basename } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  bytes,
  CommandError,
  command,
  dataDir,
  EXIT,
  type FileSummary,
  failedAsWhole,
  fileSize,
  formatSummary,
  type Io,
  isLoopback,
  parseCommandLine,
  positiveNumber,
  progress,
  readCredentials,
  run,
  runningStack,
  s3Location,
  UsageError,
} from './lib/cli.ts';

const USAGE = `Usage: npm run drop -- [--site <iis_id>] <file> [--url <api>] [--key <site key>] [--timeout <seconds>]

Uploads a CVRS (tab-delimited) or CSV dose file through the API, shows its processing and prints the summary
and where the results file is.

  --site <iis_id>      the site the file is for (default: the first site in $DATA_DIR/credentials.json); with a
                       sending facility's key, one of its client sites
  --url <api>          API base URL (env DROP_API_URL; default: the local stack of npm start, from
                       $DATA_DIR/endpoints.json, else http://127.0.0.1:$PORT)
  --key <site key>     the site's API key (env DROP_API_KEY; default for a local API: the key of --site in
                       $DATA_DIR/credentials.json)
  --timeout <seconds>  stop waiting for the results after this long (default 900)

Exit status: 0 the file was processed (even if some rows were rejected), 1 the file failed as a whole (a
file-level finding, nothing stored), 2 usage or connection error, 3 timed out waiting.
`;

/** What GET /v1/uploads/{id} answers (functions/files/api.ts). */
interface UploadView {
  upload_id: string;
  iis_id: string;
  name: string;
  status: 'received' | 'processing' | 'completed' | 'failed';
  rows_total: number | null;
  rows_processed: number;
  duplicate_of: string | null;
  file_findings: FileSummary['file_findings'];
  summary: FileSummary | null;
  results_url: string | null;
  summary_url: string | null;
  earlier?: UploadView;
}

interface Issued {
  upload_id: string;
  url: string;
  headers: Record<string, string>;
  expires_at: string;
}

export interface DropOptions {
  /** How often to ask for progress (default 700 ms). */
  pollMs?: number;
  /** How long the API may keep failing (5xx, no answer) before giving up (default 30 s; at least 10 tries). */
  outageMs?: number;
}

/** The API and the key to call it with: flags, then environment, then the local stack's files. */
function resolveApi(values: { url?: string; key?: string; site?: string }, io: Io) {
  const dir = dataDir(io.env);
  const url = (
    values.url ??
    io.env.DROP_API_URL ??
    runningStack(dir)?.endpoints.api ??
    localDefault(io)
  ).replace(/\/+$/, '');
  try {
    const u = new URL(url);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('not http');
  } catch {
    throw new UsageError(`--url must be an http(s) URL such as https://api.example.org, not '${url}'.`);
  }
  const site = values.site?.trim().toUpperCase();
  let key = values.key ?? io.env.DROP_API_KEY;
  if (!key) {
    // The local credentials are only ever sent to a local API.
    if (!isLoopback(url))
      throw new UsageError(`Give the site's key for ${url} with --key <site key> (or DROP_API_KEY).`);
    const creds = readCredentials(dir);
    if (!creds || creds.sites.length === 0)
      throw new CommandError(
        `No site key: ${dir}/credentials.json is missing or lists no site. Start the local pipeline (npm start) or pass --key.`,
      );
    const entry = site ? creds.sites.find((s) => s.iis_id.toUpperCase() === site) : creds.sites[0];
    if (!entry)
      throw new CommandError(
        `No key for site ${site} in ${dir}/credentials.json (it has ${creds.sites.map((s) => s.iis_id).join(', ')}). Pass --key.`,
      );
    key = entry.api_key;
  }
  return { url, key, site, local: isLoopback(url) };
}

const localDefault = (io: Io) => `http://127.0.0.1:${io.env.PORT || 3000}`;

/** Tab in the first line: CVRS; otherwise CSV. Only a label for the upload: the pipeline reads the content. */
function contentType(path: string): string {
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.alloc(4096);
    const got = readSync(fd, head, 0, head.length, 0);
    const nl = head.subarray(0, got).indexOf(0x0a);
    const first = head.subarray(0, nl < 0 ? got : nl);
    return first.includes(0x09) ? 'text/tab-separated-values' : 'text/csv';
  } finally {
    closeSync(fd);
  }
}

/** A connection failure as one line: what could not be reached and why. */
function unreachable(what: string, url: string, err: unknown): CommandError {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  const why = cause?.message ?? (err as Error).message;
  const hint =
    isLoopback(url) && cause?.code === 'ECONNREFUSED' ? ' Is the local pipeline running (npm start)?' : '';
  return new CommandError(`Could not reach ${what} at ${new URL(url).origin}: ${why}.${hint}`);
}

/** The message of an API error body ({message, issues}) or of an S3 error (XML), or the status text. */
async function errorText(res: Response): Promise<string> {
  const text = await res.text().catch(() => '');
  try {
    const body = JSON.parse(text) as { message?: string };
    if (body.message) return body.message;
  } catch {
    const code = /<Code>(.*?)<\/Code>/s.exec(text)?.[1];
    const message = /<Message>(.*?)<\/Message>/s.exec(text)?.[1];
    if (code || message) return [code, message].filter(Boolean).join(': ');
  }
  return text.slice(0, 200) || res.statusText;
}

async function call(url: string, init: RequestInit, what: string): Promise<Response> {
  try {
    return await fetch(url, { ...init, signal: AbortSignal.timeout(30_000) });
  } catch (err) {
    throw unreachable(what, url, err);
  }
}

export function dropCommand(options: DropOptions = {}) {
  const pollMs = options.pollMs ?? 700;
  const outageMs = options.outageMs ?? 30_000;
  return command(USAGE, async (argv, io) => {
    const { values, positionals } = parseCommandLine(argv, {
      site: { type: 'string' },
      url: { type: 'string' },
      key: { type: 'string' },
      timeout: { type: 'string' },
    });
    if (positionals.length !== 1)
      throw new UsageError(
        positionals.length === 0
          ? 'Name the file to drop.'
          : `Drop one file at a time (got ${positionals.join(', ')}).`,
      );
    const path = positionals[0]!;
    const timeoutMs = positiveNumber(values.timeout, 'timeout', 900) * 1000;
    const size = fileSize(path);
    const api = resolveApi(values, io);
    const auth = { authorization: `Bearer ${api.key}` };

    // 1. An upload URL.
    const name = basename(path);
    const type = contentType(path);
    const started = await call(
      `${api.url}/v1/uploads`,
      {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({ name, content_type: type, ...(api.site ? { iis_id: api.site } : {}) }),
      },
      'the API',
    );
    if (started.status !== 201)
      throw new CommandError(`The API refused the upload (${started.status}): ${await errorText(started)}`);
    const issued = (await started.json()) as Issued;
    io.stderr.write(`upload ${issued.upload_id}: ${name} (${bytes(size)}) to ${api.url}\n`);

    // 2. The bytes, streamed from disk with their length (S3 takes no chunked PUT).
    const bar = progress(io);
    let sent = 0;
    async function* file() {
      for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024 })) {
        sent += (chunk as Buffer).length;
        bar.update('uploading', sent, size, 'bytes');
        yield chunk as Buffer;
      }
    }
    bar.update('uploading', 0, size, 'bytes');
    let put: Response;
    try {
      put = await fetch(issued.url, {
        method: 'PUT',
        headers: { ...issued.headers, 'content-length': String(size) },
        body: size === 0 ? new Uint8Array(0) : file(),
        duplex: 'half',
      });
    } catch (err) {
      bar.done();
      throw unreachable('the upload URL', issued.url, err);
    }
    if (!put.ok) {
      bar.done();
      throw new CommandError(`The upload of ${name} was refused (${put.status}): ${await errorText(put)}`);
    }

    // 3. Its processing, until it completes, fails or the time is up.
    const deadline = Date.now() + timeoutMs;
    let view: UploadView | undefined;
    let failures = 0;
    let failingSince = 0;
    for (;;) {
      const res = await fetch(`${api.url}/v1/uploads/${issued.upload_id}`, {
        headers: auth,
        signal: AbortSignal.timeout(30_000),
      }).catch((err: unknown) => err as Error);
      if (res instanceof Response && res.ok) {
        failures = 0;
        failingSince = 0;
        view = (await res.json()) as UploadView;
        const shown = view.earlier ?? view;
        const label =
          view.earlier !== undefined
            ? `same content as upload ${view.earlier.upload_id}: ${view.earlier.status}`
            : view.status === 'received'
              ? 'waiting for the pipeline to pick the file up'
              : view.status;
        if (finished(view)) break;
        bar.update(label, shown.rows_processed, shown.rows_total ?? undefined);
      } else if (res instanceof Response && res.status < 500 && res.status !== 429) {
        bar.done();
        throw new CommandError(
          `Could not follow upload ${issued.upload_id} (${res.status}): ${await errorText(res)}`,
        );
      } else {
        failingSince ||= Date.now();
        if (++failures >= 10 && Date.now() - failingSince >= outageMs) {
          bar.done();
          if (res instanceof Response)
            throw new CommandError(`The API keeps failing (${res.status}): ${await errorText(res)}`);
          throw unreachable('the API', api.url, res);
        }
      }
      if (Date.now() >= deadline) {
        bar.done();
        const where = view
          ? `${view.status}, ${view.rows_processed}/${view.rows_total ?? '?'} rows`
          : 'unknown';
        const hint =
          view?.status === 'received'
            ? 'The pipeline has not picked the file up (does its S3 notification reach the ingest queue?). Look'
            : 'The pipeline keeps going: look';
        io.stderr.write(
          `Gave up waiting after ${timeoutMs / 1000} s: upload ${issued.upload_id} is ${where}. ${hint} ` +
            `again with GET ${api.url}/v1/uploads/${issued.upload_id} (or npm run uploads locally).\n`,
        );
        return EXIT.timeout;
      }
      await sleep(pollMs);
    }
    bar.done();
    return report(view, io, api.local);
  });
}

/** Done: failed, or completed with a summary (for a repeat, once the earlier upload is done). */
function finished(v: UploadView): boolean {
  if (v.status === 'failed') return true;
  if (v.status !== 'completed') return false;
  if (v.summary) return true;
  const e = v.earlier;
  return e === undefined
    ? !v.duplicate_of
    : e.status === 'failed' || (e.status === 'completed' && !!e.summary);
}

function report(v: UploadView, io: Io, local: boolean): number {
  // A repeat of a file whose results were not ready yet answers with the earlier upload's.
  const source = !v.summary && v.earlier ? v.earlier : v;
  const out: string[] = [`upload ${v.upload_id}  ${v.name}  site ${v.iis_id}  ${v.status}`];
  if (v.duplicate_of)
    out.push(
      `This file's content was already sent as upload ${v.duplicate_of}: nothing was stored again; its results answer this upload.`,
    );
  const summary: FileSummary = source.summary ?? {
    status: source.status,
    rows: source.rows_total ?? 0,
    accepted: 0,
    rejected: 0,
    duplicates: 0,
    warnings: 0,
    file_findings: source.file_findings,
  };
  io.stdout.write(`${out.join('\n')}\n${formatSummary(summary)}`);
  const where: string[] = [];
  if (source.results_url) {
    where.push(`results: ${source.results_url}`);
    const loc = s3Location(source.results_url);
    if (loc) where.push(`         s3://${loc.bucket}/${loc.key}${local ? '   (local S3 stand-in)' : ''}`);
  }
  if (source.summary_url) where.push(`summary: ${source.summary_url}`);
  if (where.length > 0) io.stdout.write(`${where.join('\n')}\n(the links are valid for 15 minutes)\n`);
  return source.status === 'failed' || failedAsWhole(summary) ? EXIT.failed : EXIT.ok;
}

export const drop = dropCommand();

if (import.meta.main) await run(drop);
