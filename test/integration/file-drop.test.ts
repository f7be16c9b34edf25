import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateFile } from '#files/validate-file.ts';
import { startLocalRuntime } from '../../local/runtime.ts';
import { intakeOnly } from '../../local/topologies.ts';
import {
  alternating,
  doseFile,
  expectedCounts,
  LINE_ENDING_CASES,
  mixedKinds,
  withExtraColumns,
  withLineEndings,
  withQuotedBreaks,
} from '../fixtures/files.ts';
import { ADMIN_KEY, type Client, client, drain, enroll, type Runtime } from './harness.ts';

let rt: Runtime;
let api: Client;
let site: { iis_id: string; api_key: string };

beforeAll(async () => {
  rt = await startLocalRuntime({
    iam: true,
    topology: intakeOnly(),
    port: 0,
    schedules: false,
    sqs: { waitTimeSeconds: 1 },
    // At-least-once: every S3 notification arrives twice, and nothing may be stored or published twice.
    s3Notifications: { duplicateEvery: 1 },
    extraEnv: { ADMIN_KEY, POWERTOOLS_LOG_LEVEL: 'ERROR', INGEST_CHUNK_ROWS: '37' },
  });
  api = client(rt);
  site = await enroll(api);
});
afterAll(async () => rt?.stop());

