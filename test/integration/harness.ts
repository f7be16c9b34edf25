import {
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { expect } from 'vitest';
import { topology } from '../../infra/topology.ts';
import { type LocalRuntimeOptions, type LocalTopology, startLocalRuntime } from '../../local/runtime.ts';
import { intakeOnly } from '../../local/topologies.ts';
import { s3EventMessage } from '../../local/triggers/s3-notifications.ts';
import { demoSite } from '../fixtures/doses.ts';

export const ADMIN_KEY = 'test-admin-key-0123456789';

export type Runtime = Awaited<ReturnType<typeof startLocalRuntime>>;

/**
 * The whole pipeline in this process, on in-memory stand-ins, with the scheduler off (tests drive it) and IAM
 * enforced (local/iam/).
 */
export async function startPipeline(): Promise<Runtime> {
  return startLocalRuntime({
    topology: intakeOnly(),
    port: 0,
    schedules: false,
    // Every AWS call a function makes is checked against its synthesized role policy, as in AWS.
    iam: true,
    extraEnv: { ADMIN_KEY, POWERTOOLS_LOG_LEVEL: 'ERROR' },
  });
}

/**
 * The whole pipeline minus some functions (reporters with tests of their own), on in-memory stand-ins, with the
 * scheduler off and the registry stand-ins not started.
 */
export async function startWithout(
  leftOut: readonly (keyof typeof topology.functions)[],
  options: Omit<LocalRuntimeOptions, 'topology'> = {},
): Promise<Runtime> {
  const functions = Object.fromEntries(
    Object.entries(topology.functions).filter(([name]) => !leftOut.includes(name as never)),
  );
  return startLocalRuntime({
    port: 0,
    schedules: false,
    registries: false,
    sqs: { waitTimeSeconds: 1 },
    iam: true,
    ...options,
    topology: { ...topology, functions } as unknown as LocalTopology,
    extraEnv: { ADMIN_KEY, POWERTOOLS_LOG_LEVEL: 'ERROR', ...options.extraEnv },
  });
}

/**
 * The pipeline with the ingest steps driven by hand (every SQS trigger removed), so a test can run the planner
 * and each chunk itself, and crash one between storing and finishing. `chunkRows`: rows per chunk.
 */
export async function startManualIngest(chunkRows: number): Promise<Runtime> {
  const functions = Object.fromEntries(
    Object.entries(topology.functions).map(([name, spec]) => {
      const { sqs: _trigger, ...rest } = spec as typeof spec & { sqs?: unknown };
      return [name, rest];
    }),
  );
  return startLocalRuntime({
    iam: true,
    port: 0,
    schedules: false,
    topology: { ...topology, functions } as unknown as LocalTopology,
    extraEnv: { ADMIN_KEY, POWERTOOLS_LOG_LEVEL: 'ERROR', INGEST_CHUNK_ROWS: String(chunkRows) },
  });
}

/** Waits until the queues whose names start with `prefix` (all by default) hold nothing. */
export async function drained(rt: Runtime, prefix = '', timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const queues = (await rt.queueDepths()).filter((q) => q.queue.startsWith(prefix));
    if (queues.every((q) => q.visible + q.inFlight + q.delayed === 0)) return;
    if (Date.now() > until) throw new Error(`queues not drained: ${JSON.stringify(queues)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export interface Client {
  call(
    method: string,
    path: string,
    opts?: { key?: string | null; body?: unknown; raw?: string | Buffer; headers?: Record<string, string> },
  ): Promise<{
    status: number;
    headers: Headers;
    json: any;
  }>;
}

export function client(rt: Runtime): Client {
  return {
    async call(method, path, opts = {}) {
      const headers: Record<string, string> = { ...(opts.headers ?? {}) };
      if (opts.key !== null) headers.authorization = `Bearer ${opts.key ?? ADMIN_KEY}`;
      let body: string | Buffer | undefined;
      if (opts.raw !== undefined) body = opts.raw;
      else if (opts.body !== undefined) {
        body = JSON.stringify(opts.body);
        headers['content-type'] ??= 'application/json';
      }
      const res = await fetch(`${rt.apiUrl}${path}`, { method, headers, body });
      const text = await res.text();
      let json: unknown;
      try {
        json = text ? JSON.parse(text) : undefined;
      } catch {
        json = text;
      }
      return { status: res.status, headers: res.headers, json };
    },
  };
}

let siteCounter = 0;

/** Enrolls a fresh site and answers its iis_id and key. */
export async function enroll(
  api: Client,
  overrides: Record<string, unknown> = {},
): Promise<{ iis_id: string; api_key: string; registry: string }> {
  siteCounter++;
  const res = await api.call('POST', '/v1/sites', {
    body: { ...demoSite, iis_id: `SITE${process.pid}${siteCounter}`, ...overrides },
  });
  if (res.status !== 201) throw new Error(`enroll failed: ${res.status} ${JSON.stringify(res.json)}`);
  return res.json;
}

/** A pipeline, a client and one enrolled site: what most integration test files start with. */
export async function startWithSite(): Promise<{
  rt: Runtime;
  api: Client;
  site: { iis_id: string; api_key: string; registry: string };
}> {
  const rt = await startPipeline();
  const api = client(rt);
  return { rt, api, site: await enroll(api) };
}

const sqs = new SQSClient({});

/** Receives and deletes everything visible on a queue; answers the parsed bodies. */
export async function drain(queueUrl: string): Promise<any[]> {
  const out: any[] = [];
  for (;;) {
    const res = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
    );
    const msgs = res.Messages ?? [];
    if (msgs.length === 0) return out;
    for (const m of msgs) out.push(JSON.parse(m.Body!));
    await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: msgs.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })),
      }),
    );
  }
}

/**
 * Sends the planner's queue the S3 event AWS sends for a new version of `key` in the (versioned) drop bucket: it
 * names the version, so the planner reads that version (s3:GetObjectVersion). fauxqs keeps no versions, so the
 * local runtime's own notifications name none.
 */
export async function versionedNotification(rt: Runtime, key: string): Promise<void> {
  const sqs = new SQSClient({ endpoint: rt.endpoints.sqs });
  try {
    const message = s3EventMessage({
      region: 'us-east-1',
      configurationId: 'drop-to-ingestFiles-1',
      bucket: 'drop',
      key,
      eventName: 'ObjectCreated:Put',
      size: 1,
      eTag: '"0"',
      sequencer: '0000000000000000001',
      time: new Date(),
      versionId: 'Lx7.LocalVersion1',
    });
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: rt.env.INGEST_FILES_QUEUE_URL!,
        MessageBody: JSON.stringify(message),
      }),
    );
  } finally {
    sqs.destroy();
  }
}

/** Asks for an upload URL as a site does and PUTs the file; answers the upload id. */
export async function dropFile(api: Client, key: string, name: string, body: string): Promise<string> {
  const start = await api.call('POST', '/v1/uploads', { key, body: { name } });
  expect(start.status).toBe(201);
  const put = await fetch(start.json.url, { method: 'PUT', headers: start.json.headers, body });
  expect(put.status).toBe(200);
  return start.json.upload_id;
}

/** Polls `probe` every 100 ms until it answers a value; fails naming `what` after `ms`. */
export async function until<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  ms = 30_000,
) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
