/**
 * SQS event source mapping: long-polls a queue, invokes the function with Lambda's SQS event, and deletes what
 * succeeded (ReportBatchItemFailures semantics). Failed messages are left alone: they come back after the
 * queue's visibility timeout and the queue's redrive policy moves them to its DLQ.
 */
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSEvent, SQSMessageAttributes, SQSRecord } from 'aws-lambda';
import { LOCAL_REGION, localClientConfig } from '../clients.ts';
import { asFunction, type IamEnforcer } from '../iam/scope.ts';
import type { Invoker } from '../lambda.ts';
import { defaultLogger, describeError, type Logger } from '../log.ts';
import type { Meter } from '../metering/meter.ts';

export interface SqsTriggerSettings {
  batchSize: number;
  maxBatchingWindowSeconds: number;
  reportBatchItemFailures?: boolean;
  maximumConcurrency?: number;
}

export interface SqsPollerOptions {
  functionName: string;
  trigger: SqsTriggerSettings;
  queueUrl: string;
  /** SQS endpoint (the stand-in's origin). */
  endpoint: string;
  invoker: Invoker;
  region?: string;
  /** Long-poll wait per ReceiveMessage (default 20, SQS's maximum). */
  waitTimeSeconds?: number;
  /** Pollers when the trigger sets no maximumConcurrency (default 2, the mapping's minimum). */
  defaultConcurrency?: number;
  /** Ends pending long polls server-side (the fauxqs stand-in's interruptLongPolls) for a prompt stop. */
  interruptLongPolls?: () => void;
  /** How often to look again for a function whose module is not available yet (default 2000 ms). */
  unavailableRetryMs?: number;
  logger?: Logger;
  /**
   * IAM enforcement: the mapping's receives, deletes and visibility changes are authorized against the
   * function's role, as AWS's event source mapping makes them with the function's execution role.
   */
  iam?: IamEnforcer;
  /** Counts the mapping's receives and deletes (bench metering). */
  meter?: Meter;
}

export interface SqsPoller {
  readonly functionName: string;
  /** Stops polling and waits for in-flight invocations (and their deletes) to finish. */
  stop(): Promise<void>;
}

/** Lambda's shape of an SQS message attribute. */
function lambdaAttributes(message: Message): SQSMessageAttributes {
  const out: SQSMessageAttributes = {};
  for (const [name, value] of Object.entries(message.MessageAttributes ?? {})) {
    out[name] = {
      ...(value.StringValue !== undefined ? { stringValue: value.StringValue } : {}),
      ...(value.BinaryValue !== undefined
        ? { binaryValue: Buffer.from(value.BinaryValue).toString('base64') }
        : {}),
      stringListValues: value.StringListValues ?? [],
      binaryListValues: (value.BinaryListValues ?? []).map((b) => Buffer.from(b).toString('base64')),
      dataType: value.DataType ?? 'String',
    };
  }
  return out;
}

/** One record of Lambda's SQS event, from a ReceiveMessage result (AttributeNames and MessageAttributeNames All). */
export function toLambdaRecord(message: Message, queueArn: string, region: string = LOCAL_REGION): SQSRecord {
  const a = message.Attributes ?? {};
  const attributes: SQSRecord['attributes'] = {
    ApproximateReceiveCount: a.ApproximateReceiveCount ?? '1',
    SentTimestamp: a.SentTimestamp ?? '',
    SenderId: a.SenderId ?? '',
    ApproximateFirstReceiveTimestamp: a.ApproximateFirstReceiveTimestamp ?? '',
  };
  for (const key of [
    'AWSTraceHeader',
    'SequenceNumber',
    'MessageGroupId',
    'MessageDeduplicationId',
  ] as const) {
    if (a[key] !== undefined) attributes[key] = a[key];
  }
  return {
    messageId: message.MessageId!,
    receiptHandle: message.ReceiptHandle!,
    body: message.Body ?? '',
    attributes,
    messageAttributes: lambdaAttributes(message),
    md5OfBody: message.MD5OfBody ?? '',
    ...(message.MD5OfMessageAttributes ? { md5OfMessageAttributes: message.MD5OfMessageAttributes } : {}),
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: region,
  };
}

/**
 * Which messages to keep after an invocation that returned `result`, per Lambda's partial batch response rules:
 * no response, no/null/empty `batchItemFailures` → none (all succeeded); a list of known, non-empty message ids
 * → those; anything malformed (not a list, an entry without a string itemIdentifier, an empty or unknown id)
 * → 'all' (the whole batch failed).
 */