/** The same file through offline validation (npm run validate): its results text and counts. */
async function offline(name: string, body: string | Buffer, iisId = site.iis_id) {
  const dir = mkdtempSync(join(tmpdir(), 'drop-vs-offline-'));
  try {
    const path = join(dir, name);
    writeFileSync(path, body);
    const out = new PassThrough();
    const parts: Buffer[] = [];
    out.on('data', (b: Buffer) => parts.push(b));
    const check = await validateFile(path, iisId, out);
    out.end();
    return { check, results: Buffer.concat(parts).toString('utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Uploads through the API as a site would: ask for a URL, PUT the bytes, wait for the outcome. */
async function drop(name: string, body: string | Buffer, key = site.api_key): Promise<any> {
  const start = await api.call('POST', '/v1/uploads', { key, body: { name } });
  expect(start.status).toBe(201);
  const put = await fetch(start.json.url, { method: 'PUT', headers: start.json.headers, body });
  expect(put.status).toBe(200);
  return waitFor(start.json.upload_id, key);
}

async function waitFor(uploadId: string, key = site.api_key): Promise<any> {
  const until = Date.now() + 60_000;
  for (;;) {
    const res = await api.call('GET', `/v1/uploads/${uploadId}`, { key });
    if (res.json.status === 'completed' || res.json.status === 'failed') return res.json;
    if (Date.now() > until) throw new Error(`upload ${uploadId} stuck in ${res.json.status}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function storedVersions(iisId: string): Promise<number> {
  const dynamo = new DynamoDBClient({});
  let n = 0;
  let start: any;
  do {
    const page = await dynamo.send(
      new ScanCommand({
        TableName: rt.env.DOSES_TABLE,
        FilterExpression: 'iis_id = :s',
        ExpressionAttributeValues: { ':s': { S: iisId } },
        ExclusiveStartKey: start,
      }),
    );
    n += page.Count ?? 0;
    start = page.LastEvaluatedKey;
  } while (start);
  return n;
}

describe('dropping a file', () => {
  it('stores exactly the valid rows once, publishes one message each, and answers with a results file', async () => {
    // Prepare: 1,000 rows in 28 chunks of 37, so repeats (every 25th row) fall on both sides of boundaries.
    const kinds = mixedKinds(1000);
    const expected = expectedCounts(kinds);
    await drain(rt.env.REGISTRY_QUEUE_URL!);
    await drain(rt.env.CDC_QUEUE_URL!);
    // Act
    const done = await drop('clinic day.tsv', doseFile(kinds, 'cvrs', 'D1'));
    // Assess
    expect(done.status).toBe('completed');
    expect(done.summary).toMatchObject(expected);
    expect(done.rows_processed).toBe(1000);
    const results = await (await fetch(done.results_url)).text();
    const lines = results.trimEnd().split('\n');
    expect(lines).toHaveLength(1001);
    expect(lines[0]).toBe('row,vax_event_id,status,codes,messages');
    expect(lines[1]).toMatch(/^2,D1-0,accepted,/);
    expect(lines.filter((l) => l.includes(',duplicate,BUSR013'))).toHaveLength(expected.duplicates);
    expect(await storedVersions(site.iis_id)).toBe(expected.accepted);
    const reg = await drain(rt.env.REGISTRY_QUEUE_URL!);
    const cdc = await drain(rt.env.CDC_QUEUE_URL!);
    expect(reg).toHaveLength(expected.accepted);
    expect(new Set(reg.map((m) => m.vax_event_id)).size).toBe(expected.accepted);
    expect(cdc).toHaveLength(expected.accepted);
  });

  it.each(LINE_ENDING_CASES.map(([name, ending], i) => [name, i, ending] as const))(
    'a 3,000-row file, %s, completes with every row, the known mix and the counts of offline validation (issue 12 defect 2, issue 18 item 4)',
    async (_, i, ending) => {
      // Prepare: files concatenated from exports of different systems; chunks of 37 rows start on every kind of line.
      const kinds = mixedKinds(3000);
      const expected = expectedCounts(kinds);
      const body = withLineEndings(doseFile(kinds, 'csv', `LE${i}`), ending);
      const before = await storedVersions(site.iis_id);
      // Act
      const done = await drop(`line endings ${i}.csv`, body);
      const local = await offline(`line endings ${i}.csv`, body);
      // Assess: one results line per input row, the known mix, and the same answer as offline, row by row.
      expect(done.status).toBe('completed');
      expect(done.rows_total).toBe(3000);
      expect(done.rows_processed).toBe(3000);
      expect(done.summary).toMatchObject(expected);
      const results = await (await fetch(done.results_url)).text();
      const lines = results.trimEnd().split('\n');
      expect(lines).toHaveLength(3001);
      expect(lines.at(-1)).toMatch(/^3001,/);
      expect(local.check.counts).toMatchObject(expected);
      expect(done.summary.by_code).toEqual(local.check.counts.byCode);
      expect(results).toBe(local.results);
      expect(await storedVersions(site.iis_id)).toBe(before + expected.accepted);
      await drain(rt.env.REGISTRY_QUEUE_URL!);
      await drain(rt.env.CDC_QUEUE_URL!);
    },
    120_000,
  );

  it('quoted values with line breaks across chunk boundaries: every row as offline (issue 18, item 4)', async () => {
    // Prepare: 300 rows under a CRLF header, LF/CRLF alternating; every 3rd row's street has a quoted LF, CRLF or
    // CR in it, so chunks of 37 rows start next to quoted line breaks of every kind.
    const kinds = mixedKinds(300);
    let body = withLineEndings(doseFile(kinds, 'csv', 'QB'), alternating(true));
    for (const [k, brk] of ['\n', '\r\n', '\r'].entries())
      body = withQuotedBreaks(body, (row) => row % 9 === k * 3, brk);
    // Act
    const done = await drop('quoted breaks.csv', body);
    const local = await offline('quoted breaks.csv', body);
    // Assess
    expect(done.status).toBe('completed');
    expect(done.rows_processed).toBe(300);
    expect(done.summary.rows).toBe(300);
    expect(await (await fetch(done.results_url)).text()).toBe(local.results);
    expect(done.summary.by_code).toEqual(local.check.counts.byCode);
    await drain(rt.env.REGISTRY_QUEUE_URL!);
    await drain(rt.env.CDC_QUEUE_URL!);
  });

  it('a file with columns that are not CVRS fields gets the same findings dropped as offline (issue 18, item 5)', async () => {
    // Prepare: a CVRS v1-style file (v2's columns and v1's vax_prov_suffix, recip_missed_appt), 100 rows.
    const kinds = mixedKinds(100);
    const body = withExtraColumns(doseFile(kinds, 'cvrs', 'V1'), ['vax_prov_suffix', 'recip_missed_appt']);
    // Act
    const done = await drop('v1-style.txt', body);
    const local = await offline('v1-style.txt', body);
    // Assess: the plan the worker read back from JSON ignores the two columns, as the planner did.
    expect(done.status).toBe('completed');
    expect(done.summary).toMatchObject(expectedCounts(kinds));
    expect(done.summary.by_code.DQ016).toBeUndefined();
    expect(done.file_findings).toEqual([expect.objectContaining({ code: 'FILE008', severity: 'warning' })]);
    expect(done.summary.by_code).toEqual(local.check.counts.byCode);
    expect(done.summary.warnings).toBe(local.check.counts.warnings);
    expect(done.file_findings).toEqual(local.check.fileFindings);
    expect(await (await fetch(done.results_url)).text()).toBe(local.results);
    await drain(rt.env.REGISTRY_QUEUE_URL!);
    await drain(rt.env.CDC_QUEUE_URL!);
  });

  it('the same content dropped again changes nothing and answers with the earlier results', async () => {
    const body = doseFile(mixedKinds(120), 'csv', 'D2');
    const first = await drop('again.csv', body);
    await drain(rt.env.REGISTRY_QUEUE_URL!);
    const before = await storedVersions(site.iis_id);
    const second = await drop('again-renamed.csv', body);
    expect(second.status).toBe('completed');
    expect(second.duplicate_of).toBe(first.upload_id);
    expect(second.summary).toEqual(first.summary);
    expect(await drain(rt.env.CDC_QUEUE_URL!)).toHaveLength(first.summary.accepted);
    expect(await (await fetch(second.results_url)).text()).toBe(
      await (await fetch(first.results_url)).text(),
    );
    expect(await storedVersions(site.iis_id)).toBe(before);
    expect(await drain(rt.env.REGISTRY_QUEUE_URL!)).toEqual([]);
    expect(await drain(rt.env.CDC_QUEUE_URL!)).toEqual([]);
  });

  it("another site cannot read an upload, nor get a URL under another site's prefix", async () => {
    const other = await enroll(api);
    const mine = await api.call('POST', '/v1/uploads', { key: site.api_key, body: { name: 'private.csv' } });
    expect((await api.call('GET', `/v1/uploads/${mine.json.upload_id}`, { key: other.api_key })).status).toBe(
      404,
    );
    const foreign = await api.call('POST', '/v1/uploads', {
      key: other.api_key,
      body: { name: 'x.csv', iis_id: site.iis_id },
    });
    expect(foreign.status).toBe(403);
    expect(foreign.json.issues[0].code).toBe('AUTH004');
    const sneaky = await api.call('POST', '/v1/uploads', {
      key: site.api_key,
      body: { name: '../../results/x.csv' },
    });
    expect(sneaky.status).toBe(400);
  });

  it("a site's list of uploads: newest first, its own only, pages by before, counts when done", async () => {
    const other = await enroll(api);
    const a = await drop('list-a.csv', doseFile(mixedKinds(12), 'csv', 'LA'), other.api_key);
    const b = await drop('list-b.csv', doseFile(mixedKinds(12), 'csv', 'LB'), other.api_key);
    const pending = await api.call('POST', '/v1/uploads', {
      key: other.api_key,
      body: { name: 'later.csv' },
    });
    const all = await api.call('GET', '/v1/uploads', { key: other.api_key });
    expect(all.status).toBe(200);
    expect(all.json.iis_id).toBe(other.iis_id);
    expect(all.json.uploads.map((u: { upload_id: string }) => u.upload_id)).toEqual([
      pending.json.upload_id,
      b.upload_id,
      a.upload_id,
    ]);
    expect(all.json.uploads[0]).toMatchObject({ name: 'later.csv', status: 'received', counts: null });
    expect(all.json.uploads[1]).toMatchObject({
      name: 'list-b.csv',
      status: 'completed',
      rows_processed: b.summary.rows,
      counts: {
        accepted: b.summary.accepted,
        rejected: b.summary.rejected,
        duplicates: b.summary.duplicates,
        warnings: b.summary.warnings,
      },
    });
    expect(all.json.next_before).toBeNull();
    const page1 = await api.call('GET', '/v1/uploads?limit=2', { key: other.api_key });
    expect(page1.json.uploads).toHaveLength(2);
    const page2 = await api.call('GET', `/v1/uploads?limit=2&before=${page1.json.next_before}`, {
      key: other.api_key,
    });
    expect(page2.json.uploads.map((u: { upload_id: string }) => u.upload_id)).toEqual([a.upload_id]);
    // The first site's list does not hold them, and names no other site's uploads.
    const mine = await api.call('GET', '/v1/uploads?limit=100', { key: site.api_key });
    expect(mine.json.uploads.some((u: { name: string }) => u.name.startsWith('list-'))).toBe(false);
    const foreign = await api.call('GET', `/v1/uploads?iis_id=${other.iis_id}`, { key: site.api_key });
    expect(foreign.status).toBe(403);
    expect(foreign.json.issues[0]).toMatchObject({ code: 'AUTH004', field: 'iis_id' });
    for (const bad of ['limit=0', 'limit=101', 'limit=x', 'before=yesterday']) {
      const res = await api.call('GET', `/v1/uploads?${bad}`, { key: site.api_key });
      expect(res.status, bad).toBe(400);
      expect(res.json.issues[0].code).toBe('REQ008');
      expect(res.json.issues[0].field).toBe(bad.split('=')[0]);
    }
  });

  it.each([
    ['binary.xlsx', Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0x00, 0x08, 0x00]), 'FILE003'],
    ['empty.csv', Buffer.alloc(0), 'FILE002'],
    ['no-columns.tsv', 'vax_event_id\trecip_id\trecip_first_name\nE1\tR1\tAna\n', 'FILE006'],
  ])('%s gets one clear file-level finding and stores nothing', async (name, body, code) => {
    const before = await storedVersions(site.iis_id);
    const done = await drop(name, body);
    expect(done.status).toBe('failed');
    expect(done.file_findings).toEqual([expect.objectContaining({ code, severity: 'error', field: 'file' })]);
    const results = await (await fetch(done.results_url)).text();
    expect(results.trimEnd().split('\n')).toHaveLength(2);
    expect(results).toContain(code);
    if (code === 'FILE006') expect(done.file_findings[0].message).toMatch(/admin_date.*cvx/);
    expect(await storedVersions(site.iis_id)).toBe(before);
  });

  it('a file dropped straight into the bucket by an operator is processed the same way', async () => {
    const s3 = new S3Client({});
    const kinds = mixedKinds(30);
    const key = `incoming/${site.iis_id}/operator/march 3+4.tsv`;
    await s3.send(
      new PutObjectCommand({ Bucket: rt.env.DROP_BUCKET, Key: key, Body: doseFile(kinds, 'cvrs', 'OP') }),
    );
    const until = Date.now() + 30_000;
    let summary: any;
    while (!summary && Date.now() < until) {
      const res = await s3
        .send(
          new (await import('@aws-sdk/client-s3')).GetObjectCommand({
            Bucket: rt.env.DROP_BUCKET,
            Key: `results/${site.iis_id}/march 3+4.tsv.summary.json`,
          }),
        )
        .catch(() => undefined);
      if (res) summary = JSON.parse(await res.Body!.transformToString());
      else await new Promise((r) => setTimeout(r, 100));
    }
    expect(summary).toMatchObject({ status: 'completed', ...expectedCounts(kinds) });
  });
});
