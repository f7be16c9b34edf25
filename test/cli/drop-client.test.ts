/**
 * The drop command's client side against a scripted stand-in of the uploads API: what it sends (the PUT's
 * exact headers and length, streamed), how it follows progress, its exit codes for each outcome, and its
 * usage and connection errors. Fast and deterministic: no pipeline runs here.
 */
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { dropCommand } from '../../scripts/drop.ts';
import { doseFile, mixedKinds } from '../fixtures/files.ts';
import { captureIo, tempDir } from './helpers.ts';

const drop = dropCommand({ pollMs: 10, outageMs: 50 });
const dir = tempDir('drop-client');
const KEY = 'cak_test.secret';
const ID = `up_${'ab'.repeat(10)}`;
const file = join(dir.path, 'clinic.tsv');
const body = doseFile(mixedKinds(50));
writeFileSync(file, body);

interface Received {
  post?: { auth?: string; body: any };
  put?: { headers: IncomingMessage['headers']; bytes: number; sha256: string; path: string };
  gets: number;
}

/** Views GET answers in turn (the last one repeats); `putStatus` for a refused PUT. */
let views: (object | number)[] = [];
let putStatus = 200;
let received: Received = { gets: 0 };
let server: Server;
let base = '';

function send(res: ServerResponse, status: number, value: unknown, type = 'application/json') {
  res.writeHead(status, { 'content-type': type });
  res.end(typeof value === 'string' ? value : JSON.stringify(value));
}