export function failedMessageIds(result: unknown, messageIds: string[]): Set<string> | 'all' {
  if (result === null || result === undefined || typeof result !== 'object' || Array.isArray(result)) {
    return new Set();
  }
  const failures = (result as { batchItemFailures?: unknown }).batchItemFailures;
  if (failures === undefined || failures === null) return new Set();
  if (!Array.isArray(failures)) return 'all';
  const known = new Set(messageIds);
  const failed = new Set<string>();
  for (const failure of failures) {
    const id = (failure as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    if (typeof id !== 'string' || id === '' || !known.has(id)) return 'all';
    failed.add(id);
  }
  return failed;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function startSqsPoller(options: SqsPollerOptions): Promise<SqsPoller> {
  const logger = options.logger ?? defaultLogger;
  const region = options.region ?? LOCAL_REGION;
  const { functionName, trigger, queueUrl, invoker } = options;
  const waitTimeSeconds = options.waitTimeSeconds ?? 20;
  const concurrency = Math.max(1, trigger.maximumConcurrency ?? options.defaultConcurrency ?? 2);
  const batchSize = Math.max(1, trigger.batchSize);
  const windowMs = Math.max(0, trigger.maxBatchingWindowSeconds) * 1000;
  const reportFailures = trigger.reportBatchItemFailures !== false;
  const retryMs = options.unavailableRetryMs ?? 2000;
  // The handler gets loopback queue URLs, and this client goes to the configured endpoint either way.
  const sqs = new SQSClient({ ...localClientConfig(options.endpoint), useQueueUrlAsEndpoint: false });
  const iam = options.iam;
  /** The mapping's calls go out with the function's role (authorized first when IAM is enforced). */
  const asRole = <T>(call: () => Promise<T>): Promise<T> =>
    asFunction(functionName, { enforcer: iam, meter: options.meter, via: 'SQS event source mapping' }, call);
  const abort = new AbortController();
  let stopping = false;
  let lastReceiveError = '';

  const queueArn = (
    await asRole(() =>
      sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] })),
    )
  ).Attributes!.QueueArn!;

  async function receive(max: number, wait: number): Promise<Message[]> {
    const out = await asRole(() =>
      sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: Math.min(10, max),
          WaitTimeSeconds: wait,
          AttributeNames: ['All'],
          MessageSystemAttributeNames: ['All'],
          MessageAttributeNames: ['All'],
        }),
        { abortSignal: abort.signal },
      ),
    );
    return out.Messages ?? [];
  }

  /** Up to batchSize messages: the first long poll, then more until the batching window closes. */
  async function gather(): Promise<Message[]> {
    const batch = await receive(batchSize, waitTimeSeconds);
    if (!batch.length || windowMs === 0) return batch;
    const deadline = Date.now() + windowMs;
    while (batch.length < batchSize && !stopping) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) break;
      const more = await receive(
        batchSize - batch.length,
        remaining >= 1000 ? Math.min(20, Math.floor(remaining / 1000)) : 0,
      );
      batch.push(...more);
      if (!more.length && remaining < 1000) await sleep(Math.min(remaining, 50));
    }
    return batch;
  }

  async function deleteMessages(messages: Message[]): Promise<void> {
    for (let i = 0; i < messages.length; i += 10) {
      const chunk = messages.slice(i, i + 10);
      const out = await asRole(() =>
        sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: queueUrl,
            Entries: chunk.map((m, j) => ({ Id: String(j), ReceiptHandle: m.ReceiptHandle! })),
          }),
        ),
      );
      if (out.Failed?.length)
        logger(`[local] ${functionName}: ${out.Failed.length} message(s) could not be deleted`);
    }
  }

  /** Makes messages received during stop visible again at once (they were never handed to the function). */
  async function release(messages: Message[]): Promise<void> {
    for (let i = 0; i < messages.length; i += 10) {
      const chunk = messages.slice(i, i + 10);
      await asRole(() =>
        sqs.send(
          new ChangeMessageVisibilityBatchCommand({
            QueueUrl: queueUrl,
            Entries: chunk.map((m, j) => ({
              Id: String(j),
              ReceiptHandle: m.ReceiptHandle!,
              VisibilityTimeout: 0,
            })),
          }),
        ),
      ).catch(() => undefined);
    }
  }

  async function processBatch(messages: Message[]): Promise<void> {
    const event: SQSEvent = { Records: messages.map((m) => toLambdaRecord(m, queueArn, region)) };
    let result: unknown;
    try {
      result = await invoker.invoke(functionName, event);
    } catch {
      // Threw, timed out or unavailable (logged by the invoker): the whole batch returns after the
      // visibility timeout.
      return;
    }
    const failed = reportFailures
      ? failedMessageIds(
          result,
          messages.map((m) => m.MessageId!),
        )
      : new Set<string>();
    if (failed === 'all') {
      logger(
        `[local] ${functionName}: malformed batchItemFailures; the whole batch of ${messages.length} failed`,
      );
      return;
    }
    await deleteMessages(messages.filter((m) => !failed.has(m.MessageId!)));
  }

  async function loop(): Promise<void> {
    while (!stopping) {
      try {
        // Do not take messages for a function that cannot run yet (its module may be being written).
        await invoker.load(functionName);
      } catch {
        await Promise.race([sleep(retryMs), stopped]);
        continue;
      }
      let messages: Message[];
      try {
        messages = await gather();
        lastReceiveError = '';
      } catch (err) {
        if (stopping) return;
        const description = describeError(err);
        if (description !== lastReceiveError)
          logger(`[local] ${functionName}: receive failed: ${description}`);
        lastReceiveError = description;
        await Promise.race([sleep(1000), stopped]);
        continue;
      }
      if (!messages.length) continue;
      if (stopping) {
        await release(messages);
        return;
      }
      try {
        await processBatch(messages);
      } catch (err) {
        logger(`[local] ${functionName}: delete failed: ${describeError(err)}`);
      }
    }
  }

  let signalStopped: () => void = () => {};
  const stopped = new Promise<void>((resolve) => {
    signalStopped = resolve;
  });
  const loops = Array.from({ length: concurrency }, () => loop());
  let stopping_: Promise<void> | undefined;

  return {
    functionName,
    stop() {
      stopping_ ??= (async () => {
        stopping = true;
        signalStopped();
        const done = Promise.allSettled(loops);
        if (options.interruptLongPolls) {
          // End server-side waits so each loop gets its (empty) answer; repeat for a loop that was just
          // sending its request when the first interrupt went out.
          const interrupt = options.interruptLongPolls;
          interrupt();
          const timer = setInterval(interrupt, 50);
          await done;
          clearInterval(timer);
        } else {
          abort.abort();
          await done;
        }
        sqs.destroy();
      })();
      return stopping_;
    },
  };
}
