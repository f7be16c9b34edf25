/**
 * npm run validate -- <file>: a site's pre-flight check of a dose file or a wastage file, offline. The same
 * reading, planning and rules as a dropped file (shared/files/validate-file.ts, dry run), the same results file
 * beside the input and the same summary; nothing is read from or written to AWS, and no pipeline needs to run.
 */

import { once } from 'node:events';
import {
  closeSync,
  createReadStream,
  createWriteStream,
  openSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { finished } from 'node:stream/promises';
import {
  CommandError,
  command,
  dataDir,
  EXIT,
  type FileSummary,
  fileSize,
  formatSummary,
  type Io,
  parseCommandLine,
  readCredentials,
  run,
  UsageError,
} from './lib/cli.ts';

const USAGE = `Usage: npm run validate -- <file> [--site <iis_id>] [--out <results path>]
       npm run validate -- --cdc <file> [--json] [--v1] [--today YYYY-MM-DD] [--defaults]

Checks a CVRS (tab-delimited) or CSV dose file, or a wastage file (CSV or tab-delimited with the columns
record_id, ndc, lot_number, doses, date, reason, reason_text, iis_id), offline with the pipeline's rules and
writes the results file it would get back, storing nothing and calling nothing.

  --site <iis_id>      the site the file is for (default: the iis_id of the file's first row, else the first
                       site in $DATA_DIR/credentials.json); rows of other sites are rejected (DQ023)
  --out <path>         the results file (default: <file>.results.csv beside the input); the summary goes to
                       the same name with .summary.json

Offline, the site's enrollment and its earlier doses are not known: site fields a row leaves out are not
reported missing, and only repeats within the file count as duplicates. Wastage rows are checked as parsed
(dates against today): lots without an expiration on record (STK005), more doses than on hand (STK006) and
record_ids used before are found only when the file is dropped.

Exit status: 0 the file was read (even if some rows were rejected), 1 the file has a file-level problem, 2 usage
error (no such file, bad option).

--cdc: CDC's own extract validator instead of the pipeline's rules (shared/cdc/validator): CDC's findings and
CDC's text report on stdout, byte for byte, the file named as given here; --json for CDC's JSON report, --v1 for
CVRS v1 (CDC's -v1), --today to judge dates (BUSR011/BUSR012) as on another day than this machine's. An HL7
file (by its .hl7 name or its first line) is checked on the CVRS record CDC derives from each VXU; --defaults (-d,
as CDC's -d) fills what a message leaves out with CDC's defaults first. Exit status: 0 the report was written, whatever it found (CDC's tool exits with its error count
instead, which the shell sees modulo 256: stderr says what it would have been); 1 where CDC's tool stops without a
report (a CSV quote left open, an HL7 message it cannot parse); 2 usage error.
`;

const SITE_ID = /^[A-Z0-9-]{1,20}$/;

/** The site a file is for, when not given: what its first row says, else the local pipeline's first site. */
async function guessSite(path: string, io: Io): Promise<{ iis_id: string; from: string } | undefined> {
  const { sniff, readHeader } = await import('#files/format.ts');
  const { readRecords } = await import('#files/reader.ts');
  const head = await new Promise<Buffer>((resolve, reject) => {
    const parts: Buffer[] = [];
    createReadStream(path, { start: 0, end: 64 * 1024 - 1 })
      .on('data', (b) => parts.push(b as Buffer))
      .on('end', () => resolve(Buffer.concat(parts)))
      .on('error', reject);
  });
  const sniffed = sniff(head);
  if ('format' in sniffed) {
    try {
      let header: ReturnType<typeof readHeader> | undefined;
      const stream = createReadStream(path, { start: 0, end: 64 * 1024 - 1 });
      for await (const rec of readRecords(stream, sniffed.format)) {
        if (!header) {
          header = readHeader(rec.cells, sniffed.format);
          if ('problem' in header) break;
          continue;
        }
        if ('problem' in header) break;
        const col = header.columns.indexOf('iis_id');
        const value = col >= 0 ? rec.cells[col]?.trim().toUpperCase() : undefined;
        stream.destroy();
        if (value && SITE_ID.test(value)) return { iis_id: value, from: 'the first row' };
        break;
      }
    } catch {
      // A file the scan will call broken: any site will do to say so.
    }
  }
  const site = readCredentials(dataDir(io.env))?.sites[0];
  return site
    ? { iis_id: site.iis_id.toUpperCase(), from: `${dataDir(io.env)}/credentials.json` }
    : undefined;
}

/** Where the summary goes for a results path: x.results.csv → x.summary.json, else beside it with .summary.json. */
export function summaryPathFor(results: string): string {
  return results.endsWith('.results.csv')
    ? `${results.slice(0, -'.results.csv'.length)}.summary.json`
    : `${results}.summary.json`;
}

export const validate = command(USAGE, async (argv, io) => {
  const { values, positionals } = parseCommandLine(argv, {
    site: { type: 'string' },
    out: { type: 'string' },
    cdc: { type: 'boolean' },
    json: { type: 'boolean' },
    v1: { type: 'boolean' },
    today: { type: 'string' },
    defaults: { type: 'boolean', short: 'd' },
  });
  if (values.cdc) {
    if (positionals.length !== 1)
      throw new UsageError(
        positionals.length === 0 ? 'Name the file to check.' : 'Check one file at a time.',
      );
    if (values.site || values.out) throw new UsageError('--site and --out are not options of --cdc.');
    if (values.today !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(values.today))
      throw new UsageError(`--today must be YYYY-MM-DD, not '${values.today}'.`);
    return validateCdc(
      positionals[0]!,
      {
        json: values.json ?? false,
        version: values.v1 ? '1' : '2',
        defaults: values.defaults ?? false,
        ...(values.today ? { today: values.today } : {}),
      },
      io,
    );
  }
  if (values.json || values.v1 || values.today || values.defaults)
    throw new UsageError('--json, --v1, --today and --defaults go with --cdc.');
  if (positionals.length !== 1)
    throw new UsageError(
      positionals.length === 0
        ? 'Name the file to check.'
        : `Check one file at a time (got ${positionals.join(', ')}).`,
    );
  const path = positionals[0]!;
  fileSize(path);
  const site = values.site
    ? { iis_id: values.site.trim().toUpperCase(), from: '--site' }
    : ((await guessSite(path, io)) ?? { iis_id: 'OFFLINE', from: '' });
  // No site anywhere (not given, not in the file, no local pipeline): the rows are checked as one site's.
  const anySite = site.from === '';
  if (!SITE_ID.test(site.iis_id))
    throw new UsageError(
      `--site must be an IIS Org Code (letters, digits, -; up to 20), not '${site.iis_id}'.`,
    );
  const resultsPath = values.out ?? join(dirname(path), `${basename(path)}.results.csv`);
  const summaryPath = summaryPathFor(resultsPath);

  // Loaded here, after the checks: the intake's modules construct (but never use, in a dry run) SDK clients.
  const { validateFile } = await import('#files/validate-file.ts');

  io.stderr.write(
    anySite
      ? `checking ${path} offline (no --site: rows are checked as any one site's)\n`
      : `checking ${path} for site ${site.iis_id} (${site.from}), offline\n`,
  );
  const startedAt = new Date();
  const tmp = `${resultsPath}.${process.pid}.tmp`;
  const out = createWriteStream(tmp);
  let check: Awaited<ReturnType<typeof validateFile>>;
  try {
    await once(out, 'open');
    check = await validateFile(path, site.iis_id, out, startedAt);
    out.end();
    await finished(out);
  } catch (err) {
    out.destroy();
    rmSync(tmp, { force: true });
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'EACCES')
      throw new CommandError(`Cannot write ${resultsPath}: ${(err as Error).message}. Choose another --out.`);
    const { ChunkRowsMismatchError } = await import('#files/plan.ts');
    if (err instanceof ChunkRowsMismatchError) {
      // Counts that would be wrong are never answered: no results file, a clear message, a failed exit.
      io.stderr.write(
        `${basename(path)}: row count check failed: ${err.message}. No results were written: the counts would be wrong. This is a fault of the checker, not necessarily of your file: please report it.\n`,
      );
      return EXIT.failed;
    }
    throw err;
  }
  renameSync(tmp, resultsPath);
  const done = new Date();
  const fileProblem = check.counts.rows === 0 && check.fileFindings.some((f) => f.severity === 'error');
  const summary: FileSummary & { offline: true } = {
    file: basename(path),
    ...(anySite ? {} : { iis_id: site.iis_id }),
    ...(check.format ? { format: check.format } : {}),
    ...(check.kind ? { kind: check.kind } : {}),
    status: fileProblem ? 'failed' : 'completed',
    rows: check.counts.rows,
    accepted: check.counts.accepted,
    rejected: check.counts.rejected,
    duplicates: check.counts.duplicates,
    warnings: check.counts.warnings,
    by_code: check.counts.byCode,
    file_findings: check.fileFindings,
    timings: {
      started_at: startedAt.toISOString(),
      completed_at: done.toISOString(),
      total_ms: done.getTime() - startedAt.getTime(),
    },
    offline: true,
  };
  writeFileSync(summaryPath, `${JSON.stringify(summary, null, 2)}\n`);
  io.stdout.write(
    `${basename(path)}${anySite ? '' : `  site ${site.iis_id}`}  checked offline: nothing stored\n`,
  );
  io.stdout.write(formatSummary(summary));
  io.stdout.write(`results: ${resultsPath}\nsummary: ${summaryPath}\n`);
  return fileProblem ? EXIT.failed : EXIT.ok;
});

