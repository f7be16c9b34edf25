/**
 * S3 "object created" events from the SQS/S3 stand-in, with what a real S3 event carries (how the object was
 * created, its size and ETag), recovered from fauxqs's spy and store.
 */
import type { SpyMessage } from 'fauxqs';
import type { S3Store } from './fauxqs-internals.ts';

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
export function watchObjectsCreated(s3Store: S3Store) {
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
