/**
 * Failures somebody can diagnose (issue 12, defect 3): a chunk, a plan or a sweep that fails is logged with a
 * stable code, its stage, the upload id and the chunk, and recorded on the upload so GET /v1/uploads/{id} shows
 * `failures: [{code, stage, chunk, at, attempts, message}]`; never a row's content, a name or a date of birth.
 */
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, afterEach, beforeAll, describe, expect, it, type MockInstance, vi } from 'vitest';
import { defaultDeps } from '#doses/submit.ts';
import { parseIncomingKey } from '#files/keys.ts';
import { planUpload } from '#files/plan-upload.ts';
import { processChunk } from '#files/process-chunk.ts';
import { planKey } from '#files/storage.ts';
import { getUpload } from '#files/uploads-store.ts';
import { logger } from '#platform/logger.ts';
import { doseFile, mixedKinds } from '../fixtures/files.ts';
import { type Client, client, drain, enroll, type Runtime, startManualIngest } from './harness.ts';

let rt: Runtime;
let api: Client;
const s3 = new S3Client({});

beforeAll(async () => {
  rt = await startManualIngest(50);
  api = client(rt);
});
afterAll(async () => rt?.stop());

let logged: { error: MockInstance; warn: MockInstance };
beforeAll(() => {
  logged = {
    error: vi.spyOn(logger, 'error').mockImplementation(() => undefined),
    warn: vi.spyOn(logger, 'warn').mockImplementation(() => undefined),
  };
});
afterEach(() => {
  logged.error.mockClear();
  logged.warn.mockClear();
});

/** What the rows of doseFile carry that must never reach a log or a failure: names, a date of birth, IDs. */
const PHI = /Maria|Elena|Gonzalez|1958-07-22|1200 Broadway|R-FL/;

async function dropped(name: string, kinds = mixedKinds(120), prefix = 'FL') {
  const site = await enroll(api);
  const key = `incoming/${site.iis_id}/batch/${name}`;
  const body = doseFile(kinds, 'cvrs', prefix);
  await s3.send(new PutObjectCommand({ Bucket: rt.env.DROP_BUCKET, Key: key, Body: body }));
  expect(await planUpload(key, new Date())).toBe('planned');
  const etag = (
    await s3.send(new GetObjectCommand({ Bucket: rt.env.DROP_BUCKET, Key: key }))
  ).ETag!.replaceAll('"', '');
  return { site, key, body, uploadId: parseIncomingKey(key, etag)!.upload_id };
}

async function progress(uploadId: string, apiKey: string) {
  const res = await api.call('GET', `/v1/uploads/${uploadId}`, { key: apiKey });
  expect(res.status).toBe(200);
  return res.json;
}

/** A store error as the SDK raises them: a class name, and a message that quotes what it was given. */
class ProvisionedThroughputExceededException extends Error {
  override name = 'ProvisionedThroughputExceededException';
}
const failing = (which: 'insertVersion' | 'writeIntents') => ({
  ...defaultDeps,
  [which]: async () => {
    throw new ProvisionedThroughputExceededException('Maria Gonzalez 1958-07-22 R-FL-55 throttled');
  },
});

const failureLogs = () =>
  logged.error.mock.calls
    .filter((c) => c[0] === 'upload step failed')
    .map((c) => c[1] as Record<string, unknown>);

