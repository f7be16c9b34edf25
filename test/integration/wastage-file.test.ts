import { randomUUID } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultDeps } from '#doses/submit.ts';
import { planUpload } from '#files/plan-upload.ts';
import { processChunk } from '#files/process-chunk.ts';
import { incomingKey } from '#files/storage.ts';
import { getUpload } from '#files/uploads-store.ts';
import { addDays, localDate } from '#platform/dates.ts';
import type { Site as SiteProfile } from '#sites/site.ts';
import { recordReceipt, recordWastage } from '#stock/record.ts';
import { movementsOfDay, setLotExpiration } from '#stock/store.ts';
import { type Client, client, drain, enroll, type Runtime, startManualIngest } from './harness.ts';

/**
 * Wastage files: dropped like dose files, each row recorded once in the stock table, one results file. The
 * ingest steps are driven by hand (the queue consumers' triggers removed, harness startManualIngest): the
 * planner runs on each dropped file, then every queued chunk task goes through the worker's handler, so a test
 * can also crash a chunk between recording its rows and finishing it.
 */
const NDC = '80777-0273-10';
/** The carton of NDC: recorded as its unit of use. */
const CARTON = '80777-0273-99';
const HEADER = 'record_id,ndc,lot_number,doses,date,reason,reason_text,iis_id';

let rt: Runtime;
let api: Client;
type Site = { iis_id: string; api_key: string };

beforeAll(async () => {
  rt = await startManualIngest(4);
  api = client(rt);
});
afterAll(async () => rt?.stop());

/** Uploads as a site would (a URL, then PUT), and runs the planner on the dropped object. */
async function drop(site: Site, name: string, body: string): Promise<{ uploadId: string; planned: string }> {
  const start = await api.call('POST', '/v1/uploads', { key: site.api_key, body: { name } });
  expect(start.status).toBe(201);
  const put = await fetch(start.json.url, { method: 'PUT', headers: start.json.headers, body });
  expect(put.status).toBe(200);
  const key = incomingKey(site.iis_id, start.json.upload_id, name);
  return { uploadId: start.json.upload_id, planned: await planUpload(key, new Date()) };
}

/** An SQS event of one message, as the queue hands it to a consumer. */
const sqsEvent = (body: unknown) => ({
  Records: [
    {
      messageId: randomUUID(),
      receiptHandle: 'local',
      body: JSON.stringify(body),
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: String(Date.now()),
        SenderId: 'local',
        ApproximateFirstReceiveTimestamp: String(Date.now()),
      },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-west-2:000000000000:ingest-chunks',
      awsRegion: 'us-west-2',
    },
  ],
});

/** Delivers every queued chunk task to the ingest worker's handler, until the queue is empty. */
async function work(): Promise<void> {
  for (let tasks = await drain(rt.env.INGEST_CHUNKS_QUEUE_URL!); tasks.length > 0; ) {
    for (const task of tasks)
      expect(await rt.invoke('ingestWorker', sqsEvent(task))).toEqual({ batchItemFailures: [] });
    tasks = await drain(rt.env.INGEST_CHUNKS_QUEUE_URL!);
  }
}

async function view(site: Site, uploadId: string): Promise<any> {
  const res = await api.call('GET', `/v1/uploads/${uploadId}`, { key: site.api_key });
  expect(res.status).toBe(200);
  return res.json;
}

const rowsOf = async (url: string): Promise<string[][]> => parse(await (await fetch(url)).text());

/** The wastage a site has recorded today (California), as (record_id, source, what) sorted by record_id. */
async function wastageOf(iisId: string) {
  return (await movementsOfDay(localDate(new Date())))
    .filter((m) => m.iis_id === iisId && m.kind === 'wastage')
    .map(({ record_id, source, ndc, lot_number, doses, date, reason, reason_text }) => ({
      record_id,
      source,
      ndc,
      lot_number,
      doses,
      date,
      reason,
      ...(reason_text ? { reason_text } : {}),
    }))
    .sort((a, b) => a.record_id.localeCompare(b.record_id));
}

/** A site with stock to lose: 100 doses of LOT-A (expiration on record) and 10 of LOT-Z (none on record). */
async function siteWithStock(): Promise<Site> {
  const site = await enroll(api);
  const now = new Date();
  const ctx = {
    iis_id: site.iis_id,
    now,
    source: 'api',
    site: async (iis_id: string) => ({ iis_id }) as SiteProfile,
  };
  await setLotExpiration(NDC, 'LOT-A', '2030-12-31', now, 'admin');
  for (const [record_id, lot_number, doses] of [
    ['R-A', 'LOT-A', 100],
    ['R-Z', 'LOT-Z', 10],
  ] as const) {
    const out = await recordReceipt({ record_id, ndc: NDC, lot_number, doses, date: localDate(now) }, ctx);
    expect(out.status).toBe('accepted');
  }
  return site;
}

