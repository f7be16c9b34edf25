/**
 * What a running local stack publishes about itself (`${dataDir}/endpoints.json`) and how to read queue depths
 * from it. Kept apart from runtime.ts so the queues CLI loads no stand-in.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';

export interface LocalEndpoints {
  api: string;
  dynamodb: string;
  sqs: string;
  s3: string;
  /** The Lambda Invoke API (local/triggers/lambda-api.ts). */
  lambda: string;
}

export interface QueueDepth {
  /** Physical queue name (`<name>` or `<name>-dlq`). */
  queue: string;
  /** True for a dead-letter queue. */
  dlq: boolean;
  visible: number;
  inFlight: number;
  delayed: number;
}

/** Written to `${dataDir}/endpoints.json` while a runtime with a dataDir runs (read by local/queues-cli.ts). */
export interface EndpointsFile {
  pid: number;
  startedAt: string;
  endpoints: LocalEndpoints;
  queues: { name: string; url: string; dlq: boolean }[];
}

export const ENDPOINTS_FILE = 'endpoints.json';

/** Whether a process with this id exists (signal 0 checks without signalling). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Reads `${dataDir}/endpoints.json` of a running local stack, or undefined when there is none. */
export function readEndpointsFile(dataDir: string): EndpointsFile | undefined {
  const file = join(resolve(dataDir), ENDPOINTS_FILE);
  if (!existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, 'utf8')) as EndpointsFile;
}

/** Writes `${dataDir}/endpoints.json` whole or not at all (a reader never sees half); returns its path. */
export function writeEndpointsFile(dataDir: string, content: EndpointsFile): string {
  const file = join(dataDir, ENDPOINTS_FILE);
  writeFileSync(`${file}.tmp`, `${JSON.stringify(content, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
  return file;
}

export async function queueDepths(
  sqs: SQSClient,
  queues: { name: string; url: string; dlq: boolean }[],
): Promise<QueueDepth[]> {
  return Promise.all(
    queues.map(async (q) => {
      const out = await sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: q.url,
          AttributeNames: [
            'ApproximateNumberOfMessages',
            'ApproximateNumberOfMessagesNotVisible',
            'ApproximateNumberOfMessagesDelayed',
          ],
        }),
      );
      const a = out.Attributes ?? {};
      return {
        queue: q.name,
        dlq: q.dlq,
        visible: Number(a.ApproximateNumberOfMessages ?? 0),
        inFlight: Number(a.ApproximateNumberOfMessagesNotVisible ?? 0),
        delayed: Number(a.ApproximateNumberOfMessagesDelayed ?? 0),
      };
    }),
  );
}
