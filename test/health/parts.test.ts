import { describe, expect, it } from 'vitest';
import type { Upload } from '#files/uploads-store.ts';
import type { Condition } from '#health/conditions.ts';
import { nightlyJobs } from '#health/nightly.ts';
import { stateOf } from '#health/registries.ts';
import { brief, oldestFirst } from '#health/uploads.ts';

const now = new Date('2021-03-11T20:00:00Z');

describe('a registry’s state', () => {
  it('sending without a pause, paused until its time, probing after it until the next answer', () => {
    expect(stateOf(undefined, now)).toBe('sending');
    expect(stateOf({ until: '2021-03-11T20:05:00.000Z', reason: 'security' }, now)).toBe('paused');
    expect(stateOf({ until: '2021-03-11T19:55:00.000Z', reason: 'security' }, now)).toBe('probing');
  });
});

describe('the nightly jobs', () => {
  const alarm = (name: Condition['alarm'], active: boolean): Condition => ({
    alarm: name,
    code: name,
    active,
    detail: '',
  });
  it('are behind exactly when their alarm’s condition is active', () => {
    const runs = {
      rollup: { day: '2021-03-10', completed_at: '2021-03-11T08:31:00Z' },
      analytics: { day: null, completed_at: null },
    };
    expect(nightlyJobs(runs, [alarm('rollupLate', false), alarm('analyticsFailed', true)])).toEqual({
      rollup: { day: '2021-03-10', completed_at: '2021-03-11T08:31:00Z', ok: true },
      analytics: { day: null, completed_at: null, ok: false },
    });
  });
});

describe('uploads listed', () => {
  const upload = (id: string, status: Upload['status'], updated_at: string) =>
    ({
      upload_id: id,
      iis_id: 'CA-1',
      name: `${id}.csv`,
      status,
      updated_at,
      created_at: '2021-03-11T00:00:00Z',
      key: `drop/${id}.csv`,
      rows: 120,
    }) as unknown as Upload;

  it('name the upload and nothing of its content', () => {
    expect(Object.keys(brief(upload('U1', 'failed', '2021-03-11T10:00:00Z'))).sort()).toEqual(
      ['iis_id', 'name', 'status', 'updated_at', 'upload_id'].sort(),
    );
  });

  it('stuck ones oldest first across statuses', () => {
    const received = [upload('R1', 'received', '2021-03-11T10:00:00Z')];
    const processing = [upload('P1', 'processing', '2021-03-11T09:00:00Z')];
    expect(oldestFirst(received, processing).map((u) => u.upload_id)).toEqual(['P1', 'R1']);
  });
});