describe('a wastage file dropped like a dose file', () => {
  it('records each valid row once and answers one results row per input row', async () => {
    // Prepare
    const site = await siteWithStock();
    const other = await enroll(api);
    // A site that names this one as its sending facility: this site may report for it.
    const client = await enroll(api, { sending_facility_iis_id: site.iis_id });
    const today = localDate(new Date());
    const yesterday = addDays(today, -1);
    const nextWeek = addDays(today, 7);
    const body = [
      HEADER,
      `W1,${NDC},LOT-A,2,${today},drawn-not-administered,,`,
      `W2,${NDC},lot-a,1,${yesterday},other,"left out, found warm",`,
      `W3,${NDC},LOT-A,1,${today},other,,`,
      `W4,${NDC},LOT-A,1,${nextWeek},expired,,`,
      // Row 6 repeats row 2's record_id, across a chunk boundary (chunks of 4 rows).
      `W1,${NDC},LOT-A,2,${today},drawn-not-administered,,`,
      `W5,${NDC},LOT-Z,1,${today},open-vial-not-all-used,,`,
      `W6,${NDC},LOT-A,1,${today},broken-or-dropped,,${other.iis_id}`,
      `W7,${CARTON},LOT-A,3,${today},recall,,${site.iis_id.toLowerCase()}`,
      `W8,${NDC},LOT-A,1,${today},expired,,${client.iis_id}`,
      '',
    ].join('\r\n');

    // Act
    const { uploadId, planned } = await drop(site, 'wastage march.csv', body);
    await work();

    // Assess
    expect(planned).toBe('planned');
    const done = await view(site, uploadId);
    expect(done).toMatchObject({ status: 'completed', rows_total: 9, rows_processed: 9, file_findings: [] });
    expect(done.summary).toMatchObject({
      format: 'csv',
      kind: 'wastage',
      status: 'completed',
      rows: 9,
      accepted: 5,
      rejected: 3,
      duplicates: 1,
      warnings: 2,
    });
    expect(done.summary.by_code).toEqual({
      STK012: 1,
      DQ023: 1,
      STK002: 1,
      STK004: 1,
      STK005: 1,
      STK006: 1,
    });
    expect(await rowsOf(done.results_url)).toEqual([
      ['row', 'record_id', 'status', 'codes', 'messages'],
      ['2', 'W1', 'accepted', '', ''],
      ['3', 'W2', 'accepted', '', ''],
      [
        '4',
        'W3',
        'rejected',
        'STK004',
        'error STK004 reason_text: reason "other" needs reason_text saying what happened.',
      ],
      [
        '5',
        'W4',
        'rejected',
        'STK002',
        `error STK002 date: date ${nextWeek} is after today (${today}): report what has happened.`,
      ],
      [
        '6',
        'W1',
        'duplicate',
        'STK012',
        'error STK012 record_id: record_id W1 was already used in row 2 of this file. Every wastage report needs its own record_id.',
      ],
      [
        '7',
        'W5',
        'accepted',
        'STK005',
        `warning STK005 lot_number: Lot LOT-Z of ${NDC} has no expiration on record: check the lot number on the vial.`,
      ],
      [
        '8',
        'W6',
        'rejected',
        'DQ023',
        `error DQ023 iis_id: This submission may hold wastage reports of ${site.iis_id} and the sites that name it as their sending facility, not of ${other.iis_id}.`,
      ],
      ['9', 'W7', 'accepted', '', ''],
      [
        '10',
        'W8',
        'accepted',
        'STK006',
        "warning STK006 doses: 1 doses is more than this site has on hand of lot LOT-A (0 as of the last roll-up plus today's receipts and losses): check the count, or report the receipt first.",
      ],
    ]);
    const source = (row: number) => `upload:${uploadId}:${row}`;
    expect(await wastageOf(site.iis_id)).toEqual([
      {
        record_id: 'W1',
        source: source(2),
        ndc: NDC,
        lot_number: 'LOT-A',
        doses: 2,
        date: today,
        reason: 'drawn-not-administered',
      },
      {
        record_id: 'W2',
        source: source(3),
        ndc: NDC,
        lot_number: 'LOT-A',
        doses: 1,
        date: yesterday,
        reason: 'other',
        reason_text: 'left out, found warm',
      },
      {
        record_id: 'W5',
        source: source(7),
        ndc: NDC,
        lot_number: 'LOT-Z',
        doses: 1,
        date: today,
        reason: 'open-vial-not-all-used',
      },
      {
        record_id: 'W7',
        source: source(9),
        ndc: NDC,
        lot_number: 'LOT-A',
        doses: 3,
        date: today,
        reason: 'recall',
      },
    ]);
    expect(await wastageOf(other.iis_id)).toEqual([]);
    expect(await wastageOf(client.iis_id)).toEqual([
      {
        record_id: 'W8',
        source: source(10),
        ndc: NDC,
        lot_number: 'LOT-A',
        doses: 1,
        date: today,
        reason: 'expired',
      },
    ]);
  });

  it('fails a file whose header lacks the reason column, naming it, and records nothing', async () => {
    const site = await enroll(api);
    const today = localDate(new Date());
    const body = `record_id,ndc,lot_number,doses,date,reason_text\nX1,${NDC},LOT-A,1,${today},\n`;

    const { uploadId, planned } = await drop(site, 'no-reason.csv', body);
    await work();

    expect(planned).toBe('failed');
    const done = await view(site, uploadId);
    expect(done.status).toBe('failed');
    expect(done.file_findings).toEqual([
      expect.objectContaining({
        code: 'FILE006',
        severity: 'error',
        field: 'file',
        message: expect.stringMatching(
          /^The header of this wastage file is missing required column reason\. /,
        ),
      }),
    ]);
    expect(done.summary).toMatchObject({ kind: 'wastage', status: 'failed', by_code: { FILE006: 1 } });
    const rows = await rowsOf(done.results_url);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toEqual(['row', 'record_id', 'status', 'codes', 'messages']);
    expect(rows[1]!.slice(0, 4)).toEqual(['file', '', 'rejected', 'FILE006']);
    expect(await wastageOf(site.iis_id)).toEqual([]);
  });

  it('a chunk that crashes midway records nothing twice when retried, and answers as a clean run', async () => {
    // Prepare: 12 rows in 3 chunks of 4; a repeat and a rejected row among them.
    const crashing = await siteWithStock();
    const clean = await siteWithStock();
    const today = localDate(new Date());
    const lines = Array.from({ length: 12 }, (_, i) =>
      i === 6
        ? `R-6,${NDC},LOT-A,1,${today},expired,,`
        : i === 9
          ? `R-OTHER,${NDC},LOT-A,1,${today},other,,`
          : `R-${i + 1},${NDC},LOT-A,1,${today},expired,,`,
    );
    const body = `${[HEADER, ...lines].join('\n')}\n`;
    const cleanRun = await drop(clean, 'day.csv', body);
    await work();
    const cleanDone = await view(clean, cleanRun.uploadId);
    expect(cleanDone.summary).toMatchObject({ rows: 12, accepted: 10, rejected: 1, duplicates: 1 });

    // Act: chunk 1 dies after recording 2 of its rows, before its part and count are written.
    const run = await drop(crashing, 'day.csv', body);
    expect(run.planned).toBe('planned');
    expect((await getUpload(run.uploadId))!.chunks_total).toBe(3);
    await drain(rt.env.INGEST_CHUNKS_QUEUE_URL!); // delivered by hand below
    await processChunk(run.uploadId, 0, new Date());
    let calls = 0;
    const dying = {
      ...defaultDeps,
      recordWastage: async (...args: Parameters<typeof recordWastage>) => {
        if (calls++ >= 2) throw new Error('crash');
        return recordWastage(...args);
      },
    };
    await expect(processChunk(run.uploadId, 1, new Date(), dying)).rejects.toThrow('crash');
    expect((await wastageOf(crashing.iis_id)).length).toBe(4 + 2);
    // The queue redelivers chunk 1; then chunk 2 runs; chunk 1 arrives once more (at-least-once delivery).
    await processChunk(run.uploadId, 1, new Date());
    await processChunk(run.uploadId, 2, new Date());
    await processChunk(run.uploadId, 1, new Date());

    // Assess
    const done = await view(crashing, run.uploadId);
    expect(done.status).toBe('completed');
    const counts = ({ rows, accepted, rejected, duplicates, warnings, by_code }: any) => ({
      rows,
      accepted,
      rejected,
      duplicates,
      warnings,
      by_code,
    });
    expect(counts(done.summary)).toEqual(counts(cleanDone.summary));
    const results = await rowsOf(done.results_url);
    expect(results).toEqual(await rowsOf(cleanDone.results_url));
    expect(results.filter((r) => r[2] === 'accepted')).toHaveLength(10);
    const recorded = await wastageOf(crashing.iis_id);
    expect(recorded).toHaveLength(10);
    expect(new Set(recorded.map((m) => m.record_id)).size).toBe(10);
    const sourceRows = (ms: { source: string }[]) => ms.map((m) => m.source.split(':').at(-1)).sort();
    expect(sourceRows(recorded)).toEqual(sourceRows(await wastageOf(clean.iis_id)));
  });
});
