/**
 * What the SQS/S3 stand-in relies on inside fauxqs (local/standins/fauxqs-internals.ts): private files, classes,
 * members and a few behaviours no public type promises. fauxqs is pinned to an exact version; when an upgrade
 * changes any of this, a test here fails and its message names what changed, so local/standins/sqs-s3.ts can be
 * adapted before the upgrade is taken.
 */
import { readFileSync } from 'node:fs';
import { buildApp, type SpyMessage } from 'fauxqs';
import { afterAll, describe, expect, it } from 'vitest';
import {
  FAUXQS_RELIED_ON,
  type FauxqsClassName,
  importFauxqsPrivate,
  loadFauxqsInternals,
  type SqsStoreInternals,
} from '../../local/standins/fauxqs-internals.ts';
import { startSqsS3 } from '../../local/standins/sqs-s3.ts';
import { tempDir } from './helpers.ts';

const installed: string = JSON.parse(
  readFileSync(new URL('../../node_modules/fauxqs/package.json', import.meta.url), 'utf8'),
).version;
const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
const fauxqs = `fauxqs ${installed}`;
const dir = tempDir('fauxqs-contract');
afterAll(() => dir.remove());

/** An instance of each class, to look at its fields. */
function construct(name: FauxqsClassName, Class: new (arg?: string) => object): object {
  if (name === 'PersistenceManager') return new Class(`${dir.path}/sqlite`);
  if (name === 'FileS3Persistence') return new Class(`${dir.path}/files`);
  return new Class();
}

describe('fauxqs private parts the stand-in relies on', () => {
  it('is pinned to the exact version installed', () => {
    const spec: string = pkg.devDependencies.fauxqs;
    expect(
      spec,
      'package.json must pin fauxqs exactly (no ^ or ~): sqs-s3.ts uses its private files',
    ).toMatch(/^\d+\.\d+\.\d+$/);
    expect(installed, `package.json pins fauxqs ${spec} but ${installed} is installed: run npm install`).toBe(
      spec,
    );
  });

  it('resolves its entry to dist/app.js, beside the private files', () => {
    expect(import.meta.resolve('fauxqs'), `${fauxqs}: package entry moved`).toMatch(
      /\/node_modules\/fauxqs\/dist\/app\.js$/,
    );
  });

  for (const [name, { file, methods, fields }] of Object.entries(FAUXQS_RELIED_ON) as [
    FauxqsClassName,
    (typeof FAUXQS_RELIED_ON)[FauxqsClassName],
  ][]) {
    it(`${name}: exported by dist/${file.slice(2)} with ${[...methods, ...fields].join(', ') || 'no members used'}`, async () => {
      const module = await importFauxqsPrivate(name).catch((error: Error) => {
        throw new Error(`${fauxqs}: private file dist/${file.slice(2)} no longer loads: ${error.message}`);
      });
      const Class = module[name];
      expect(typeof Class, `${fauxqs}: dist/${file.slice(2)} no longer exports class ${name}`).toBe(
        'function',
      );
      const instance = construct(name, Class as new (arg?: string) => object);
      for (const method of methods) {
        expect(
          typeof (instance as Record<string, unknown>)[method],
          `${fauxqs}: ${name}.${method}() is gone`,
        ).toBe('function');
      }
      for (const field of fields) {
        expect(Object.hasOwn(instance, field), `${fauxqs}: ${name} no longer has the field ${field}`).toBe(
          true,
        );
      }
      (instance as { close?: () => void }).close?.();
    });
  }
});