describe('a chunk that fails', () => {
  it('at storing its rows: the code, stage, upload and chunk are logged, and the uploads API shows them until it succeeds', async () => {
    const { site, uploadId } = await dropped('store.tsv');
    await processChunk(uploadId, 0, new Date());

    // Act: chunk 1 (rows 52–101) fails twice at the store, then succeeds.
    await expect(processChunk(uploadId, 1, new Date(), failing('insertVersion'))).rejects.toThrow(
      ProvisionedThroughputExceededException,
    );
    await expect(processChunk(uploadId, 1, new Date(), failing('insertVersion'))).rejects.toThrow();

    // Assess: the log says which upload, chunk and stage, and the error's class, nothing of the rows.
    expect(failureLogs()).toEqual([
      {
        code: 'FILE_CHUNK_FAILED',
        stage: 'store',
        upload_id: uploadId,
        chunk: 1,
        error: 'ProvisionedThroughputExceededException',
      },
      expect.objectContaining({ code: 'FILE_CHUNK_FAILED', stage: 'store', chunk: 1 }),
    ]);
    const during = await progress(uploadId, site.api_key);
    expect(during.status).toBe('processing');
    expect(during.failures).toEqual([
      {
        code: 'FILE_CHUNK_FAILED',
        stage: 'store',
        chunk: 1,
        at: expect.any(String),
        first_at: expect.any(String),
        attempts: 2,
        error: 'ProvisionedThroughputExceededException',
        message: expect.stringMatching(
          /^Part 2 of 3 \(rows 52–101\): storing its rows failed \(ProvisionedThroughputExceededException\)\. .*retried automatically/,
        ),
      },
    ]);
    expect(JSON.stringify(during.failures)).not.toMatch(PHI);
    expect(JSON.stringify(logged.error.mock.calls)).not.toMatch(PHI);

    // The retry succeeds: the failure stays on record, resolved.
    await processChunk(uploadId, 1, new Date());
    await processChunk(uploadId, 2, new Date());
    const done = await progress(uploadId, site.api_key);
    expect(done.status).toBe('completed');
    expect(done.failures).toEqual([
      expect.objectContaining({
        code: 'FILE_CHUNK_FAILED',
        stage: 'store',
        attempts: 2,
        resolved_at: expect.any(String),
      }),
    ]);
    await drain(rt.env.REGISTRY_QUEUE_URL!);
    await drain(rt.env.CDC_QUEUE_URL!);
  });

  it('at queuing its doses on: stage publish', async () => {
    const { site, uploadId } = await dropped('publish.tsv');
    await expect(processChunk(uploadId, 0, new Date(), failing('writeIntents'))).rejects.toThrow();
    expect(failureLogs()).toEqual([
      expect.objectContaining({ code: 'FILE_CHUNK_FAILED', stage: 'publish', chunk: 0 }),
    ]);
    const { failures } = await progress(uploadId, site.api_key);
    expect(failures).toEqual([
      expect.objectContaining({
        code: 'FILE_CHUNK_FAILED',
        stage: 'publish',
        chunk: 0,
        attempts: 1,
        message: expect.stringMatching(
          /^Part 1 of 3 \(rows 2–51\): queuing its doses for the registries and CDC failed/,
        ),
      }),
    ]);
  });

  it('whose bytes disagree with the plan, through the worker: stage parse, with the counts that disagree', async () => {
    const { site, uploadId } = await dropped('mismatch.tsv');
    // The plan says part 1 has one row more than its byte range holds (as a reader merging two rows would).
    const planObject = await s3.send(
      new GetObjectCommand({ Bucket: rt.env.DROP_BUCKET, Key: planKey(uploadId) }),
    );
    const plan = JSON.parse(await planObject.Body!.transformToString());
    plan.chunks[1].rows = 51;
    await s3.send(
      new PutObjectCommand({
        Bucket: rt.env.DROP_BUCKET,
        Key: planKey(uploadId),
        Body: JSON.stringify(plan),
      }),
    );

    // Act: the worker function gets the chunk's message, as from the queue.
    const out = await rt
      .invoke('ingestWorker', {
        Records: [
          {
            messageId: 'm-1',
            receiptHandle: 'r-1',
            body: JSON.stringify({ type: 'chunk', upload_id: uploadId, chunk: 1 }),
            attributes: { ApproximateReceiveCount: '1' },
            messageAttributes: {},
            eventSource: 'aws:sqs',
          },
        ],
      })
      .catch((err: Error) => err);

    // Assess: the message failed (it goes back to the queue), and the upload says why.
    expect(JSON.stringify(out)).toMatch(/FullBatchFailureError|m-1/);
    const { failures, status } = await progress(uploadId, site.api_key);
    expect(status).toBe('processing');
    expect(failures).toEqual([
      expect.objectContaining({
        code: 'FILE_CHUNK_FAILED',
        stage: 'parse',
        chunk: 1,
        error: 'ChunkRowsMismatchError',
        message: expect.stringMatching(
          /^Part 2 of 3 \(rows 52–102\): reading its rows failed \(part 2 \(rows 52–102\) read 50 rows where the plan counted 51: the file's bytes disagree with its plan\)/,
        ),
      }),
    ]);
  });
});

describe('an upload that stops moving', () => {
  it('is failed by the sweeper with what last failed, and each sweep is on record', async () => {
    const { site, uploadId } = await dropped('stuck.tsv');
    await processChunk(uploadId, 0, new Date());
    await expect(processChunk(uploadId, 1, new Date(), failing('insertVersion'))).rejects.toThrow();
    await drain(rt.env.INGEST_CHUNKS_QUEUE_URL!);

    // Act: five sweeps find no progress (the requeued chunks are never run).
    for (let i = 0; i < 5; i++) {
      await rt.invoke('uploadsSweeper', { stuckAfterSeconds: 0 });
      await drain(rt.env.INGEST_CHUNKS_QUEUE_URL!);
    }

    // Assess
    const u = await progress(uploadId, site.api_key);
    expect(u.status).toBe('failed');
    expect(u.file_findings).toEqual([
      expect.objectContaining({
        code: 'FILE012',
        message: expect.stringContaining(
          '(1 of 3 parts done). Last failure: FILE_CHUNK_FAILED at store, part 2 (ProvisionedThroughputExceededException), 1 time.',
        ),
      }),
    ]);
    expect(u.failures).toEqual([
      expect.objectContaining({ code: 'FILE_CHUNK_FAILED', stage: 'store', chunk: 1 }),
      expect.objectContaining({
        code: 'FILE_STUCK',
        stage: 'requeue',
        chunk: null,
        attempts: 4,
        message: expect.stringMatching(
          /^No part finished for 0 minutes \(1 of 3 done\): parts 2–3 queued again \(sweep 4 of 4 before the upload is failed\)\. Last failure: FILE_CHUNK_FAILED at store, part 2/,
        ),
      }),
    ]);
    expect((await getUpload(uploadId))!.status).toBe('failed');
  });
});

describe('a file that cannot be planned yet', () => {
  it('records why on the upload (FILE_PLAN_FAILED, stage claim) and resolves it once planned', async () => {
    // The same content dropped twice by one site while the first is still processing: the second waits.
    const first = await dropped('first.tsv', mixedKinds(30), 'PW');
    const key = `incoming/${first.site.iis_id}/again/second.tsv`;
    await s3.send(new PutObjectCommand({ Bucket: rt.env.DROP_BUCKET, Key: key, Body: first.body }));
    const etag = (
      await s3.send(new GetObjectCommand({ Bucket: rt.env.DROP_BUCKET, Key: key }))
    ).ETag!.replaceAll('"', '');
    const second = parseIncomingKey(key, etag)!.upload_id;

    await expect(planUpload(key, new Date())).rejects.toThrow(/Waiting for upload/);
    expect(logged.warn).toHaveBeenCalledWith(
      'upload step failed',
      expect.objectContaining({ code: 'FILE_PLAN_FAILED', stage: 'claim', upload_id: second, chunk: null }),
    );
    const waiting = await progress(second, first.site.api_key);
    expect(waiting.failures).toEqual([
      expect.objectContaining({
        code: 'FILE_PLAN_FAILED',
        stage: 'claim',
        error: 'WaitingForEarlierError',
        message: expect.stringContaining(
          `Waiting for upload ${first.uploadId} of the same content, still processing`,
        ),
      }),
    ]);

    await processChunk(first.uploadId, 0, new Date());
    expect(await planUpload(key, new Date())).toBe('duplicate');
    const answered = await progress(second, first.site.api_key);
    expect(answered.status).toBe('completed');
    expect(answered.failures).toEqual([
      expect.objectContaining({ code: 'FILE_PLAN_FAILED', resolved_at: expect.any(String) }),
    ]);
    await drain(rt.env.REGISTRY_QUEUE_URL!);
    await drain(rt.env.CDC_QUEUE_URL!);
    await drain(rt.env.INGEST_CHUNKS_QUEUE_URL!);
  });
});
