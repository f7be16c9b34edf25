import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultDeps } from '#doses/submit.ts';
import { parseIncomingKey } from '#files/keys.ts';
import { planUpload } from '#files/plan-upload.ts';
import { processChunk } from '#files/process-chunk.ts';
import { resultsKey } from '#files/storage.ts';
import { getUpload } from '#files/uploads-store.ts';
import { doseFile, mixedKinds } from '../fixtures/files.ts';
import { client, drain, enroll, type Runtime, startManualIngest } from './harness.ts';

/** The ingest steps driven by hand (harness startManualIngest), so a test can crash one between storing and finishing. */
let rt: Runtime;
const s3 = new S3Client({});

beforeAll(async () => {
  rt = await startManualIngest(50);
});
afterAll(async () => rt?.stop());

async function put(key: string, body: string) {
  await s3.send(new PutObjectCommand({ Bucket: rt.env.DROP_BUCKET, Key: key, Body: body }));
}
async function text(key: string) {
  const res = await s3.send(new GetObjectCommand({ Bucket: rt.env.DROP_BUCKET, Key: key }));
  return res.Body!.transformToString();
}

async function uploadIdOf(key: string): Promise<string> {
  const etag = (
    await s3.send(new GetObjectCommand({ Bucket: rt.env.DROP_BUCKET, Key: key }))
  ).ETag!.replaceAll('"', '');
  return parseIncomingKey(key, etag)!.upload_id;
}

const counts = (summary: unknown) => {
  const { rows, accepted, rejected, duplicates, warnings, by_code } = summary as Record<string, unknown>;
  return { rows, accepted, rejected, duplicates, warnings, by_code };
};

describe('a chunk that crashes midway', () => {
  it('stores nothing twice when retried, and yields the same results as a clean run', async () => {
    const api = client(rt);
    const crashing = await enroll(api);
    const clean = await enroll(api);
    const body = doseFile(mixedKinds(120), 'cvrs', 'RT');
    await drain(rt.env.REGISTRY_QUEUE_URL!);
    await drain(rt.env.CDC_QUEUE_URL!);

    // The clean run, for comparison (another site, so its content is not a repeat of the crashing run's).
    const cleanKey = `incoming/${clean.iis_id}/batch/day.tsv`;
    await put(cleanKey, body);
    expect(await planUpload(cleanKey, new Date())).toBe('planned');
    const cleanId = await uploadIdOf(cleanKey);
    for (let n = 0; n < 3; n++) await processChunk(cleanId, n, new Date());
    const cleanDone = (await getUpload(cleanId))!;
    const cleanMessages = (await drain(rt.env.REGISTRY_QUEUE_URL!)).length;
    await drain(rt.env.CDC_QUEUE_URL!);

    // The crashing run: chunk 1 dies after storing 20 of its rows, before its part and count are written.
    const key = `incoming/${crashing.iis_id}/batch/day.tsv`;
    await put(key, body);
    expect(await planUpload(key, new Date())).toBe('planned');
    expect(await planUpload(key, new Date())).toBe('already'); // a duplicate notification changes nothing
    const uploadId = await uploadIdOf(key);
    expect((await getUpload(uploadId))!.chunks_total).toBe(3);
    await processChunk(uploadId, 0, new Date());
    let stored = 0;
    const dying = {
      ...defaultDeps,
      insertVersion: async (v: Parameters<typeof defaultDeps.insertVersion>[0]) => {
        if (stored++ >= 20) throw new Error('crash');
        return defaultDeps.insertVersion(v);
      },
    };
    await expect(processChunk(uploadId, 1, new Date(), dying)).rejects.toThrow('crash');
    // The queue redelivers chunk 1; then chunk 2 runs; chunk 1 arrives once more (at-least-once delivery).
    await processChunk(uploadId, 1, new Date());
    await processChunk(uploadId, 2, new Date());
    await processChunk(uploadId, 1, new Date());
    await rt.invoke('outboxSweeper', { olderThanSeconds: 0 });

    const done = (await getUpload(uploadId))!;
    expect(done.status).toBe('completed');
    expect(counts(done.summary)).toEqual(counts(cleanDone.summary));
    expect(await text(resultsKey(crashing.iis_id, 'day.tsv'))).toBe(
      await text(resultsKey(clean.iis_id, 'day.tsv')),
    );
    const reg = await drain(rt.env.REGISTRY_QUEUE_URL!);
    expect(reg.length).toBe(cleanMessages);
    expect(new Set(reg.map((m) => `${m.iis_id}#${m.vax_event_id}`)).size).toBe(reg.length);
    expect((await drain(rt.env.CDC_QUEUE_URL!)).length).toBe(cleanMessages);
  });
});

describe('the uploads sweeper', () => {
  it('requeues the unfinished chunks of an upload stuck in processing, and fails one whose file never came', async () => {
    const api = client(rt);
    const s = await enroll(api);
    const key = `incoming/${s.iis_id}/stuck/day.tsv`;
    await put(key, doseFile(mixedKinds(120), 'cvrs', 'SW'));
    expect(await planUpload(key, new Date())).toBe('planned');
    const uploadId = await uploadIdOf(key);
    await processChunk(uploadId, 0, new Date());
    // The planner's chunk messages were lost (say the queue was purged): only chunk 0 ever ran.
    await drain(rt.env.INGEST_CHUNKS_QUEUE_URL!);
    const issued = await api.call('POST', '/v1/uploads', { key: s.api_key, body: { name: 'never.csv' } });

    const swept = await rt.invoke('uploadsSweeper', { stuckAfterSeconds: 0, neverArrivedAfterSeconds: 0 });

    expect(swept).toMatchObject({ requeued: 2, failed: 1 });
    const tasks = (await drain(rt.env.INGEST_CHUNKS_QUEUE_URL!)).filter((t) => t.upload_id === uploadId);
    expect(tasks.map((t) => t.chunk).sort()).toEqual([1, 2]);
    for (const t of tasks) await processChunk(t.upload_id, t.chunk, new Date());
    expect((await getUpload(uploadId))!.status).toBe('completed');
    const never = (await getUpload(issued.json.upload_id))!;
    expect(never.status).toBe('failed');
    expect(never.file_findings).toEqual([expect.objectContaining({ code: 'FILE011' })]);
  });
});