describe('fauxqs behaviours the stand-in relies on', async () => {
  const fq = await loadFauxqsInternals();

  it('SqsStore keeps queues in `queues` by URL, with name and url; an empty host means the request host', () => {
    const store = new fq.SqsStore();
    const internals = store as unknown as SqsStoreInternals;
    expect(typeof internals.host, `${fauxqs}: SqsStore.host is no longer a string`).toBe('string');
    expect(internals.queues, `${fauxqs}: SqsStore.queues is no longer a Map`).toBeInstanceOf(Map);
    const url = 'http://127.0.0.1:1/000000000000/q';
    store.createQueue('q', url, 'arn:aws:sqs:us-east-1:000000000000:q');
    const queue = internals.queues.get(url);
    expect(queue, `${fauxqs}: SqsStore.queues is no longer keyed by queue URL`).toMatchObject({
      name: 'q',
      url,
    });
    expect([...internals.allQueues()], `${fauxqs}: SqsStore.allQueues() no longer yields the queues`).toEqual(
      [queue],
    );
    expect(
      Object.hasOwn(queue as object, 'persistence'),
      `${fauxqs}: SqsQueue has no persistence field`,
    ).toBe(true);
    internals.host = '';
    expect(
      store.buildQueueUrl('q', '1', '127.0.0.1:1', 'us-east-1'),
      `${fauxqs}: empty host no longer means the request's Host`,
    ).toBe(url);
  });

  it('buildApp keeps the stores given and leaves an unset host alone', async () => {
    const sqsStore = new fq.SqsStore();
    (sqsStore as unknown as SqsStoreInternals).host = '';
    const app = buildApp({
      logger: false,
      defaultRegion: 'us-east-1',
      stores: { sqsStore, snsStore: new fq.SnsStore(), s3Store: new fq.S3Store() },
    });
    await app.close();
    expect(
      (sqsStore as unknown as SqsStoreInternals).host,
      `${fauxqs}: buildApp now sets SqsStore.host`,
    ).toBe('');
  });

  it("the stand-in's own body parser lifts fauxqs's 11 MiB request cap for object bodies", async () => {
    const standin = await startSqsS3();
    try {
      expect((await fetch(`${standin.endpoint}/contract-bucket`, { method: 'PUT' })).status).toBe(200);
      const put = await fetch(`${standin.endpoint}/contract-bucket/big`, {
        method: 'PUT',
        headers: { 'content-type': 'application/octet-stream' },
        body: Buffer.alloc(12 * 1024 * 1024, 1),
      });
      expect(
        put.status,
        `${fauxqs}: a 12 MiB object PUT is refused (the "*" body parser override no longer applies)`,
      ).toBe(200);
    } finally {
      await standin.stop();
    }
  });

  it('S3Store reports writes through spy.addMessage, synchronously, and headObject gives size and ETag', () => {
    const store = new fq.S3Store();
    const spy = new fq.MessageSpy();
    const seen: SpyMessage[] = [];
    const addMessage = spy.addMessage.bind(spy);
    spy.addMessage = (message) => {
      seen.push(message);
      addMessage(message);
    };
    (store as unknown as { spy: unknown }).spy = spy;
    store.createBucket('contract-bucket');

    store.putObject('contract-bucket', 'put', Buffer.from('hello'));
    expect(
      seen,
      `${fauxqs}: S3Store.putObject no longer reports "uploaded" to spy.addMessage at once`,
    ).toEqual([
      expect.objectContaining({ service: 's3', bucket: 'contract-bucket', key: 'put', status: 'uploaded' }),
    ]);
    const head = store.headObject('contract-bucket', 'put') as unknown as {
      contentLength: unknown;
      etag: unknown;
    };
    expect(typeof head.contentLength, `${fauxqs}: headObject().contentLength is no longer a number`).toBe(
      'number',
    );
    expect(head.etag, `${fauxqs}: headObject().etag is no longer the quoted MD5`).toBe(
      '"5d41402abc4b2a76b9719d911017c592"',
    );

    const uploadId = store.createMultipartUpload('contract-bucket', 'multi');
    const { etag } = store.uploadPart(uploadId, 1, Buffer.from('part'));
    seen.length = 0;
    store.completeMultipartUpload(uploadId, [{ partNumber: 1, etag }]);
    expect(seen, `${fauxqs}: completeMultipartUpload no longer reports "uploaded" inside the call`).toEqual([
      expect.objectContaining({ service: 's3', bucket: 'contract-bucket', key: 'multi', status: 'uploaded' }),
    ]);
  });
});
