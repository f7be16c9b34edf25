/**
 * Person matching as deployed (shared/persons/link.ts against the local doses and persons tables) on a synthetic
 * population with known truth, beside what it must do anyway (read each dose's head) and the in-memory matcher
 * (match/evaluate.ts) on the very same doses. Doses are linked in arrival order by `workers` matchers taking
 * batches of 10, as the persons queue's mapping does (maximumConcurrency 2, records of a batch in order), so 2
 * may race. In arrival order a person's doses are weeks apart, so two matchers almost never race on one person;
 * `paired` is the race on purpose (a backfill sending ten people's first doses in one batch and their second
 * doses in the next), so reconciliation has to merge what both created. Precision and recall are read back from
 * the stored pointers, following merges. Prints one JSON line.
 * Usage: node bench/persons.ts <people> <sites> <workers> [arrival|paired]
 */

import type { Dose } from '#doses/fields.ts';
import { normalizeDose } from '#doses/normalize.ts';
import { type DoseVersion, getHead, insertVersion } from '#doses/store.ts';
import { type LinkOutcome, linkDose } from '#persons/link.ts';
import { evaluate } from '#persons/match/evaluate.ts';
import { type SyntheticDose, syntheticPopulation } from '#persons/match/synthetic.ts';
import { currentPerson, pointerOf } from '#persons/store.ts';
import { dynamodb } from '#platform/aws/dynamodb.ts';
import { addDays } from '#platform/dates.ts';
import { mapLimit } from '#platform/map-limit.ts';
import { modernaDose } from '../test/fixtures/doses.ts';
import { startStandins } from './standins.ts';

const [people, siteCount, workers] = process.argv.slice(2, 5).map(Number) as [number, number, number];
const paired = process.argv[5] === 'paired';
const rt = await startStandins();

// What each phase costs in DynamoDB round trips: the count carries over to AWS, the stand-in's milliseconds do not.
let calls: Record<string, number> = {};
dynamodb.middlewareStack.add(
  (next, context) => async (args) => {
    calls[context.commandName ?? '?'] = (calls[context.commandName ?? '?'] ?? 0) + 1;
    return next(args);
  },
  { step: 'initialize', name: 'benchCallCount' },
);
const take = () => {
  const c = calls;
  calls = {};
  return c;
};

const population = syntheticPopulation({ people, sites: siteCount, seed: 1 });
// The demo dose's own recipient is dropped whole: a field the synthetic report leaves out (a missing address)
// must stay missing, not fall back to the demo's, which would give a fifth of the doses one shared address.
const product = Object.fromEntries(Object.entries(modernaDose()).filter(([k]) => !k.startsWith('recip_')));
const stored = new Date().toISOString();
const versions: DoseVersion[] = population.doses.map((d, i) => {
  const reported = Object.fromEntries(Object.entries(d.fields).filter(([, v]) => v !== undefined));
  const event = `P${String(i).padStart(6, '0')}`;
  const { dose } = normalizeDose({
    ...product,
    ...reported,
    vax_event_id: event,
    // Arrival order is the order of administration (the population's events are sorted by day).
    admin_date: addDays('2021-01-04', Math.floor((i * 270) / population.doses.length)),
  });
  const iis = String(d.fields.iis_id);
  return {
    iis_id: iis,
    vax_event_id: event,
    version: 1,
    action: 'A',
    content_hash: 'bench',
    dose: { ...dose, iis_id: iis, vax_event_id: event } as Dose,
    findings: [],
    stored_at: stored,
    submitted_by: iis,
  };
});
await mapLimit(versions, 32, (v) => insertVersion(v));
take();

