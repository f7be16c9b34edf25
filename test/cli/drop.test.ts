/**
 * npm run drop against the whole local pipeline in this process: the upload URL, the streamed PUT, the S3
 * notification, planning, chunks, the results, then the summary and exit code the command gives. The stack
 * runs with a data directory so the command finds it as it finds `npm start` (endpoints.json, credentials.json).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalRuntime } from '../../local/runtime.ts';
import { intakeOnly } from '../../local/topologies.ts';
import { dropCommand } from '../../scripts/drop.ts';
import { uploads } from '../../scripts/uploads.ts';
import { doseFile, expectedCounts, mixedKinds } from '../fixtures/files.ts';
import { ADMIN_KEY, client, enroll, type Runtime } from '../integration/harness.ts';
import { BINARY, captureIo, summaryCount, tempDir, withoutColumns } from './helpers.ts';

const drop = dropCommand({ pollMs: 100 });
const dir = tempDir('drop-cli');
let rt: Runtime;
let site: { iis_id: string; api_key: string };

beforeAll(async () => {
  rt = await startLocalRuntime({
    topology: intakeOnly(),
    dataDir: dir.path,
    port: 0,
    schedules: false,
    extraEnv: { ADMIN_KEY, POWERTOOLS_LOG_LEVEL: 'ERROR' },
    sqs: { waitTimeSeconds: 1 },
    logger: () => {},
  });
  site = await enroll(client(rt));
  // What npm start writes: the command takes the site's key from here.
  writeFileSync(
    join(dir.path, 'credentials.json'),
    JSON.stringify({ admin_key: ADMIN_KEY, sites: [{ iis_id: 'OTHERSITE1', api_key: 'cak_x.y' }, site] }),
  );
});

afterAll(async () => {
  await rt?.stop();
  dir.remove();
});

const env = () => ({ DATA_DIR: dir.path });
const kinds = mixedKinds(300);
const file = join(dir.path, 'clinic-2021-03-10.tsv');
writeFileSync(file, doseFile(kinds, 'cvrs', `D${process.pid}`));
let firstUpload = '';

describe('npm run drop', () => {
  it('uploads a file to the local stack, follows it and prints the summary and where the results are', async () => {
    const { io, stdout, stderr } = captureIo(env());
    // No --url or --key: the local API from endpoints.json, the key of --site from credentials.json.
    const code = await drop(['--site', site.iis_id.toLowerCase(), file], io);
    expect(stderr()).toMatch(/^upload up_[a-f0-9]{20}: clinic-2021-03-10\.tsv \(/);
    expect(code, stdout() + stderr()).toBe(0);
    const out = stdout();
    const want = expectedCounts(kinds);
    expect(summaryCount(out, 'rows')).toBe(want.rows);
    expect(summaryCount(out, 'accepted')).toBe(want.accepted);
    expect(summaryCount(out, 'rejected')).toBe(want.rejected);
    expect(summaryCount(out, 'duplicates')).toBe(want.duplicates);
    expect(out).toContain('BUSR013');
    expect(out).toContain(`s3://drop/results/${site.iis_id}/clinic-2021-03-10.tsv.results.csv`);
    firstUpload = /^upload (up_[a-f0-9]{20})/m.exec(out)![1]!;

    // The link works and the results file has one line per row.
    const url = /^results: (\S+)/m.exec(out)![1]!;
    const res = await fetch(url);
    expect(res.status).toBe(200);
    const rows = parse(await res.text()) as string[][];
    expect(rows[0]).toEqual(['row', 'vax_event_id', 'status', 'codes', 'messages']);
    expect(rows).toHaveLength(want.rows + 1);
  });

  it('answers a second drop of the same content with the first one’s results', async () => {
    const { io, stdout } = captureIo(env());
    expect(await drop(['--url', rt.apiUrl, '--key', site.api_key, file], io)).toBe(0);
    expect(stdout()).toContain(`already sent as upload ${firstUpload}`);
    expect(summaryCount(stdout(), 'accepted')).toBe(expectedCounts(kinds).accepted);
  });

  it('exits 1 with the file-level finding for a binary, an empty and a header-short file', async () => {
    const cases = [
      { name: 'export.xlsx', body: BINARY, code: 'FILE003' },
      { name: 'empty.csv', body: Buffer.alloc(0), code: 'FILE002' },
      {
        name: 'short.tsv',
        body: withoutColumns(doseFile(mixedKinds(5)), ['admin_date', 'cvx']),
        code: 'FILE006',
      },
    ];
    const outcomes = await Promise.all(
      cases.map(async (c) => {
        const path = join(dir.path, c.name);
        writeFileSync(path, c.body);
        const { io, stdout, stderr } = captureIo({ DROP_API_URL: rt.apiUrl, DROP_API_KEY: site.api_key });
        return { ...c, exit: await drop([path], io), out: stdout() + stderr() };
      }),
    );
    for (const o of outcomes) {
      expect(o.exit, o.out).toBe(1);
      expect(o.out).toContain('The file was not processed: nothing in it was stored.');
      expect(o.out).toContain(o.code);
    }
    expect(outcomes[2]!.out).toMatch(/missing required columns admin_date, cvx/);
  });

  it('npm run uploads lists them by status', async () => {
    const all = captureIo(env());
    expect(await uploads([], all.io)).toBe(0);
    const table = all.stdout();
    expect(table.split('\n')[0]).toMatch(/^upload_id\s+iis_id\s+name\s+status\s+rows\s+updated_at$/);
    expect(table).toMatch(
      new RegExp(`${firstUpload}\\s+${site.iis_id}\\s+clinic-2021-03-10\\.tsv\\s+completed\\s+300/300`),
    );

    const failed = captureIo(env());
    expect(await uploads(['--status', 'failed', '--json'], failed.io)).toBe(0);
    const rows = failed
      .stdout()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(rows.map((r) => r.name).sort()).toEqual(['empty.csv', 'export.xlsx', 'short.tsv']);
    expect(rows.every((r) => r.status === 'failed')).toBe(true);
  });
});
