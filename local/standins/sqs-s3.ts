/**
 * SQS and S3 stand-in: fauxqs bound to 127.0.0.1 only.
 *
 * fauxqs's own `startFauxqs()` always listens on 0.0.0.0 (its `host` option only names URLs), and a stand-in
 * without authentication must not listen on every interface. So this file repeats `startFauxqs`'s wiring
 * (node_modules/fauxqs/dist/app.js) around the public `buildApp()`: create the stores, load persisted state
 * before attaching persistence, attach the message spy, then `listen` on loopback.
 */
import { mkdirSync } from 'node:fs';
import { type BuildAppOptions, buildApp, type MessageSpyReader, type SpyMessage } from 'fauxqs';

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

  const app = buildApp({ logger: false, defaultRegion: region, stores: { sqsStore, snsStore, s3Store } });
  // buildApp sets sqsStore.host only when given a host; keep ours empty.
  sqsInternals.host = '';
  if (persistence) app.addHook('preClose', () => persistence.close());
  if (s3Persistence && s3Persistence !== persistence) app.addHook('preClose', () => s3Persistence.close());

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
    interruptLongPolls: () => sqsInternals.shutdown(),
    stop() {
      stopped ??= app.close().then(() => listeners.clear());
      return stopped;
    },
  };
}
