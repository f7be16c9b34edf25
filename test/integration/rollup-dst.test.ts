import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bucketStore } from '#platform/aws/objects.ts';
import { localDate } from '#platform/dates.ts';
import type { Site } from '#sites/site.ts';
import { recordReceipt } from '#stock/record.ts';
import { reportKey } from '#stock/report-files.ts';
import { runRollup } from '#stock/run-rollup.ts';
import { type Runtime, startWithout } from './harness.ts';

/**
 * A roll-up day is a California calendar day: 23 hours when clocks spring forward, 25 when they fall back.
 * Receipts recorded one second either side of each local midnight land in exactly one day.
 */
const reports = bucketStore('REPORTS_BUCKET');
let rt: Runtime;

beforeAll(async () => {
  rt = await startWithout(['registryReporter', 'cdcStager']);
});
afterAll(async () => rt?.stop());

async function receiveAt(iso: string, doses: number): Promise<void> {
  const now = new Date(iso);
  const res = await recordReceipt(
    { record_id: `R-${iso}`, ndc: '80777-0273-10', lot_number: 'DST2026', doses, date: localDate(now) },
    { iis_id: 'DSTSITE', now, source: 'api', site: async (iis_id) => ({ iis_id }) as Site },
  );
  expect(res.status).toBe('accepted');
}

const received = async (day: string) => {
  const rows = JSON.parse(await reports.get(reportKey(day, 'stock.json')));
  return rows.map((r: { received: number; on_hand: number }) => [r.received, r.on_hand]);
};

describe('the roll-up on the days clocks change', () => {
  it('covers exactly the 23 hours of the spring-forward day', async () => {
    await receiveAt('2026-03-08T07:59:59Z', 1); // Mar 7, 23:59:59 PST
    await receiveAt('2026-03-08T08:00:00Z', 10); // Mar 8, 00:00:00 PST
    await receiveAt('2026-03-09T06:59:59Z', 100); // Mar 8, 23:59:59 PDT
    await receiveAt('2026-03-09T07:00:00Z', 1000); // Mar 9, 00:00:00 PDT
    await runRollup('2026-03-09', reports, () => new Date());
    expect(await received('2026-03-07')).toEqual([[1, 1]]);
    expect(await received('2026-03-08')).toEqual([[110, 111]]);
    expect(await received('2026-03-09')).toEqual([[1000, 1111]]);
  });

  it('covers exactly the 25 hours of the fall-back day', async () => {
    await receiveAt('2026-11-01T06:59:59Z', 1); // Oct 31, 23:59:59 PDT
    await receiveAt('2026-11-01T07:00:00Z', 10); // Nov 1, 00:00:00 PDT
    await receiveAt('2026-11-02T07:59:59Z', 100); // Nov 1, 23:59:59 PST
    await receiveAt('2026-11-02T08:00:00Z', 1000); // Nov 2, 00:00:00 PST
    await runRollup('2026-11-02', reports, () => new Date());
    expect(await received('2026-10-31')).toEqual([[1, 1112]]);
    expect(await received('2026-11-01')).toEqual([[110, 1222]]);
    expect(await received('2026-11-02')).toEqual([[1000, 2222]]);
  });
});
