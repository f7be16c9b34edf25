import { describe, expect, it } from 'vitest';
import { evaluate } from '#persons/match/evaluate.ts';
import { syntheticPopulation } from '#persons/match/synthetic.ts';

describe('the matcher on a synthetic population', () => {
  it('generates the same population for the same seed', () => {
    const a = syntheticPopulation({ people: 200, sites: 10, seed: 7 });
    const b = syntheticPopulation({ people: 200, sites: 10, seed: 7 });
    expect(a).toEqual(b);
    expect(new Set(a.doses.map((d) => d.truth)).size).toBe(200);
  });

  it('links with precision ≥ 0.995 and recall ≥ 0.97 (3,000 people, 60 sites)', () => {
    const population = syntheticPopulation({ people: 3000, sites: 60, seed: 3 });
    const r = evaluate(population.doses);
    expect(r.doses).toBeGreaterThan(5500);
    expect(r.precision).toBeGreaterThanOrEqual(0.995);
    expect(r.recall).toBeGreaterThanOrEqual(0.97);
    expect(r.largestBlock).toBeLessThan(50);
  });
});
