/**
 * npm run uploads -- [--status <status>] [--table <name>]: lists uploads by status (the uploads table's
 * by-status index), oldest update first. The local stack of npm start by default; --table reads a deployed
 * table with the caller's own AWS credentials and region.
 */
import {
  CommandError,
  command,
  dataDir,
  EXIT,
  type Io,
  parseCommandLine,
  positiveNumber,
  run,
  runningStack,
  table,
  UsageError,
} from './lib/cli.ts';

const STATUSES = ['received', 'processing', 'completed', 'failed'] as const;
type Status = (typeof STATUSES)[number];

const USAGE = `Usage: npm run uploads -- [--status received|processing|completed|failed] [--table <name>] [--limit <n>] [--json]

Lists dropped files by status, oldest update first (all four statuses when --status is omitted).

  --status <status>  only this status
  --table <name>     the uploads table of a deployed stack (your AWS credentials and AWS_REGION); default: the
                     local stack of npm start ($DATA_DIR/endpoints.json)
  --limit <n>        at most n uploads per status (default 100)
  --json             one JSON object per upload instead of a table
`;

interface Row {
  upload_id: string;
  iis_id: string;
  name: string;
  status: string;
  rows_processed: number;
  rows_total: number | null;
  updated_at: string;
}

/** Points the shared DynamoDB client at the local stand-in, before it is first imported. */
function useLocalStack(io: Io): void {
  const dir = dataDir(io.env);
  const stack = runningStack(dir);
  if (!stack)
    throw new CommandError(
      `No local pipeline is running for ${dir} (no live endpoints.json). Start it with npm start, or give --table <name> for a deployed one.`,
    );
  Object.assign(process.env, {
    UPLOADS_TABLE: 'uploads',
    AWS_ENDPOINT_URL_DYNAMODB: stack.endpoints.dynamodb,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
  });
  delete process.env.AWS_SESSION_TOKEN;
  delete process.env.AWS_PROFILE;
}

export const uploads = command(USAGE, async (argv, io) => {
  const { values, positionals } = parseCommandLine(argv, {
    status: { type: 'string' },
    table: { type: 'string' },
    limit: { type: 'string' },
    json: { type: 'boolean' },
  });
  if (positionals.length > 0) throw new UsageError(`Unexpected argument ${positionals[0]}.`);
  const status = values.status?.toLowerCase();
  if (status !== undefined && !STATUSES.includes(status as Status))
    throw new UsageError(`--status must be one of ${STATUSES.join(', ')}, not '${values.status}'.`);
  const limit = Math.floor(positiveNumber(values.limit, 'limit', 100));
  if (values.table !== undefined) {
    if (!values.table.trim()) throw new UsageError('--table needs the table name.');
    process.env.UPLOADS_TABLE = values.table.trim();
  } else {
    useLocalStack(io);
  }
  const { uploadsByStatus } = await import('#files/uploads-store.ts');
  const wanted = status ? [status as Status] : [...STATUSES];
  const rows: Row[] = [];
  const truncated: Status[] = [];
  try {
    for (const s of wanted) {
      const found = await uploadsByStatus(s, undefined, limit);
      if (found.length >= limit) truncated.push(s);
      for (const u of found)
        rows.push({
          upload_id: u.upload_id,
          iis_id: u.iis_id,
          name: u.name,
          status: u.status,
          // As GET /v1/uploads/{id} shows it: a completed upload has processed every row.
          rows_processed: u.status === 'completed' ? (u.rows_total ?? u.rows_done ?? 0) : (u.rows_done ?? 0),
          rows_total: u.rows_total ?? null,
          updated_at: u.updated_at,
        });
    }
  } catch (err) {
    const e = err as Error & { $metadata?: unknown };
    const where = values.table ? `table ${values.table}` : 'the local uploads table';
    throw new CommandError(`Could not read ${where}: ${e.name}: ${e.message}`);
  }
  if (values.json) {
    for (const r of rows) io.stdout.write(`${JSON.stringify(r)}\n`);
  } else if (rows.length === 0) {
    io.stdout.write(`No uploads ${status ? `with status ${status}` : 'yet'}.\n`);
  } else {
    io.stdout.write(
      table(
        ['upload_id', 'iis_id', 'name', 'status', 'rows', 'updated_at'],
        rows.map((r) => [
          r.upload_id,
          r.iis_id,
          r.name.length > 40 ? `${r.name.slice(0, 39)}…` : r.name,
          r.status,
          `${r.rows_processed.toLocaleString('en-US')}/${r.rows_total === null ? '?' : r.rows_total.toLocaleString('en-US')}`,
          r.updated_at,
        ]),
        new Set([4]),
      ),
    );
  }
  if (truncated.length > 0)
    io.stderr.write(`Only the first ${limit} of ${truncated.join(', ')} are shown: raise --limit.\n`);
  return EXIT.ok;
});

if (import.meta.main) await run(uploads);
