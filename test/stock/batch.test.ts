import { describe, expect, it } from 'vitest';
import { orderedGroups, tally } from '#stock/batch.ts';

const NDC = '80777-0273-10';
const rec = (record_id: unknown, lot_number = 'LOT-A', ndc = NDC) => ({ record_id, ndc, lot_number });

describe('orderedGroups', () => {
  it('puts records repeating a record_id in one group, in request order; the rest alone', () => {
    const inputs = [rec('R-1'), rec('R-2'), rec(' R-1 '), rec(7), rec('7'), rec(undefined), rec(undefined)];
    expect(orderedGroups(inputs, false)).toEqual([[0, 2], [1], [3, 4], [5], [6]]);
  });

  it('by lot also keeps the records of one lot (a carton NDC read as its vial) in order', () => {
    const inputs = [
      rec('W-1', 'LOT-A'),
      rec('W-2', 'LOT-B'),
      rec('W-3', 'lot-a', '80777-0273-99'),
      rec('W-2', 'LOT-C'),
      rec('W-5', 'LOT-C'),
      rec('W-6', 'not a lot'),
    ];
    expect(orderedGroups(inputs, true)).toEqual([[0, 2], [1, 3, 4], [5]]);
  });
});

describe('tally', () => {
  it('counts outcomes and finding codes for the log line', () => {
    const f = (code: string) => ({ code, severity: 'warning' as const, field: 'doses', message: '' });
    expect(
      tally([
        { record_id: 'A', status: 'accepted', issues: [f('STK006')] },
        { status: 'rejected', issues: [f('STK013'), f('STK001')] },
        { record_id: 'A', status: 'duplicate', issues: [f('STK006')] },
      ]),
    ).toEqual({ accepted: 1, rejected: 1, duplicate: 1, codes: { STK006: 2, STK013: 1, STK001: 1 } });
  });
});
