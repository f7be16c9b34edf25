/**
 * SQS and S3 stand-in: fauxqs bound to 127.0.0.1 only.
 *
 * Why fauxqs's private files, and a pinned version: its public API cannot do this job. `startFauxqs()` always
 * listens on every interface (its `host` option only names URLs), and a stand-in without authentication must
 * not; it also hides its stores, which we need for S3 event details (how an object was created, its size and
 * ETag), to end long polls and to keep persisted queue URLs on this run's port. `buildApp()` can be listened on
 * loopback, but only given stores, whose classes fauxqs does not export. So this file repeats `startFauxqs`'s
 * wiring (node_modules/fauxqs/dist/app.js) around `buildApp()` with classes loaded from fauxqs's dist/ files
 * (./fauxqs-internals.ts, which lists every private member relied on): create the stores, load persisted state
 * before attaching persistence, attach the message spy, then `listen` on loopback. fauxqs is pinned to an exact
 * version in package.json, and test/local/fauxqs-contract.test.ts fails, naming the file or member, when an
 * upgrade changes any of it.
 */
import { mkdirSync } from 'node:fs';
import { buildApp, type MessageSpyReader, type SpyMessage } from 'fauxqs';
import { loadFauxqsInternals, type SqsStoreInternals } from './fauxqs-internals.ts';
import { type CorsRule, corsAnswer } from './s3-cors.ts';
import { type ObjectCreated, watchObjectsCreated } from './s3-object-created.ts';

export type { ObjectCreated, ObjectCreatedEventName } from './s3-object-created.ts';

/** The largest object body the local S3 takes in one request: the pipeline's file size limit, with room. */
const OBJECT_BODY_LIMIT = 600 * 1024 * 1024;

export interface SqsS3Standin {
  /** `http://127.0.0.1:PORT`, for both SQS and S3. */
  endpoint: string;
  port: number;
  /** The queue URL fauxqs hands out for `name`: `http://127.0.0.1:PORT/000000000000/<name>`. */
  queueUrl(name: string): string;
  /** Read-only spy on SQS, SNS and S3 events (S3 uploads carry bucket and key). */
  spy: MessageSpyReader;
  /** Calls `listener` for every spy event as it happens; returns an unsubscribe function. */
  onSpyMessage(listener: (message: SpyMessage) => void): () => void;
  /**
   * Calls `listener` once for every object created (PUT, POST, copy, completed multipart upload), with what an
   * S3 event carries: how it was created, its size and ETag, read from the store when it was written (so a
   * later overwrite cannot change them). Called after the request's handling, before its response is read.
   */
  onObjectCreated(listener: (event: ObjectCreated) => void): () => void;
  /**
   * Ends every pending long poll now (each answers with what is visible, usually nothing). Pollers use it to
   * stop promptly without abandoning a server-side wait that would later take a message for a closed socket.
   */
  interruptLongPolls(): void;
  stop(): Promise<void>;
}

export interface SqsS3Options {
  /** SQLite directory for SQS (and SNS) state; in memory when omitted. */
  sqsDir?: string;
  /** Directory for S3 buckets and objects as files; in memory when omitted. */
  s3Dir?: string;
  port?: number;
  region?: string;
  /** Spy buffer size (events kept for `spy` lookups). */
  spyBufferSize?: number;
  /** A bucket's CORS rules, read on every browser request (fauxqs has no bucket CORS; ./s3-cors.ts). */
  cors?: (bucket: string) => readonly CorsRule[] | undefined;
}

export const ACCOUNT_ID = '000000000000';