const batches: number[][] = [];
if (paired) {
  const byPerson = new Map<number, number[]>();
  for (const [i, d] of population.doses.entries())
    byPerson.set(d.truth, [...(byPerson.get(d.truth) ?? []), i]);
  const persons = [...byPerson.values()];
  for (let p = 0; p < persons.length; p += 10)
    for (let k = 0; k < 3; k++) {
      const batch = persons.slice(p, p + 10).flatMap((ds) => ds.slice(k, k + 1));
      if (batch.length) batches.push(batch);
    }
} else
  for (let i = 0; i < versions.length; i += 10) batches.push(versions.slice(i, i + 10).map((_, j) => i + j));
const order = batches.flat();
const queue = order.map((i) => versions[i]!);
const doses = order.map((i) => population.doses[i]!);

/** Hands the batches out in order to `workers` matchers, each doing its batch in order, as the mapping does. */
async function inBatches(fn: (v: DoseVersion) => Promise<void>): Promise<number> {
  let next = 0;
  const t = performance.now();
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (next < batches.length) for (const i of batches[next++]!) await fn(versions[i]!);
    }),
  );
  return performance.now() - t;
}

// Baseline: the head read every linkDose starts with, at the same concurrency, after a warm-up read.
await mapLimit(queue.slice(0, 500), 1, (v) => getHead(v.iis_id, v.vax_event_id));
const headMs = await inBatches(async (v) => void (await getHead(v.iis_id, v.vax_event_id)));
take();

const outcomes: Partial<Record<LinkOutcome, number>> = {};
const linkMs = await inBatches(async (v) => {
  const o = await linkDose(v.iis_id, v.vax_event_id);
  outcomes[o] = (outcomes[o] ?? 0) + 1;
});
const linkCalls = take();

/** Pairwise precision and recall as evaluate.ts counts them: a dose without a person links with no one. */
function pairwise(assigned: readonly (string | undefined)[], doses: readonly SyntheticDose[]) {
  const pairs = (n: number) => (n * (n - 1)) / 2;
  const predicted = new Map<string, number>();
  const truth = new Map<number, number>();
  const both = new Map<string, number>();
  doses.forEach((d, i) => {
    const p = assigned[i];
    truth.set(d.truth, (truth.get(d.truth) ?? 0) + 1);
    if (p === undefined) return;
    predicted.set(p, (predicted.get(p) ?? 0) + 1);
    both.set(`${p}|${d.truth}`, (both.get(`${p}|${d.truth}`) ?? 0) + 1);
  });
  const sum = (m: Map<unknown, number>) => [...m.values()].reduce((s, n) => s + pairs(n), 0);
  return { precision: sum(both) / Math.max(1, sum(predicted)), recall: sum(both) / Math.max(1, sum(truth)) };
}
const assigned = await mapLimit(queue, 16, async (v) => {
  const p = await pointerOf(v.iis_id, v.vax_event_id);
  return p ? (await currentPerson(p.person_id))?.person.person_id : undefined;
});
const store = pairwise(assigned, doses);
const live = new Set(assigned.filter((p) => p !== undefined)).size;

// The in-memory matcher on the doses as stored (normalized) in the same order: the input the stores' one read.
const asStored: SyntheticDose[] = queue.map((v, i) => ({
  truth: doses[i]!.truth,
  fields: v.dose as Record<string, string | undefined>,
}));
// Median of three: a few hundred milliseconds in all, easily shifted by a neighbour's burst.
const runs = [evaluate(asStored), evaluate(asStored), evaluate(asStored)].sort(
  (a, b) => a.msPer1000 - b.msPer1000,
);
const memory = runs[1]!;

await rt.stop();
console.log(
  JSON.stringify({
    people,
    sites: siteCount,
    workers,
    order: paired ? 'paired' : 'arrival',
    doses: versions.length,
    headMs,
    linkMs,
    memoryMsPer1000: memory.msPer1000,
    store: { ...store, outcomes, persons: live, calls: linkCalls },
    memory: {
      precision: memory.precision,
      recall: memory.recall,
      reviews: memory.reviews,
      skipped: memory.skipped,
      persons: memory.doses - memory.skipped - Object.values(memory.byRule).reduce((s, n) => s + n, 0),
    },
  }),
);
