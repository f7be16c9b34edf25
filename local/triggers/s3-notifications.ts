/**
 * S3 → SQS event notifications, as S3 delivers them for each bucket `notifications` entry of the topology.
 *
 * fauxqs's S3 has no notification configuration; the SQS/S3 stand-in reports every object created (see
 * `onObjectCreated` in ../standins/sqs-s3.ts) and this module turns each one that a configuration's event type
 * and prefix/suffix filter match into the SQS message S3 would send: a body that is the JSON of the S3 event
 * (`{"Records":[…]}`, event version 2.1, key URL-encoded, size, ETag, sequencer). When a bucket/queue pair is
 * first configured it sends the `s3:TestEvent` message S3 sends on PutBucketNotificationConfiguration.
 *
 * Delivery, as in AWS, is asynchronous (after the write's response) and at least once: `duplicateEvery`
 * delivers some events twice so consumers' idempotency can be tested.
 *
 * Where this differs from AWS:
 * - no `versionId`: fauxqs keeps no object versions (the bucket is versioned in AWS, so events there have one);
 * - `configurationId` is readable (`drop-to-ingestFiles-1`); S3 generates an opaque one (CDK sets no Id);
 *   `userIdentity`, `ownerIdentity` and `responseElements` are placeholders, not the real requester and request;
 * - the s3:TestEvent is sent once per bucket/queue pair and data directory (every start without one), where
 *   S3 sends it whenever a deployment puts the notification configuration;
 * - sequencers grow with every write, whatever the key (S3 promises that per key only);
 * - duplicates come on a fixed schedule right after the original, not rarely and at random; a send that fails
 *   three times is dropped (and logged), where S3 keeps retrying longer;
 * - lifecycle expiration (which emits no ObjectCreated events anyway) is not applied locally.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { BucketNotification, BucketSpec } from '../../infra/topology.ts';
import { LOCAL_REGION, localClientConfig } from '../clients.ts';
import { defaultLogger, describeError, type Logger } from '../log.ts';
import type { ObjectCreated, ObjectCreatedEventName } from '../standins/sqs-s3.ts';

/** File in the data directory that records which bucket/queue pairs were sent their `s3:TestEvent`. */
export const NOTIFICATIONS_STATE_FILE = 's3-notifications.json';

/** Who S3 says made the request and owns the bucket: there is no IAM locally, so fixed, recognisable ids. */
const LOCAL_PRINCIPAL_ID = 'AWS:local';
const LOCAL_OWNER_ID = 'LOCALOWNER';

export interface S3NotificationsOptions {
  /** Buckets of the topology; only those with `notifications` matter. */
  buckets: Record<string, BucketSpec>;
  /** Queue URL by topology queue key (the `queue` a notification names). */
  queueUrls: Record<string, string>;
  /** SQS endpoint of the stand-in. */
  endpoint: string;
  /** Source of object-created events (the SQS/S3 stand-in). */
  onObjectCreated(listener: (event: ObjectCreated) => void): () => void;
  /** Where the "TestEvent sent" markers are kept; without it every start is a first configuration. */
  dataDir?: string;
  /** Deliver every n-th matching event twice (1: every event; default: never), as at-least-once delivery may. */
  duplicateEvery?: number;
  region?: string;
  logger?: Logger;
}

export interface S3Notifications {
  /** The notification configurations in force, as S3 would list them. */
  readonly configurations: readonly NotificationConfiguration[];
  /** Resolves when every notification for objects created so far has been sent (or given up on). */
  flush(): Promise<void>;
  /** Stops listening and waits for sends under way. */
  stop(): Promise<void>;
}

export interface NotificationConfiguration extends BucketNotification {
  bucket: string;
  /** The `s3.configurationId` of the events it produces. */
  id: string;
  queueUrl: string;
}

// ---------------------------------------------------------------------------------------------------------------
// The S3 event, as pure functions.

/**
 * An object key as S3 writes it in event notifications: `application/x-www-form-urlencoded` (space → `+`,
 * `+` → `%2B`, every byte outside `A–Z a–z 0–9 * - . _` percent-encoded from UTF-8), except that `/` stays `/`.
 * Decode with `decodeURIComponent(key.replace(/\+/g, ' '))`.
 */
