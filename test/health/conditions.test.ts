import { describe, expect, it } from 'vitest';
import { type ConditionInput, conditions } from '#health/conditions.ts';

const base: ConditionInput = {
  today: '2021-03-11',
  hour: 12,
  registries: [
    { registry: 'CAIR2', state: 'sending', failures: 0, failuresToPause: 5, parked: 0, parkedCapped: false },
  ],
  cdc: [
    { day: '2021-03-10', state: 'uploaded', files: 2, records: 10, receipts: 2, refused: 0, heldBack: 0 },
  ],
  nightly: { rollup: '2021-03-10', analytics: '2021-03-10' },
};
const active = (x: ConditionInput) =>
  conditions(x)
    .filter((c) => c.active)
    .map((c) => c.code);

describe('alarm conditions from the pipeline’s records', () => {
  it('none when every job met its deadline and every registry sends', () => {
    expect(active(base)).toEqual([]);
  });

  it('a registry paused for refused credentials; one paused for failures is not that alarm', () => {
    const paused = { ...base.registries[0]!, state: 'paused' as const, until: '2021-03-11T20:05:00Z' };
    expect(active({ ...base, registries: [{ ...paused, reason: 'security' }] })).toEqual([
      'REGISTRY_CREDENTIALS_REFUSED',
    ]);
    expect(active({ ...base, registries: [{ ...paused, reason: 'failures' }] })).toEqual([]);
  });

  it('yesterday’s CDC report not uploaded is late from 11:00, not before', () => {
    const closed = { ...base, cdc: [{ ...base.cdc[0]!, state: 'closed' as const }] };
    expect(active(closed)).toEqual(['CDC_REPORT_LATE']);
    expect(active({ ...closed, hour: 10 })).toEqual([]);
    expect(active({ ...base, cdc: [] })).toEqual(['CDC_REPORT_LATE']);
  });

  it('records held back on any recent day; nightly jobs behind yesterday after their deadlines', () => {
    expect(active({ ...base, cdc: [{ ...base.cdc[0]!, heldBack: 3 }] })).toEqual(['CDC_RECORDS_HELD_BACK']);
    const behind = { ...base, nightly: { rollup: '2021-03-09', analytics: null } };
    expect(active(behind)).toEqual(['ROLLUP_LATE', 'ANALYTICS_FAILED']);
    expect(active({ ...behind, hour: 4 })).toEqual([]);
    expect(active({ ...behind, hour: 5 })).toEqual(['ANALYTICS_FAILED']);
  });
});
