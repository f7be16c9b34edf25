/**
 * Measures the person matcher (shared/persons/match) on a synthetic population with known truth: pairwise
 * link precision and recall, reviews, and speed. `npm run match-eval -- --people 52000 --sites 250 --seed 1`
 */
import { parseArgs } from 'node:util';
import { LINK, MARGIN, REVIEW } from '#persons/match/decide.ts';
import { evaluate } from '#persons/match/evaluate.ts';
import { syntheticPopulation } from '#persons/match/synthetic.ts';

const { values } = parseArgs({
  options: {
    people: { type: 'string', default: '52000' },
    sites: { type: 'string', default: '250' },
    seed: { type: 'string', default: '1' },
  },
});
const population = syntheticPopulation({
  people: Number(values.people),
  sites: Number(values.sites),
  seed: Number(values.seed),
});
const r = evaluate(population.doses);
const rows: [string, string][] = [
  ['people', String(r.people)],
  ['doses', String(r.doses)],
  ['sites', String(population.sites)],
  ['thresholds', `LINK ${LINK}, REVIEW ${REVIEW}, MARGIN ${MARGIN}`],
  ['precision', r.precision.toFixed(4)],
  ['recall', r.recall.toFixed(4)],
  ['reviews', `${r.reviews} (${((100 * r.reviews) / r.doses).toFixed(2)}% of doses)`],
  [
    'links by rule',
    Object.entries(r.byRule)
      .map(([k, v]) => `${k} ${v}`)
      .join(', '),
  ],
  ['largest block', `${r.largestBlock} persons`],
  ['ms per 1,000 doses', r.msPer1000.toFixed(1)],
];
const width = Math.max(...rows.map(([k]) => k.length));
for (const [k, v] of rows) console.log(`${k.padEnd(width)}  ${v}`);
