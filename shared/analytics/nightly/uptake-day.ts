/**
 * One night of uptake (issue 15): the units the day's stored versions touch, recomputed, and what they change in
 * the counters. The work grows with the day's doses, not the history: a unit is read as the job left it
 * (state-store.ts), its doses updated with the day's versions, and only the difference of what it adds is kept.
 *
 * Where a dose is counted follows the consolidated record as it stands: a dose the matcher linked to a person is
 * counted in that person; else in the site's record of the recipient. A dose that changed place since it was
 * last counted (linked late, a merge, a split, an unlink) leaves its old unit, which is recomputed too, so a
 * person is never counted twice. A person's doses are their links (the persons table), so a merge or a late link
 * brings the doses over even when no new version of them came in that day.
 */
import { type DoseVersion, getHead } from '#doses/store.ts';
import { linksOf, pointerOf } from '#persons/store.ts';
import { mapLimit } from '#platform/map-limit.ts';
import { type Contribution, diff } from '../uptake.ts';
import { doseUnitBefore, saveState, type UnitState, unitBefore } from './state-store.ts';
import {
  contributionOf,
  doseId,
  sortDoses,
  storedDay,
  type UnitDose,
  unitDoseOf,
  unitOfPerson,
} from './units.ts';

const CONCURRENCY = 32;
const MAX_ROUNDS = 20;

export interface UptakeDay {
  /** What the night changes in the counters (counterKey → change), zeros left out. */
  deltas: Map<string, number>;
  /** Units recomputed. */
  units: number;
  /** Doses counted in another unit than before (late links, merges, splits). */
  moved: number;
}

const personOf = (unit: string) => (unit.startsWith('P#') ? unit.slice(2) : undefined);

/** Where a dose is counted now: its person, or its own unit. */
async function placementOf(d: UnitDose): Promise<string> {
  const p = await pointerOf(d.iis_id, d.vax_event_id);
  return p ? unitOfPerson(p.person_id) : d.own;
}

export async function uptakeDay(run: string, versions: readonly DoseVersion[]): Promise<UptakeDay> {
  // The day's newest version of each dose.
  const incoming = new Map<string, UnitDose>();
  for (const v of versions) {
    const d = unitDoseOf(v);
    const seen = incoming.get(doseId(d));
    if (!seen || seen.version < d.version) incoming.set(doseId(d), d);
  }

  const before = new Map<string, UnitState | undefined>();
  const loadUnit = async (unit: string) => {
    if (!before.has(unit)) before.set(unit, await unitBefore(unit, run));
    return before.get(unit);
  };
  const previousUnit = new Map<string, string | undefined>();
  const counted = async (id: string) => {
    if (!previousUnit.has(id)) previousUnit.set(id, await doseUnitBefore(id, run));
    return previousUnit.get(id);
  };

  // Doses carried into a unit (the day's versions, and doses leaving another unit), and the units to recompute.
  const carried = new Map<string, Map<string, UnitDose>>();
  const queue = new Set<string>();
  const carry = (unit: string, d: UnitDose) => {
    const m = carried.get(unit) ?? new Map<string, UnitDose>();
    const seen = m.get(doseId(d));
    if (!seen || seen.version <= d.version) m.set(doseId(d), d);
    carried.set(unit, m);
    queue.add(unit);
  };

  await mapLimit([...incoming.values()], CONCURRENCY, async (d) => {
    const [now, was] = await Promise.all([placementOf(d), counted(doseId(d))]);
    carry(now, d);
    if (was && was !== now) queue.add(was);
  });

  const after = new Map<string, UnitState>();
  let moved = 0;
  // A unit recomputed takes every dose that belongs to it now and hands on every dose that no longer does; a
  // unit handed a dose after it was computed is computed again (from its state before the night, so no twice).
  for (let round = 0; queue.size > 0; round++) {
    // Only a persons table whose links and pointers disagree could keep handing a dose back and forth.
    if (round === MAX_ROUNDS) throw new Error(`Units still changing after ${MAX_ROUNDS} rounds`);
    const units = [...queue];
    queue.clear();
    await mapLimit(units, CONCURRENCY, async (unit) => {
      const state = await loadUnit(unit);
      const kept = new Map((state?.doses ?? []).map((d) => [doseId(d), d]));
      const here = carried.get(unit) ?? new Map<string, UnitDose>();
      const person = personOf(unit);
      const members = new Map<string, UnitDose>();
      const take = (d: UnitDose) => {
        const seen = members.get(doseId(d));
        if (!seen || seen.version <= d.version) members.set(doseId(d), d);
      };
      if (person) {
        // A person's doses are their links (a late link or a merge brings doses no version of the day named).
        for (const link of await linksOf(person)) {
          const id = doseId(link.dose);
          if (here.has(id) || kept.has(id)) {
            for (const d of [kept.get(id), here.get(id)]) if (d) take(d);
          } else if (storedDay(link.dose) <= run) {
            const d = await fromElsewhere(id, link.dose, unit);
            if (d) take(d);
          }
        }
        for (const d of here.values()) take(d);
      } else {
        for (const d of kept.values()) take(d);
        for (const d of here.values()) take(d);
        // A kept dose the matcher has since linked to a person belongs there now.
        await mapLimit(
          [...kept.keys()].filter((id) => !here.has(id)),
          8,
          async (id) => {
            if ((await placementOf(kept.get(id)!)) !== unit) members.delete(id);
          },
        );
      }
      // Doses that left: to where they are counted now.
      for (const [id, d] of kept) {
        if (members.has(id)) continue;
        const now = await placementOf(d);
        if (now !== unit && !carried.get(now)?.has(id)) carry(now, d);
      }
      const doses = sortDoses([...members.values()]);
      after.set(unit, { doses, ...optional(contributionOf(doses)) });
    });
  }

  async function fromElsewhere(id: string, link: { iis_id: string; vax_event_id: string }, into: string) {
    const was = await counted(id);
    if (was && was !== into) {
      const d = (await loadUnit(was))?.doses.find((x) => doseId(x) === id);
      queue.add(was);
      if (d) return d;
    }
    // Never counted (stored before the first run): its head, when it was stored by the end of the run's day.
    const head = await getHead(link.iis_id, link.vax_event_id);
    return head && storedDay(head) <= run ? unitDoseOf(head) : undefined;
  }

  const deltas = new Map<string, number>();
  for (const [unit, state] of after) {
    for (const [k, n] of diff(before.get(unit)?.contribution, state.contribution))
      deltas.set(k, (deltas.get(k) ?? 0) + n);
  }
  for (const [k, n] of deltas) if (n === 0) deltas.delete(k);

  // Doses whose place is new or changed; the units recomputed.
  const placed = [...after].flatMap(([unit, st]) => st.doses.map((d) => [doseId(d), unit] as const));
  const doseUnits = new Map<string, string>();
  await mapLimit(placed, CONCURRENCY, async ([id, unit]) => {
    const was = await counted(id);
    if (was !== unit) {
      doseUnits.set(id, unit);
      if (was) moved++;
    }
  });
  await saveState(run, after, doseUnits);
  return { deltas, units: after.size, moved };
}

const optional = (c: Contribution | undefined) => (c ? { contribution: c } : {});
