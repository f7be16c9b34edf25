/**
 * S3's notification of an object created in the drop bucket (S3 → SQS), as far as the planner reads it: a test
 * event when the notification is configured (no Records), or Records whose keys are URL-encoded with '+' for
 * spaces. The sweeper sends the same shape to hand a stuck upload's file to the planner again.
 */
export interface DropNotification {
  Event?: string;
  Records?: S3EventRecord[];
}

interface S3EventRecord {
  eventName?: string;
  s3?: { bucket?: { name?: string }; object?: { key?: string; versionId?: string; eTag?: string } };
}

export interface DroppedObject {
  key: string;
  versionId: string | undefined;
  eTag: string | undefined;
}

/**
 * The objects a notification says were created, keys decoded; none for S3's test event. One at a time, so a key
 * that cannot be decoded stops the planner there, after the objects before it.
 */
export function* droppedObjects(body: DropNotification): Generator<DroppedObject> {
  if (body.Event === 's3:TestEvent' || !body.Records) return;
  for (const r of body.Records) {
    if (!r.eventName?.startsWith('ObjectCreated:') || !r.s3?.object?.key) continue;
    const key = decodeURIComponent(r.s3.object.key.replace(/\+/g, ' '));
    yield { key, versionId: r.s3.object.versionId, eTag: r.s3.object.eTag };
  }
}

/** The notification S3 would send for this object, its key encoded as S3 encodes it. */
export function dropNotification(object: DroppedObject): DropNotification {
  const key = encodeURIComponent(object.key).replaceAll('%2F', '/').replaceAll('%20', '+');
  return {
    Records: [
      {
        eventName: 'ObjectCreated:Put',
        s3: { object: { key, versionId: object.versionId, eTag: object.eTag } },
      },
    ],
  };
}