export async function startSqsS3(options: SqsS3Options = {}): Promise<SqsS3Standin> {
  const fq = await loadFauxqsInternals();
  const region = options.region ?? 'us-east-1';
  const sqsStore = new fq.SqsStore();
  const snsStore = new fq.SnsStore();
  const s3Store = new fq.S3Store();
  const sqsInternals = sqsStore as unknown as SqsStoreInternals;
  // An empty host makes fauxqs build queue URLs from the request's Host header (127.0.0.1:PORT) instead of
  // `sqs.<region>.localhost:PORT`, which would not resolve to loopback everywhere.
  sqsInternals.host = '';
  sqsInternals.region = region;
  (snsStore as unknown as { region?: string }).region = region;

  // Same order as startFauxqs: load persisted state BEFORE attaching persistence to the stores (attaching first
  // would make the loader's INSERT OR REPLACE cascade-delete messages).
  if (options.sqsDir) mkdirSync(options.sqsDir, { recursive: true });
  if (options.s3Dir) mkdirSync(options.s3Dir, { recursive: true });
  const persistence = options.sqsDir ? new fq.PersistenceManager(options.sqsDir) : undefined;
  const s3Persistence = options.s3Dir ? new fq.FileS3Persistence(options.s3Dir) : persistence;
  if (persistence && s3Persistence === persistence) {
    persistence.load(sqsStore, snsStore, s3Store);
  } else {
    persistence?.loadSqsAndSns(sqsStore, snsStore);
    s3Persistence?.loadS3(s3Store);
  }
  if (persistence) {
    sqsInternals.persistence = persistence;
    (snsStore as unknown as { persistence?: unknown }).persistence = persistence;
    for (const queue of sqsInternals.allQueues()) queue.persistence = persistence;
  }
  if (s3Persistence) (s3Store as unknown as { persistence?: unknown }).persistence = s3Persistence;

  const spy = new fq.MessageSpy({ bufferSize: options.spyBufferSize ?? 100 });
  const listeners = new Set<(message: SpyMessage) => void>();
  const addMessage = spy.addMessage.bind(spy);
  spy.addMessage = (message: SpyMessage) => {
    addMessage(message);
    for (const listener of listeners) {
      try {
        listener(message);
      } catch {
        // A listener's failure must not break the SQS/S3 request that produced the event.
      }
    }
  };
  sqsInternals.spy = spy;
  (snsStore as unknown as { spy?: unknown }).spy = spy;
  (s3Store as unknown as { spy?: unknown }).spy = spy;
  const objectsCreated = watchObjectsCreated(s3Store);
  listeners.add(objectsCreated.onSpyMessage);

  const app = buildApp({ logger: false, defaultRegion: region, stores: { sqsStore, snsStore, s3Store } });
  // buildApp sets sqsStore.host only when given a host; keep ours empty.
  sqsInternals.host = '';
  if (persistence) app.addHook('preClose', () => persistence.close());
  if (s3Persistence && s3Persistence !== persistence) app.addHook('preClose', () => s3Persistence.close());
  // fauxqs caps every request body at 11 MiB (enough for multipart parts), but S3 takes a single PUT of up to
  // 5 GB and sites PUT whole files to presigned URLs: object bodies get the pipeline's own file limit instead.
  for (const type of ['*', 'text/plain']) {
    if (app.hasContentTypeParser(type)) app.removeContentTypeParser(type);
    app.addContentTypeParser(type, { parseAs: 'buffer', bodyLimit: OBJECT_BODY_LIMIT }, (_req, body, done) =>
      done(null, body),
    );
  }

  const cors = options.cors;
  if (cors)
    app.addHook('onRequest', async (req, reply) => {
      const origin = req.headers.origin;
      if (!origin && req.method !== 'OPTIONS') return;
      // Path-style URLs (the SDK's forcePathStyle and presigned URLs here): the first segment is the bucket.
      const bucket = decodeURIComponent(req.url.split('?')[0]!.split('/')[1] ?? '');
      const answer = corsAnswer(cors(bucket), {
        method: req.method,
        origin,
        requestMethod: req.headers['access-control-request-method'] as string | undefined,
        requestHeaders: req.headers['access-control-request-headers'] as string | undefined,
      });
      if (answer.kind === 'serve') reply.headers(answer.headers);
      if (answer.kind === 'preflight')
        return reply
          .code(answer.status)
          .headers(answer.headers)
          .send(answer.body ?? '');
    });

  const address = await app.listen({ port: options.port ?? 0, host: '127.0.0.1' });
  const port = Number(new URL(address).port);
  const endpoint = `http://127.0.0.1:${port}`;
  const queueUrl = (name: string) => `${endpoint}/${ACCOUNT_ID}/${name}`;

  // Persisted queues keep the URL of the run that created them (another port); queues are looked up by name,
  // so requests work either way, but GetQueueUrl/ListQueues/CreateQueue would return the stale port.
  for (const queue of [...sqsInternals.queues.values()]) {
    const url = queueUrl(queue.name);
    if (queue.url !== url) {
      sqsInternals.queues.delete(queue.url);
      queue.url = url;
      sqsInternals.queues.set(url, queue);
    }
  }

  let stopped: Promise<void> | undefined;
  return {
    endpoint,
    port,
    queueUrl,
    spy,
    onSpyMessage(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    onObjectCreated: (listener) => objectsCreated.subscribe(listener),
    interruptLongPolls: () => sqsInternals.shutdown(),
    stop() {
      stopped ??= app.close().then(() => {
        listeners.clear();
        objectsCreated.clear();
      });
      return stopped;
    },
  };
}
