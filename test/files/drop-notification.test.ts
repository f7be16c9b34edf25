import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dropNotification, droppedObjects } from '#files/drop-notification.ts';

describe("S3's drop notifications", () => {
  it('decodes keys as S3 encodes them, with + for a space', () => {
    const body = {
      Records: [
        {
          eventName: 'ObjectCreated:Put',
          s3: { object: { key: 'incoming/A1/up/my+file%2B1.csv', versionId: 'v1', eTag: 'e1' } },
        },
        { eventName: 'ObjectRemoved:Delete', s3: { object: { key: 'incoming/A1/up/gone.csv' } } },
        { eventName: 'ObjectCreated:Copy', s3: { object: {} } },
      ],
    };
    expect([...droppedObjects(body)]).toEqual([
      { key: 'incoming/A1/up/my file+1.csv', versionId: 'v1', eTag: 'e1' },
    ]);
    expect([...droppedObjects({ Event: 's3:TestEvent' })]).toEqual([]);
  });

  it('reads back the object of the notification the sweeper sends, for any key (property)', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', minLength: 1 }),
        fc.option(fc.string(), { nil: undefined }),
        fc.option(fc.string(), { nil: undefined }),
        (key, versionId, eTag) => {
          const sent = JSON.parse(JSON.stringify(dropNotification({ key, versionId, eTag })));
          expect([...droppedObjects(sent)]).toEqual([{ key, versionId, eTag }]);
        },
      ),
    );
  });
});
