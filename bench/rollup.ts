/**
 * The nightly roll-up's time for a day of N dose versions and W wastage records across S sites, locally (its own
 * process, in-memory stand-ins). Baseline in the same run: reading that day's records (doses by stored day and
 * the day's movements), which every roll-up must do. Prints one JSON line.
 * Usage: node bench/rollup.ts <doses> <wastage> <sites>
 */

import { normalizeDose } from '#doses/normalize.ts';
import { insertVersion, versionsStoredOn } from '#doses/store.ts';
import { bucketStore } from '#platform/aws/objects.ts';
import { addDays, localDate } from '#platform/dates.ts';
import { mapLimit } from '#platform/map-limit.ts';
import type { Site } from '#sites/site.ts';
import { createSite } from '#sites/store.ts';
import { REASON_CODES, WASTAGE_REASONS } from '#stock/reasons.ts';
import { runRollup } from '#stock/run-rollup.ts';
import { movementsOfDay, recordMovement, setLotExpiration } from '#stock/store.ts';
import { demoSite, modernaDose } from '../test/fixtures/doses.ts';
import { startStandins } from './standins.ts';

const [doseCount, wastageCount, siteCount] = process.argv.slice(2).map(Number) as [number, number, number];
const rt = await startStandins();
const now = new Date();
const today = localDate(now);
const NDC = '80777-0273-10';
const LOTS = ['BENCH01', 'BENCH02', 'BENCH03', 'BENCH04'];
const sites = Array.from({ length: siteCount }, (_, i) => `BENCH${String(i).padStart(4, '0')}`);
const reports = bucketStore('REPORTS_BUCKET');

for (const [i, lot] of LOTS.entries())
  await setLotExpiration(NDC, lot, addDays(today, 3 + i * 20), now, 'bench');
await mapLimit(sites, 16, (iis) =>
  createSite({ ...demoSite, iis_id: iis, enrolled_at: now.toISOString() } as unknown as Site),
);
// A completed day before, so the measured run rolls up exactly one day.
await runRollup(addDays(today, -1), reports, () => now);

const stored = now.toISOString();
const base = normalizeDose(modernaDose()).dose;
await mapLimit(
  Array.from({ length: doseCount }, (_, i) => i),
  32,
  async (i) => {
    const iis = sites[i % siteCount]!;
    await insertVersion({
      iis_id: iis,
      vax_event_id: `B${i}`,
      version: 1,
      action: 'A',
      content_hash: 'bench',
      dose: { ...base, iis_id: iis, vax_event_id: `B${i}`, lot_number: LOTS[i % LOTS.length]! },
      findings: [],
      stored_at: stored,
      submitted_by: iis,
    });
  },
);
const movements = [
  ...sites.flatMap((iis) => LOTS.map((lot) => ({ iis, lot, kind: 'receipt' as const, doses: 500 }))),
  ...Array.from({ length: wastageCount }, (_, i) => ({
    iis: sites[i % siteCount]!,
    lot: LOTS[i % LOTS.length]!,
    kind: 'wastage' as const,
    doses: 1 + (i % 3),
  })),
];
await mapLimit(
  movements.map((m, i) => ({ ...m, i })),
  32,
  async (m) => {
    const reason = REASON_CODES[m.i % REASON_CODES.length]!;
    await recordMovement({
      kind: m.kind,
      iis_id: m.iis,
      record_id: `M${m.i}`,
      ndc: NDC,
      lot_number: m.lot,
      doses: m.doses,
      date: today,
      ...(m.kind === 'wastage'
        ? {
            reason,
            category: WASTAGE_REASONS[reason].category,
            ...(reason === 'other' ? { reason_text: 'bench' } : {}),
          }
        : {}),
      recorded_at: stored,
      source: 'bench',
    });
  },
);

// Alternating runs after a warm-up read, medians: the stand-ins' caches treat both alike.
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const read = async () => {
  const t = performance.now();
  const [d, m] = await Promise.all([versionsStoredOn(today), movementsOfDay(today)]);
  return { ms: performance.now() - t, doses: d.length, movements: m.length };
};
await read();
const reads: number[] = [];
const rollups: number[] = [];
let last = await read();
let result = await runRollup(today, reports, () => new Date());
for (let i = 0; i < 3; i++) {
  last = await read();
  reads.push(last.ms);
  const t = performance.now();
  result = await runRollup(today, reports, () => new Date());
  rollups.push(performance.now() - t);
}
const readDoses = { length: last.doses };
const readMovements = { length: last.movements };
const readMs = median(reads);
const rollupMs = median(rollups);
await rt.stop();
console.log(
  JSON.stringify({
    doses: readDoses.length,
    movements: readMovements.length,
    sites: siteCount,
    readMs,
    rollupMs,
    counts: result.counts,
  }),
);