/** The first line of a file (after a byte order mark), enough to tell HL7 from CVRS text as CDC's tool does. */
function firstLine(path: string): string {
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.alloc(4096);
    const text = head.subarray(0, readSync(fd, head, 0, head.length, 0)).toString('utf8');
    return text.replace(/^\uFEFF/, '').split(/[\r\n]/)[0] ?? '';
  } finally {
    closeSync(fd);
  }
}

/**
 * --cdc: CDC's validator on one file, its report on stdout. A text report is written as the file is read, so a
 * 200,000-row file never holds its findings; the JSON report lists every finding twice and is built at the end.
 */
async function validateCdc(
  path: string,
  opts: { json: boolean; version: '1' | '2'; defaults: boolean; today?: string },
  io: Io,
): Promise<number> {
  fileSize(path);
  const cdc = await import('#cdc/validator/index.ts');
  const { isHl7Delimiter } = await import('#cdc/validator/header.ts');
  const check = { version: opts.version, ...(opts.today ? { today: opts.today } : {}) };
  let result: Awaited<ReturnType<typeof cdc.validateCvrsStream>>;
  try {
    if (path.toLowerCase().endsWith('.hl7') || isHl7Delimiter(firstLine(path))) {
      const { validateHl7Text } = await import('#cdc/validator/hl7.ts');
      // CDC's -d: what an HL7 message leaves out is filled with CDC's defaults before the record is checked.
      result = validateHl7Text(readFileSync(path), { ...check, defaults: opts.defaults });
      io.stdout.write(opts.json ? cdc.formatJsonReport(path, result) : cdc.formatTextReport(path, result));
    } else if (opts.json) {
      result = await cdc.validateCvrsStream(createReadStream(path), check);
      io.stdout.write(cdc.formatJsonReport(path, result));
    } else {
      const report = new cdc.TextReportWriter(path, (t) => io.stdout.write(t));
      result = await cdc.validateCvrsStream(createReadStream(path), {
        ...check,
        keepFindings: false,
        onFinding: report.onFinding,
      });
      report.end(result);
    }
  } catch (err) {
    if (!(err instanceof cdc.CdcValidatorStopped)) throw err;
    io.stderr.write(`CDC's validator stops on ${path} without a report: ${err.message}\n`);
    return EXIT.failed;
  }
  io.stderr.write(`CDC's validator would exit with ${result.cdcErrorCount} (its error count) for ${path}\n`);
  return EXIT.ok;
}

/**
 * Belt and braces for "offline", when run as a command: every SDK client the intake modules build refuses to
 * send. A dry run makes no call (a test proves it); should a change ever make one, validate fails loudly
 * instead of reaching AWS.
 */
export async function forbidAws(): Promise<void> {
  const [{ dynamodb }, { sqs }, { s3 }] = await Promise.all([
    import('#platform/aws/dynamodb.ts'),
    import('#platform/aws/sqs.ts'),
    import('#platform/aws/s3.ts'),
  ]);
  const refuse = (commandName?: string) => {
    throw new Error(`validate is offline but something tried to call AWS (${commandName ?? 'a command'})`);
  };
  const options = { step: 'initialize', name: 'offlineGuard', priority: 'high', override: true } as const;
  dynamodb.middlewareStack.add((_next, context) => async () => refuse(context.commandName), options);
  sqs.middlewareStack.add((_next, context) => async () => refuse(context.commandName), options);
  s3.middlewareStack.add((_next, context) => async () => refuse(context.commandName), options);
}

if (import.meta.main) {
  // --cdc loads no intake module, so there is no SDK client to guard (and none to load).
  if (!process.argv.includes('--cdc')) await forbidAws();
  await run(validate);
}
