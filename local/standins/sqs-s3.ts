/**
 * SQS and S3 stand-in: fauxqs bound to 127.0.0.1 only.
 *
 * fauxqs's own `startFauxqs()` always listens on every interface (its `host` option only names URLs), and a stand-in
 * without authentication must not listen on every interface. So this file repeats `startFauxqs`'s wiring
 * (node_modules/fauxqs/dist/app.js) around the public `buildApp()`: create the stores, load persisted state
 * before attaching persistence, attach the message spy, then `listen` on loopback.
 */
import { mkdirSync } from 'node:fs';
import { type BuildAppOptions, buildApp, type MessageSpyReader, type SpyMessage } from 'fauxqs';

/** The largest object body the local S3 takes in one request: the pipeline's file size limit, with room. */
const OBJECT_BODY_LIMIT = 600 * 1024 * 1024;

type Stores = NonNullable<BuildAppOptions['stores']>;
type SqsStore = Stores['sqsStore'];
type SnsStore = Stores['snsStore'];
type S3Store = Stores['s3Store'];

/** The part of fauxqs's PersistenceManager (SQLite via node:sqlite) used here. */
interface PersistenceManager {
  load(sqsStore: SqsStore, snsStore: SnsStore, s3Store: S3Store): void;
  loadSqsAndSns(sqsStore: SqsStore, snsStore: SnsStore): void;
  loadS3(s3Store: S3Store): void;
  close(): void;
}
/** The part of fauxqs's FileS3Persistence used here. */
interface FileS3Persistence {
  loadS3(s3Store: S3Store): void;
  close(): void;
}
interface MessageSpy extends MessageSpyReader {
  addMessage(message: SpyMessage): void;
}

/** How S3 names the way an object was created (the `eventName` of an S3 event, without `s3:`). */
export type ObjectCreatedEventName =
  | 'ObjectCreated:Put'
  | 'ObjectCreated:Post'
  | 'ObjectCreated:Copy'
  | 'ObjectCreated:CompleteMultipartUpload';

/** An object written to the S3 stand-in, as S3 would notify it (raw key, not URL-encoded). */
export interface ObjectCreated {
  bucket: string;
  key: string;
  eventName: ObjectCreatedEventName;
  /** Size in bytes of the object written. */
  size: number;
  /** ETag without quotes (`<md5>` or, after a multipart upload, `<md5 of part md5s>-<parts>`). */
  eTag: string;
  /** When the stand-in stored it. */
  time: Date;
}

/** Fields of fauxqs's internal SqsStore/SqsQueue that `buildApp`'s types do not expose. */
interface SqsStoreInternals {
  host: string;
  region?: string;
  queues: Map<string, { name: string; url: string }>;
  allQueues(): Iterable<{ name: string; url: string; persistence?: unknown }>;
  persistence?: unknown;
  spy?: unknown;
  shutdown(): void;
}

/**
 * fauxqs's package.json exports only ".", so its store and persistence classes cannot be imported by name.
 * They are resolved as files next to the package entry instead. This trick is confined to this one file: if a
 * fauxqs upgrade moves them, only this function breaks (and loudly, at start).
 */
async function loadFauxqsInternals() {
  const base = import.meta.resolve('fauxqs'); // file:///…/node_modules/fauxqs/dist/app.js
  const at = (rel: string) => new URL(rel, base).href;
  const [sqs, sns, s3, persistence, fileS3, spy] = await Promise.all([
    import(at('./sqs/sqsStore.js')),
    import(at('./sns/snsStore.js')),
    import(at('./s3/s3Store.js')),
    import(at('./persistence.js')),
    import(at('./s3/fileS3Persistence.js')),
    import(at('./spy.js')),
  ]);
  return {
    SqsStore: sqs.SqsStore as new () => SqsStore,
    SnsStore: sns.SnsStore as new () => SnsStore,
    S3Store: s3.S3Store as new () => S3Store,
    PersistenceManager: persistence.PersistenceManager as new (dataDir: string) => PersistenceManager,
    FileS3Persistence: fileS3.FileS3Persistence as new (baseDir: string) => FileS3Persistence,
    MessageSpy: spy.MessageSpy as new (params?: { bufferSize?: number }) => MessageSpy,
  };
}

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

/**
 * Tells how each object was created from what fauxqs reports, which is less than an S3 event needs: its spy says
 * `uploaded` for a PUT, a POST and a completed multipart upload alike, and `uploaded` then `copied` for a copy
 * (node_modules/fauxqs/dist/s3/s3Store.js and actions/putObject.js, postObject.js). So:
 * - a completed multipart upload is recognised by wrapping `completeMultipartUpload` (its `uploaded` is emitted
 *   inside that call);
 * - a copy or a POST is recognised by the second spy event for the same key in the same synchronous turn
 *   (`copied`, or a second `uploaded`), which the action emits right after `putObject` returns; a microtask
 *   settles each event once the request handler's synchronous part is done;
 * - size and ETag are read from the store synchronously inside the spy callback, i.e. of the very write reported.
 */
function watchObjectsCreated(s3Store: S3Store) {
  const subscribers = new Set<(event: ObjectCreated) => void>();
  let pending: ObjectCreated[] = [];
  let completingMultipart = false;

  const store = s3Store as unknown as {
    completeMultipartUpload: S3Store['completeMultipartUpload'];
    headObject: S3Store['headObject'];
  };
  const complete = store.completeMultipartUpload.bind(s3Store);
  store.completeMultipartUpload = (...args) => {
    completingMultipart = true;
    try {
      return complete(...args);
    } finally {
      completingMultipart = false;
    }
  };

  const settle = () => {
    const events = pending;
    pending = [];
    for (const event of events) {
      for (const subscriber of subscribers) {
        try {
          subscriber(event);
        } catch {
          // A subscriber's failure must not break the others (nor the request, long answered by now).
        }
      }
    }
  };

  const onSpyMessage = (message: SpyMessage) => {
    if (message.service !== 's3' || subscribers.size === 0) return;
    const same = pending.find((p) => p.bucket === message.bucket && p.key === message.key);
    if (message.status === 'copied') {
      if (same) same.eventName = 'ObjectCreated:Copy';
      return;
    }
    if (message.status !== 'uploaded') return;
    if (same && same.eventName === 'ObjectCreated:Put') {
      same.eventName = 'ObjectCreated:Post';
      return;
    }
    let object: { contentLength: number; etag: string };
    try {
      object = store.headObject(message.bucket, message.key);
    } catch {
      return; // Not there (deleted in between): nothing S3 would report either.
    }
    pending.push({
      bucket: message.bucket,
      key: message.key,
      eventName: completingMultipart ? 'ObjectCreated:CompleteMultipartUpload' : 'ObjectCreated:Put',
      size: object.contentLength,
      eTag: object.etag.replaceAll('"', ''),
      time: new Date(message.timestamp),
    });
    if (pending.length === 1) queueMicrotask(settle);
  };

  return {
    onSpyMessage,
    subscribe(listener: (event: ObjectCreated) => void) {
      subscribers.add(listener);
      return () => {
        subscribers.delete(listener);
      };
    },
    clear: () => subscribers.clear(),
  };
}