beforeAll(async () => {
  server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks);
    if (req.method === 'POST' && req.url === '/v1/uploads') {
      received.post = { auth: req.headers.authorization, body: JSON.parse(raw.toString()) };
      if (req.headers.authorization !== `Bearer ${KEY}`)
        return send(res, 401, { message: 'The key is unknown or revoked.' });
      return send(res, 201, {
        upload_id: ID,
        method: 'PUT',
        url: `${base}/drop/incoming/CAIRDEMO01/${ID}/clinic.tsv?X-Amz-Signature=abc`,
        headers: { 'content-type': received.post.body.content_type },
        expires_at: new Date(Date.now() + 900_000).toISOString(),
      });
    }
    if (req.method === 'PUT') {
      received.put = {
        headers: req.headers,
        bytes: raw.length,
        sha256: createHash('sha256').update(raw).digest('hex'),
        path: req.url ?? '',
      };
      if (putStatus !== 200)
        return send(
          res,
          putStatus,
          '<Error><Code>SignatureDoesNotMatch</Code><Message>The signature does not match.</Message></Error>',
          'application/xml',
        );
      return send(res, 200, '');
    }
    if (req.method === 'GET' && req.url === `/v1/uploads/${ID}`) {
      const view = views[Math.min(received.gets++, views.length - 1)]!;
      return typeof view === 'number'
        ? send(res, view, { message: 'Internal Server Error' })
        : send(res, 200, view);
    }
    send(res, 404, { message: 'Not Found' });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterEach(() => {
  views = [];
  putStatus = 200;
  received = { gets: 0 };
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  dir.remove();
});

const view = (over: Record<string, unknown> = {}) => ({
  upload_id: ID,
  iis_id: 'CAIRDEMO01',
  name: 'clinic.tsv',
  status: 'received',
  rows_total: null,
  rows_processed: 0,
  duplicate_of: null,
  file_findings: [],
  summary: null,
  results_url: null,
  summary_url: null,
  ...over,
});
const summary = (over: Record<string, unknown> = {}) => ({
  status: 'completed',
  format: 'cvrs',
  rows: 50,
  accepted: 44,
  rejected: 4,
  duplicates: 2,
  warnings: 1,
  by_code: { BUSR005: 4, BUSR013: 2, DQ019: 4, DQ010: 4 },
  file_findings: [],
  ...over,
});
const done = (over: Record<string, unknown> = {}) =>
  view({
    status: 'completed',
    rows_total: 50,
    rows_processed: 50,
    summary: summary(),
    results_url: `${base}/drop/results/CAIRDEMO01/clinic.tsv.results.csv?X-Amz-Signature=1`,
    summary_url: `${base}/drop/results/CAIRDEMO01/clinic.tsv.summary.json?X-Amz-Signature=2`,
    ...over,
  });

const args = (...more: string[]) => ['--url', base, '--key', KEY, ...more, file];

describe('drop, client side', () => {
  it('streams the file with its length and the issued headers, follows progress and prints the summary', async () => {
    views = [
      view(),
      view({ status: 'processing', rows_total: 50 }),
      view({ status: 'processing', rows_total: 50, rows_processed: 20 }),
      done(),
    ];
    const { io, stdout, stderr } = captureIo();
    expect(await drop(args('--site', 'cairdemo01'), io)).toBe(0);

    expect(received.post).toEqual({
      auth: `Bearer ${KEY}`,
      body: { name: 'clinic.tsv', content_type: 'text/tab-separated-values', iis_id: 'CAIRDEMO01' },
    });
    expect(received.put!.path).toBe(`/drop/incoming/CAIRDEMO01/${ID}/clinic.tsv?X-Amz-Signature=abc`);
    expect(received.put!.headers['content-type']).toBe('text/tab-separated-values');
    expect(received.put!.headers['content-length']).toBe(String(Buffer.byteLength(body)));
    expect(received.put!.headers['transfer-encoding']).toBeUndefined();
    expect(received.put!.sha256).toBe(createHash('sha256').update(body).digest('hex'));

    // Not a terminal: lines, not a redrawn bar.
    expect(stderr()).not.toContain('\r');
    expect(stderr()).toMatch(/waiting for the pipeline to pick the file up/);
    expect(stderr()).toMatch(/processing: 0\/50 rows/);
    expect(stdout()).toMatch(/^upload up_(ab){10} {2}clinic\.tsv {2}site CAIRDEMO01 {2}completed$/m);
    expect(stdout()).toMatch(/^accepted\s+44 {3}\(1 with warnings\)$/m);
    expect(stdout()).toMatch(/^ {2}BUSR005 {2}4 {2}The date of birth is after the administration date\.$/m);
    expect(stdout()).toContain('s3://drop/results/CAIRDEMO01/clinic.tsv.results.csv');
    expect(stdout()).toMatch(/^results: http:\/\/127\.0\.0\.1:\d+\/drop\/results\//m);
  });

  it('draws a bar in place on a terminal and clears it before the summary', async () => {
    views = [view({ status: 'processing', rows_total: 50, rows_processed: 25 }), done()];
    const { io, stderr } = captureIo({}, true);
    expect(await drop(args(), io)).toBe(0);
    // ESC[K (erase to the end of the line) shown as <EL>.
    const shown = stderr().replaceAll('\x1b[K', '<EL>');
    expect(shown).toMatch(/\r[|/\\-] \[#{10,}-{10,}\] {2}50% 25\/50 rows processing \d+s<EL>/);
    expect(shown).toMatch(/100% .*uploading/);
    expect(stderr().endsWith('\r\x1b[K')).toBe(true);
  });

  it('exits 1 and says why when the file failed as a whole', async () => {
    const finding = {
      code: 'FILE006',
      severity: 'error',
      field: 'file',
      message: 'The header is missing required columns admin_date, cvx. Add them and send the file again.',
    };
    views = [
      done({
        status: 'failed',
        rows_total: null,
        rows_processed: 0,
        file_findings: [finding],
        summary: summary({
          status: 'failed',
          rows: 0,
          accepted: 0,
          rejected: 0,
          duplicates: 0,
          warnings: 0,
          by_code: { FILE006: 1 },
          file_findings: [finding],
        }),
      }),
    ];
    const { io, stdout } = captureIo();
    expect(await drop(args(), io)).toBe(1);
    expect(stdout()).toContain('The file was not processed: nothing in it was stored.');
    expect(stdout()).toContain(`  FILE006  ${finding.message}`);
    expect(stdout()).toContain('results: ');
  });

  it('waits for the earlier upload of the same content and answers with its results', async () => {
    const earlierId = `up_${'cd'.repeat(10)}`;
    const repeat = { status: 'completed', duplicate_of: earlierId, rows_total: 50 };
    views = [
      view(repeat),
      {
        ...view(repeat),
        earlier: view({ upload_id: earlierId, status: 'processing', rows_total: 50, rows_processed: 10 }),
      },
      {
        ...view(repeat),
        earlier: done({
          upload_id: earlierId,
          results_url: `${base}/drop/results/CAIRDEMO01/first.tsv.results.csv?s=1`,
        }),
      },
    ];
    const { io, stdout, stderr } = captureIo();
    expect(await drop(args(), io)).toBe(0);
    expect(stderr()).toContain(`same content as upload ${earlierId}: processing: 10/50 rows`);
    expect(stdout()).toContain(`already sent as upload ${earlierId}`);
    expect(stdout()).toMatch(/^accepted\s+44/m);
    expect(stdout()).toContain('s3://drop/results/CAIRDEMO01/first.tsv.results.csv');
  });

  it('gives up after --timeout with exit 3, saying where the upload stands', async () => {
    views = [view({ status: 'processing', rows_total: 50, rows_processed: 10 })];
    const { io, stderr } = captureIo();
    const started = Date.now();
    expect(await drop(args('--timeout', '0.2'), io)).toBe(3);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(stderr()).toContain(`Gave up waiting after 0.2 s: upload ${ID} is processing, 10/50 rows.`);
    expect(stderr()).toContain(`The pipeline keeps going: look again with GET ${base}/v1/uploads/${ID}`);

    views = [view()];
    const waiting = captureIo();
    expect(await drop(args('--timeout', '0.1'), waiting.io)).toBe(3);
    expect(waiting.stderr()).toContain('is received, 0/? rows. The pipeline has not picked the file up');
  });

  it('rides out a few server errors while polling, and stops with exit 2 when they persist', async () => {
    views = [503, 500, done()];
    expect(await drop(args(), captureIo().io)).toBe(0);
    received.gets = 0;
    views = [500];
    const { io, stderr } = captureIo();
    expect(await drop(args(), io)).toBe(2);
    expect(stderr()).toMatch(/The API keeps failing \(500\): Internal Server Error/);
  });

  it('exits 2 with the API’s or the bucket’s own message when a call is refused', async () => {
    const badKey = captureIo();
    expect(await drop(['--url', base, '--key', 'cak_wrong.key', file], badKey.io)).toBe(2);
    expect(badKey.stderr()).toBe('The API refused the upload (401): The key is unknown or revoked.\n');

    putStatus = 403;
    const badPut = captureIo();
    expect(await drop(args(), badPut.io)).toBe(2);
    expect(badPut.stderr()).toContain(
      'The upload of clinic.tsv was refused (403): SignatureDoesNotMatch: The signature does not match.',
    );
  });

  it('exits 2 when nothing listens, with a hint for the local stack', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const { io, stderr } = captureIo({ PORT: String(port), DATA_DIR: dir.path, DROP_API_KEY: KEY });
    expect(await drop([file], io)).toBe(2);
    expect(stderr()).toBe(
      `Could not reach the API at http://127.0.0.1:${port}: connect ECONNREFUSED 127.0.0.1:${port}. Is the local pipeline running (npm start)?\n`,
    );
  });

  it.each([
    [[], {}, /^Name the file to drop\.\nUsage: npm run drop -- /],
    [['a.csv', 'b.csv'], {}, /Drop one file at a time \(got a\.csv, b\.csv\)/],
    [['--frobnicate', 'a.csv'], {}, /Unknown option '--frobnicate'/],
    [['--timeout=-1', 'FILE'], {}, /--timeout must be a positive number, not '-1'/],
    [['--timeout', '-1', 'FILE'], {}, /Option '--timeout' argument is ambiguous/],
    [['--url', 'ftp://example.org', 'FILE'], {}, /--url must be an http\(s\) URL/],
    [
      ['--url', 'https://api.example.org', 'FILE'],
      {},
      /Give the site's key for https:\/\/api\.example\.org with --key/,
    ],
    [['FILE'], { DROP_API_URL: 'https://api.example.org' }, /Give the site's key/],
    [['no-such-file.tsv'], {}, /^No such file: no-such-file\.tsv\n$/],
    [
      ['FILE'],
      { DATA_DIR: '/nonexistent-dir' },
      /No site key: \/nonexistent-dir\/credentials\.json is missing/,
    ],
    [
      ['--site', 'NOPE', 'FILE'],
      { DATA_DIR: 'CREDS' },
      /No key for site NOPE in .*credentials\.json \(it has CAIRDEMO01\)\. Pass --key\./,
    ],
  ])('exits 2 for %j %j', async (argv, env, message) => {
    writeFileSync(
      join(dir.path, 'credentials.json'),
      JSON.stringify({ sites: [{ iis_id: 'CAIRDEMO01', api_key: KEY }] }),
    );
    const resolved = Object.fromEntries(
      Object.entries(env).map(([k, v]) => [k, v === 'CREDS' ? dir.path : v]),
    );
    const { io, stdout, stderr } = captureIo({ DATA_DIR: '/nonexistent-dir', ...resolved });
    expect(
      await drop(
        argv.map((a) => (a === 'FILE' ? file : a)),
        io,
      ),
    ).toBe(2);
    expect(stderr()).toMatch(message);
    expect(stdout()).toBe('');
    expect(received.post).toBeUndefined();
  });
});
