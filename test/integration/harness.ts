import { DeleteMessageBatchCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { startLocalRuntime } from '../../local/runtime.ts';
import { intakeOnly } from '../../local/topologies.ts';
import { demoSite } from '../fixtures/doses.ts';

export const ADMIN_KEY = 'test-admin-key-0123456789';

export type Runtime = Awaited<ReturnType<typeof startLocalRuntime>>;

/** The whole pipeline in this process, on in-memory stand-ins, with the scheduler off (tests drive it). */
export async function startPipeline(): Promise<Runtime> {
  return startLocalRuntime({
    topology: intakeOnly(),
    port: 0,
    schedules: false,
    extraEnv: { ADMIN_KEY, POWERTOOLS_LOG_LEVEL: 'ERROR' },
  });
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