export function encodeEventKey(key: string): string {
  return new URLSearchParams([['', key]]).toString().slice(1).replaceAll('%2F', '/');
}

/** Whether a configured event type (`s3:ObjectCreated:*`, `s3:ObjectCreated:Put`, …) covers an event. */
export function eventTypeMatches(configured: string, eventName: string): boolean {
  const full = `s3:${eventName}`;
  return configured.endsWith(':*') ? full.startsWith(configured.slice(0, -1)) : configured === full;
}

/**
 * Whether a configuration's filter covers a key. S3 compares filter values with the key as its events encode it
 * (the S3 guide: a space in a prefix or suffix must be written `+`, other special characters percent-encoded).
 */
export function filterMatches(filter: { prefix?: string; suffix?: string }, key: string): boolean {
  const encoded = encodeEventKey(key);
  return (
    (!filter.prefix || encoded.startsWith(filter.prefix)) &&
    (!filter.suffix || encoded.endsWith(filter.suffix))
  );
}

/**
 * Sequencers that grow with every write: hexadecimal, fixed width, from the clock (so they keep growing across
 * restarts) and a counter. S3 promises only that, for one key, a later event has a greater sequencer (compared as
 * strings of equal length); these are greater for every later write, whatever the key.
 */
export function createSequencer(now: () => number = Date.now): () => string {
  let last = 0n;
  return () => {
    const fromClock = BigInt(now()) << 16n;
    last = fromClock > last ? fromClock : last + 1n;
    return last.toString(16).toUpperCase().padStart(18, '0');
  };
}

export interface S3EventInput {
  region: string;
  configurationId: string;
  bucket: string;
  key: string;
  eventName: ObjectCreatedEventName;
  size: number;
  eTag: string;
  sequencer: string;
  time: Date;
  versionId?: string;
}

const requestId = () => randomBytes(8).toString('hex').toUpperCase();
const hostId = () => randomBytes(48).toString('base64');

/** The body S3 sends to SQS for one event: `{"Records":[…]}`, event structure version 2.1. */
export function s3EventMessage(input: S3EventInput): { Records: unknown[] } {
  return {
    Records: [
      {
        eventVersion: '2.1',
        eventSource: 'aws:s3',
        awsRegion: input.region,
        eventTime: input.time.toISOString(),
        eventName: input.eventName,
        userIdentity: { principalId: LOCAL_PRINCIPAL_ID },
        requestParameters: { sourceIPAddress: '127.0.0.1' },
        responseElements: { 'x-amz-request-id': requestId(), 'x-amz-id-2': hostId() },
        s3: {
          s3SchemaVersion: '1.0',
          configurationId: input.configurationId,
          bucket: {
            name: input.bucket,
            ownerIdentity: { principalId: LOCAL_OWNER_ID },
            arn: `arn:aws:s3:::${input.bucket}`,
          },
          object: {
            key: encodeEventKey(input.key),
            size: input.size,
            eTag: input.eTag,
            ...(input.versionId !== undefined ? { versionId: input.versionId } : {}),
            sequencer: input.sequencer,
          },
        },
      },
    ],
  };
}

