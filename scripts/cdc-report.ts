/**
 * npm run cdc-report -- --date YYYY-MM-DD [--function <name or ARN>] [--grace <seconds>] [--json]
 * Runs the daily CDC report for one day by invoking the cdcReport function through the Lambda Invoke API: the
 * local stack of npm start by default, a deployed function with --function (your AWS credentials and region).
 * Prints what was built and sent. Running a day again sends only what is missing.
 */
import type { DayReport } from '#cdc/report-day.ts';
import { command, EXIT, parseCommandLine, run, table, UsageError } from './lib/cli.ts';
import { invokeFunction } from './lib/invoke.ts';

const USAGE = `Usage: npm run cdc-report -- --date YYYY-MM-DD [--function <name|arn>] [--grace <seconds>] [--json]

Builds (once) and uploads the CDC CVRS files of one report day (a California calendar day), then prints the
files, their records and CDC's receipts. A day already sent is not sent again; a failed upload is retried.

  --date <day>         the report day, or "yesterday"
  --function <name>    the cdcReport function of a deployed stack; default: the local stack of npm start
  --grace <seconds>    wait after closing the day for changes still being staged (default: the function's)
  --json               the function's answer as JSON
`;

export const cdcReport = command(USAGE, async (argv, io) => {
  const { values, positionals } = parseCommandLine(argv, {
    date: { type: 'string' },
    function: { type: 'string' },
    grace: { type: 'string' },
    json: { type: 'boolean' },
  });
  if (positionals.length > 0) throw new UsageError(`Unexpected argument ${positionals[0]}.`);
  const day = values.date?.trim();
  if (!day || !(day === 'yesterday' || /^\d{4}-\d{2}-\d{2}$/.test(day)))
    throw new UsageError('--date YYYY-MM-DD (or yesterday) is required.');
  let grace: number | undefined;
  if (values.grace !== undefined) {
    grace = Number(values.grace);
    if (!Number.isFinite(grace) || grace < 0)
      throw new UsageError('--grace must be a number of seconds ≥ 0.');
  }
  const res = await invokeFunction<{ reports: DayReport[] }>(
    'cdcReport',
    values.function,
    { day, ...(grace === undefined ? {} : { closeGraceSeconds: grace }) },
    io,
  );
  if (!res.ok) {
    io.stderr.write(`The report failed: ${res.error}\n`);
    return EXIT.failed;
  }
  const answer = res.answer;
  if (values.json) io.stdout.write(`${JSON.stringify(answer, null, 2)}\n`);
  else for (const r of answer.reports) io.stdout.write(describe(r));
  return answer.reports.every((r) => r.status === 'uploaded') ? EXIT.ok : EXIT.failed;
});

function describe(r: DayReport): string {
  const lines = [`CDC report for ${r.day}: ${r.status}${r.error ? ` (${r.error})` : ''}`];
  const built =
    r.built === 'now' ? 'built now' : r.built === 'before' ? 'built by an earlier run' : 'not built';
  const records = r.files.reduce((n, f) => n + f.records, 0);
  lines.push(
    `  ${r.files.length} file(s), ${records.toLocaleString('en-US')} record(s), ${built}; ${r.heldBack} held back`,
  );
  if (r.files.length)
    lines.push(
      table(
        ['file', 'type', 'records', 'sent', 'receipt', 'validation', 'processing'],
        r.files.map((f) => [
          f.name,
          f.type,
          f.records.toLocaleString('en-US'),
          f.sent,
          f.receipt?.id ?? '',
          String(f.receipt?.validationErrors ?? ''),
          String(f.receipt?.processingErrors ?? ''),
        ]),
        new Set([2, 5, 6]),
      )
        .trimEnd()
        .replace(/^/gm, '  '),
    );
  for (const f of r.files) for (const e of f.receipt?.firstErrors ?? []) lines.push(`  ${f.name}: ${e}`);
  if (r.heldBack)
    lines.push('  Held-back records and their findings: cdc/<day>/held-back.json in the audit bucket.');
  return `${lines.join('\n')}\n`;
}

if (import.meta.main) await run(cdcReport);
