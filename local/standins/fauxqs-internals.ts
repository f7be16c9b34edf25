/**
 * The private parts of fauxqs the SQS/S3 stand-in (./sqs-s3.ts) is built from, in one place.
 *
 * fauxqs's package.json exports only ".", which gives `buildApp` (taking stores we must construct) and `startFauxqs`
 * (which always listens on every interface, and hides its stores). Its store, persistence and spy classes are
 * loaded as files next to the package entry instead, and a few of their members are set or wrapped. That is why
 * fauxqs is pinned to an exact version in package.json, and why test/local/fauxqs-contract.test.ts checks every
 * file and member listed in FAUXQS_RELIED_ON: an upgrade that moves or reshapes one fails there, naming it.
 */
import type { BuildAppOptions, MessageSpyReader, SpyMessage } from 'fauxqs';

type Stores = NonNullable<BuildAppOptions['stores']>;
export type SqsStore = Stores['sqsStore'];
export type SnsStore = Stores['snsStore'];
export type S3Store = Stores['s3Store'];

/** The part of fauxqs's PersistenceManager (SQLite via node:sqlite) used here. */
export interface PersistenceManager {
  load(sqsStore: SqsStore, snsStore: SnsStore, s3Store: S3Store): void;
  loadSqsAndSns(sqsStore: SqsStore, snsStore: SnsStore): void;
  loadS3(s3Store: S3Store): void;
  close(): void;
}
/** The part of fauxqs's FileS3Persistence used here. */
export interface FileS3Persistence {
  loadS3(s3Store: S3Store): void;
  close(): void;
}
export interface MessageSpy extends MessageSpyReader {
  addMessage(message: SpyMessage): void;
}

/** Fields of fauxqs's internal SqsStore/SqsQueue that `buildApp`'s types do not expose. */
export interface SqsStoreInternals {
  host: string;
  region?: string;
  /** Queues by URL. */
  queues: Map<string, { name: string; url: string }>;
  allQueues(): Iterable<{ name: string; url: string; persistence?: unknown }>;
  persistence?: unknown;
  spy?: unknown;
  /** Cancels every pending long poll. */
  shutdown(): void;
}

/**
 * What this project relies on, by class: the file (relative to fauxqs's entry, dist/app.js) that exports it, the
 * methods called or wrapped, and the instance fields read or set.
 */
export const FAUXQS_RELIED_ON = {
  SqsStore: {
    file: './sqs/sqsStore.js',
    methods: ['allQueues', 'shutdown'],
    fields: ['host', 'region', 'queues', 'persistence', 'spy'],
  },
  SnsStore: { file: './sns/snsStore.js', methods: [], fields: ['region', 'persistence', 'spy'] },
  S3Store: {
    file: './s3/s3Store.js',
    methods: ['completeMultipartUpload', 'headObject'],
    fields: ['persistence', 'spy'],
  },
  PersistenceManager: {
    file: './persistence.js',
    methods: ['load', 'loadSqsAndSns', 'loadS3', 'close'],
    fields: [],
  },
  FileS3Persistence: { file: './s3/fileS3Persistence.js', methods: ['loadS3', 'close'], fields: [] },
  MessageSpy: { file: './spy.js', methods: ['addMessage'], fields: [] },
} as const satisfies Record<string, { file: string; methods: readonly string[]; fields: readonly string[] }>;

export type FauxqsClassName = keyof typeof FAUXQS_RELIED_ON;

/** Imports the private module that exports `name` (throws if the file is gone). */
export async function importFauxqsPrivate(name: FauxqsClassName): Promise<Record<string, unknown>> {
  const base = import.meta.resolve('fauxqs'); // file:///…/node_modules/fauxqs/dist/app.js
  return import(new URL(FAUXQS_RELIED_ON[name].file, base).href);
}

/** fauxqs's store, persistence and spy classes, loaded from its private files. */
export async function loadFauxqsInternals() {
  const names = Object.keys(FAUXQS_RELIED_ON) as FauxqsClassName[];
  const modules = await Promise.all(names.map(importFauxqsPrivate));
  const exported = Object.fromEntries(names.map((name, i) => [name, modules[i]?.[name]]));
  return {
    SqsStore: exported.SqsStore as new () => SqsStore,
    SnsStore: exported.SnsStore as new () => SnsStore,
    S3Store: exported.S3Store as new () => S3Store,
    PersistenceManager: exported.PersistenceManager as new (dataDir: string) => PersistenceManager,
    FileS3Persistence: exported.FileS3Persistence as new (baseDir: string) => FileS3Persistence,
    MessageSpy: exported.MessageSpy as new (params?: { bufferSize?: number }) => MessageSpy,
  };
}