/** The message S3 sends to a destination when a notification configuration is put: no `Records`. */
export function s3TestEventMessage(bucket: string, time: Date = new Date()) {
  return {
    Service: 'Amazon S3',
    Event: 's3:TestEvent',
    Time: time.toISOString(),
    Bucket: bucket,
    RequestId: requestId(),
    HostId: hostId(),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// The trigger.

/** Readable, stable configuration ids (S3 generates opaque ones when none is given, as CDK does). */
function configurationId(bucket: string, queue: string, index: number): string {
  return `${bucket}-to-${queue}-${index + 1}`;
}

export function notificationConfigurations(
  buckets: Record<string, BucketSpec>,
  queueUrls: Record<string, string>,
): NotificationConfiguration[] {
  const out: NotificationConfiguration[] = [];
  for (const spec of Object.values(buckets)) {
    (spec.notifications ?? []).forEach((notification, index) => {
      const queueUrl = queueUrls[notification.queue];
      if (!queueUrl) {
        throw new Error(`bucket ${spec.name}: a notification names unknown queue ${notification.queue}`);
      }
      out.push({
        ...notification,
        bucket: spec.name,
        id: configurationId(spec.name, notification.queue, index),
        queueUrl,
      });
    });
  }
  return out;
}

interface NotificationsState {
  /** `<bucket> <queue>` pairs that were sent their s3:TestEvent. */
  testEventsSent: string[];
}

function readState(file: string | undefined): NotificationsState {
  if (!file || !existsSync(file)) return { testEventsSent: [] };
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<NotificationsState>;
  return { testEventsSent: parsed.testEventsSent ?? [] };
}

function writeState(file: string, state: NotificationsState): void {
  writeFileSync(`${file}.tmp`, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
}

const SEND_ATTEMPTS = 3;

export async function startS3Notifications(options: S3NotificationsOptions): Promise<S3Notifications> {
  const logger = options.logger ?? defaultLogger;
  const region = options.region ?? LOCAL_REGION;
  const duplicateEvery = options.duplicateEvery;
  if (duplicateEvery !== undefined && !(Number.isInteger(duplicateEvery) && duplicateEvery >= 1)) {
    throw new Error(`s3Notifications.duplicateEvery must be a positive integer, not ${duplicateEvery}`);
  }
  const configurations = notificationConfigurations(options.buckets, options.queueUrls);
  const sqs = new SQSClient({ ...localClientConfig(options.endpoint), useQueueUrlAsEndpoint: false });
  const inFlight = new Set<Promise<unknown>>();

  /** Sends one message, retrying a little; a delivery that still fails is logged (never the key or body). */
  const send = async (queueUrl: string, body: string, what: string): Promise<boolean> => {
    for (let n = 1; ; n++) {
      try {
        await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }));
        return true;
      } catch (err) {
        if (n >= SEND_ATTEMPTS) {
          logger(`[s3-notifications] ${what}: not delivered after ${n} attempts: ${describeError(err)}`);
          return false;
        }
        await new Promise((resolve) => setTimeout(resolve, 50 * n));
      }
    }
  };
  const track = (delivery: Promise<unknown>) => {
    const tracked = delivery.finally(() => inFlight.delete(tracked));
    inFlight.add(tracked);
  };

  // Configuring a notification sends one s3:TestEvent per bucket/queue pair, the first time only.
  const stateFile = options.dataDir ? join(options.dataDir, NOTIFICATIONS_STATE_FILE) : undefined;
  const state = readState(stateFile);
  const pairs = new Map(configurations.map((c) => [`${c.bucket} ${c.queue}`, c]));
  const newPairs = [...pairs].filter(([pair]) => !state.testEventsSent.includes(pair));
  let sentTestEvent = false;
  for (const [pair, c] of newPairs) {
    if (await send(c.queueUrl, JSON.stringify(s3TestEventMessage(c.bucket)), `s3:TestEvent ${pair}`)) {
      state.testEventsSent.push(pair);
      sentTestEvent = true;
    }
  }
  if (stateFile && sentTestEvent) writeState(stateFile, state);

  const nextSequencer = createSequencer();
  let matched = 0;
  const unsubscribe = options.onObjectCreated((event) => {
    const sequencer = nextSequencer();
    for (const c of configurations) {
      if (c.bucket !== event.bucket) continue;
      if (!c.events.some((type) => eventTypeMatches(type, event.eventName))) continue;
      if (!filterMatches(c, event.key)) continue;
      const body = JSON.stringify(s3EventMessage({ ...event, region, configurationId: c.id, sequencer }));
      const what = `${event.eventName} in ${c.bucket} → ${c.queue}`;
      matched += 1;
      const copies = duplicateEvery !== undefined && matched % duplicateEvery === 0 ? 2 : 1;
      // A duplicate follows the first copy: the same body (same sequencer), a distinct SQS message.
      track(
        send(c.queueUrl, body, what).then((sent) =>
          sent && copies === 2 ? send(c.queueUrl, body, `${what} (duplicate)`) : sent,
        ),
      );
    }
  });

  const flush = async () => {
    while (inFlight.size > 0) await Promise.all([...inFlight]);
  };
  let stopped: Promise<void> | undefined;
  return {
    configurations,
    flush,
    stop() {
      stopped ??= (async () => {
        unsubscribe();
        await flush();
        sqs.destroy();
      })();
      return stopped;
    },
  };
}
