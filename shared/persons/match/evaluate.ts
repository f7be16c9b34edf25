import type { Demographics, PersonCandidate } from '../types.ts';
import { blockingKeys } from './blocking.ts';
import { decide } from './decide.ts';
import { demographicsOf } from './demographics.ts';
import type { SyntheticDose } from './synthetic.ts';

/**
 * The matcher as the pipeline runs it (link.ts), in memory: doses in order of arrival, each blocked, decided
 * and linked or made a new person, its demographics added to the person's variants and its keys to the
 * blocks. A review keeps the dose apart (a new person), as the pipeline does until someone decides.
 */

export interface Evaluation {
  doses: number;
  people: number;
  precision: number;
  recall: number;
  /** Doses that went to review (counted as not linked). */
  reviews: number;
  /** Doses without enough to match (no names or DOB). */
  skipped: number;
  msPer1000: number;
  /** Largest number of persons one block held: a check that no key is too coarse. */
  largestBlock: number;
  byRule: Record<string, number>;
}

const pairs = (n: number) => (n * (n - 1)) / 2;

/** Called on each link, for looking into false ones. */
export type OnLink = (
  dose: SyntheticDose,
  personTruth: number,
  rule: string,
  score: number,
  d: Demographics,
  variants: readonly Demographics[],
) => void;

export function evaluate(doses: readonly SyntheticDose[], onLink?: OnLink): Evaluation {
  const blocks = new Map<string, Set<number>>();
  const persons: { truth: number; variants: Demographics[]; seen: Set<string> }[] = [];
  const assigned: number[] = [];
  const byRule: Record<string, number> = {};
  let reviews = 0;
  let skipped = 0;
  const started = performance.now();
  for (const dose of doses) {
    const d = demographicsOf(dose.fields);
    if (!d) {
      skipped++;
      assigned.push(-1);
      continue;
    }
    const keys = blockingKeys(d);
    const ids = new Set<number>();
    for (const k of keys) for (const id of blocks.get(k) ?? []) ids.add(id);
    const candidates: PersonCandidate[] = [...ids].map((id) => ({
      person_id: String(id),
      variants: persons[id]!.variants,
    }));
    const decision = decide(d, candidates);
    let id: number;
    if (decision.kind === 'link') {
      id = Number(decision.person_id);
      onLink?.(dose, persons[id]!.truth, decision.rule, decision.score, d, persons[id]!.variants);
      byRule[decision.rule] = (byRule[decision.rule] ?? 0) + 1;
    } else {
      if (decision.kind === 'review') reviews++;
      id = persons.length;
      persons.push({ truth: dose.truth, variants: [], seen: new Set() });
    }
    const person = persons[id]!;
    const sig = JSON.stringify(d);
    if (!person.seen.has(sig)) {
      person.seen.add(sig);
      person.variants.unshift(d);
    }
    for (const k of keys) {
      const set = blocks.get(k) ?? new Set<number>();
      set.add(id);
      blocks.set(k, set);
    }
    assigned.push(id);
  }
  const elapsed = performance.now() - started;

  // Pairwise: a pair of doses is linked when both went to the same person, true when both are one person.
  const predicted = new Map<number, number>();
  const truth = new Map<number, number>();
  const both = new Map<string, number>();
  doses.forEach((dose, i) => {
    const p = assigned[i]!;
    truth.set(dose.truth, (truth.get(dose.truth) ?? 0) + 1);
    if (p < 0) return;
    predicted.set(p, (predicted.get(p) ?? 0) + 1);
    const key = `${p}|${dose.truth}`;
    both.set(key, (both.get(key) ?? 0) + 1);
  });
  const sum = (m: Map<unknown, number>) => [...m.values()].reduce((s, n) => s + pairs(n), 0);
  const tp = sum(both);
  let largestBlock = 0;
  for (const set of blocks.values()) largestBlock = Math.max(largestBlock, set.size);
  return {
    doses: doses.length,
    people: truth.size,
    precision: tp / Math.max(1, sum(predicted)),
    recall: tp / Math.max(1, sum(truth)),
    reviews,
    skipped,
    msPer1000: (elapsed / doses.length) * 1000,
    largestBlock,
    byRule,
  };
}
