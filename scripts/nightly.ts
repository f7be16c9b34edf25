/**
 * npm run nightly -- --date YYYY-MM-DD [--function <name or ARN>] [--json]
 * Runs the nightly accountability roll-up for one day by invoking the nightlyRollup function through the Lambda
 * Invoke API: the local stack of npm start by default, a deployed function with --function. Re-running a day
 * rewrites byte-identical reports. Then the reminder/recall lists (followUp) as of the morning after that day.
 */
import type { AnalyticsResult } from '#analytics/nightly/run.ts';
import type { FollowUpResult } from '#persons/follow-up.ts';
import { addDays } from '#platform/dates.ts';
import type { RollupResult } from '#stock/run-rollup.ts';
import { command, EXIT, parseCommandLine, run, UsageError } from './lib/cli.ts';
import { invokeFunction } from './lib/invoke.ts';

const USAGE = `Usage: npm run nightly -- --date YYYY-MM-DD [--function <name|arn>] [--json]

Rolls up one California day that has ended (or "yesterday"): stock per site, NDC and lot, expiring lots, doses
given from expired lots or past a beyond-use date, statewide totals. Missed days before it are rolled up first.
Then the follow-up lists (people due or overdue for their next dose) as of the morning after the day, and
the day's uptake, coverage, supply and timeliness figures (analytics/<day>/ in the reports bucket).

  --date <day>         the day, or "yesterday"
  --function <name>    the nightlyRollup function of a deployed stack; default: the local stack of npm start
  --follow-up <name>   the followUp function of a deployed stack (with --function)
  --analytics <name>   the analyticsNightly function of a deployed stack (with --function)
  --json               the function's answer as JSON
`;

export const nightly = command(USAGE, async (argv, io) => {
  const { values, positionals } = parseCommandLine(argv, {
    date: { type: 'string' },
    function: { type: 'string' },
    'follow-up': { type: 'string' },
    analytics: { type: 'string' },
    json: { type: 'boolean' },
  });
  if (positionals.length > 0) throw new UsageError(`Unexpected argument ${positionals[0]}.`);
  const date = values.date?.trim();
  if (!date || !(date === 'yesterday' || /^\d{4}-\d{2}-\d{2}$/.test(date)))
    throw new UsageError('--date YYYY-MM-DD (or yesterday) is required.');
  const res = await invokeFunction<RollupResult>('nightlyRollup', values.function, { date }, io);
  if (!res.ok) {
    io.stderr.write(`The roll-up failed: ${res.error}\n`);
    return EXIT.failed;
  }
  const r = res.answer;
  const asOf = date === 'yesterday' ? 'today' : addDays(date, 1);
  const follow = await invokeFunction<FollowUpResult>('followUp', values['follow-up'], { date: asOf }, io);
  if (!follow.ok) {
    io.stderr.write(`The follow-up lists failed: ${follow.error}\n`);
    return EXIT.failed;
  }
  const f = follow.answer;
  const figures = await invokeFunction<AnalyticsResult>('analyticsNightly', values.analytics, { date }, io);
  if (!figures.ok) {
    io.stderr.write(`The analytics failed: ${figures.error}\n`);
    return EXIT.failed;
  }
  const a = figures.answer;
  if (values.json) io.stdout.write(`${JSON.stringify({ ...r, follow_up: f, analytics: a }, null, 2)}\n`);
  else {
    const extra = r.days.length > 1 ? ` (and ${r.days.length - 1} missed day(s) before it)` : '';
    io.stdout.write(
      `Roll-up for ${r.date}: done${extra}\n` +
        Object.entries(r.counts)
          .map(([k, v]) => `  ${k.replaceAll('_', ' ').padEnd(14)} ${v.toLocaleString('en-US')}\n`)
          .join('') +
        `Reports: ${r.files.join(', ')}\n` +
        `Follow-up lists as of ${f.date}: ${f.counts.due} due, ${f.counts.overdue} overdue, at ${f.sites} site(s)\n` +
        `Uptake, coverage, supply, timeliness for ${a.date}: ${a.counts.versions} dose change(s), ` +
        `${a.counts.rejections} rejection(s), ${a.files} file(s) under analytics/${a.date}/\n`,
    );
  }
  return EXIT.ok;
});

if (import.meta.main) await run(nightly);
