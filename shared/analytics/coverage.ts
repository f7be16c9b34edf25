/**
 * Coverage (issue 15): people with at least one dose and with a completed series ÷ population, per cell, per
 * county, per group statewide and for the state; the counties and groups well below the state flagged by the
 * rule in config.ts; and the change over the last 7 days. Denominators are the operator's rows, taken as given.
 *
 * Who counts where (docs/analytics.md "Coverage"):
 * - the state counts every person not out of state (a California registry's person whose county is unknown is
 *   still a Californian), over the whole population of the denominator file;
 * - a county counts the people resident there; a group (an age band, race, ethnicity or sex) counts the people
 *   in it statewide; a cell the people in it. A figure with no population (UNK county, UNK age) has counts only;
 * - coverage is not capped at 100%: above it means the denominator is short, which the program should see.
 */
import { AGE_BANDS, CA_COUNTIES, ETHNICITY_GROUPS, RACE_GROUPS, SEX_GROUPS } from './bands.ts';
import { type Cell, cellKey, compareCells, OUT_OF_STATE, UNKNOWN_COUNTY } from './cells.ts';
import { COVERAGE_FLAG, type CoverageFlagRule } from './config.ts';

export const NO_DENOMINATOR = 'no denominator loaded';

/** People as of a day in one cell (uptake's cumulative rows fit). */
export interface PeopleCount extends Cell {
  people_first_dose: number;
  people_completed: number;
}

/** A denominator row (denominators.ts DenominatorRow fits). */
export interface PopulationRow {
  county: string;
  age_group: Cell['age'];
  race: Cell['race'];
  ethnicity: Cell['ethnicity'];
  sex: Cell['sex'];
  population: number;
}

export interface CoverageValue {
  population: number;
  /** People with ≥ 1 dose ÷ population (a fraction, 4 decimals); null without population. */
  first: number | null;
  complete: number | null;
  /** Change in coverage since 7 days before (fraction points, 4 decimals); null without both figures. */
  first_change: number | null;
  complete_change: number | null;
}

export type GroupDimension = 'age' | 'race' | 'ethnicity' | 'sex';

export interface Figure {
  scope: 'state' | 'county' | 'group' | 'cell';
  /** CA; a county FIPS (or OUT_OF_STATE, UNK); `age:25-39`; a cell key. */
  key: string;
  people_first_dose: number;
  people_completed: number;
  /** People added in the 7 days (null when the week-before counts were not given). */
  change_first_dose: number | null;
  change_completed: number | null;
  coverage: CoverageValue | typeof NO_DENOMINATOR;
  /** Below the flag rule (only with denominators). */
  flagged?: boolean;
}

export interface CoverageReport {
  as_of: string;
  state: Figure;
  counties: Figure[];
  groups: Figure[];
  cells: Figure[];
  /** Flagged counties and groups, lowest coverage first (the measure the rule compares). */
  flagged: Figure[];
}

export interface CoverageInput {
  asOf: string;
  now: readonly PeopleCount[];
  /** The counts as of 7 days before asOf. */
  weekBefore?: readonly PeopleCount[];
  denominators?: readonly PopulationRow[];
  rule?: CoverageFlagRule;
}

const GROUPS: Record<GroupDimension, readonly string[]> = {
  age: [...AGE_BANDS, 'UNK'],
  race: RACE_GROUPS,
  ethnicity: ETHNICITY_GROUPS,
  sex: SEX_GROUPS,
};

/** Fraction to 4 decimals: the files then never depend on floating-point noise. */
const round4 = (x: number) => Math.round(x * 10_000) / 10_000;

interface Sums {
  first: number;
  complete: number;
  before_first: number;
  before_complete: number;
  population: number;
}
const zero = (): Sums => ({ first: 0, complete: 0, before_first: 0, before_complete: 0, population: 0 });

/** Every figure's key for a cell: its own, its county's, its four groups' and the state's (out of state: no group). */
function keysOf(c: Cell): [Figure['scope'], string][] {
  const keys: [Figure['scope'], string][] = [
    ['cell', cellKey(c)],
    ['county', c.county],
  ];
  if (c.county === OUT_OF_STATE) return keys;
  for (const dim of Object.keys(GROUPS) as GroupDimension[]) keys.push(['group', `${dim}:${c[dim]}`]);
  keys.push(['state', 'CA']);
  return keys;
}

export function coverage(input: CoverageInput): CoverageReport {
  const rule = input.rule ?? COVERAGE_FLAG;
  const loaded = input.denominators !== undefined;
  const sums = new Map<string, Sums>();
  const cells = new Map<string, Cell>();
  const at = (scope: string, key: string) => {
    const k = `${scope}\u0000${key}`;
    const s = sums.get(k) ?? zero();
    sums.set(k, s);
    return s;
  };
  const add = (c: Cell, f: (s: Sums) => void) => {
    cells.set(cellKey(c), { county: c.county, age: c.age, race: c.race, ethnicity: c.ethnicity, sex: c.sex });
    for (const [scope, key] of keysOf(c)) f(at(scope, key));
  };
  for (const r of input.now)
    add(r, (s) => {
      s.first += r.people_first_dose;
      s.complete += r.people_completed;
    });
  for (const r of input.weekBefore ?? [])
    add(r, (s) => {
      s.before_first += r.people_first_dose;
      s.before_complete += r.people_completed;
    });
  for (const r of input.denominators ?? [])
    add({ county: r.county, age: r.age_group, race: r.race, ethnicity: r.ethnicity, sex: r.sex }, (s) => {
      s.population += r.population;
    });

  const week = input.weekBefore !== undefined;
  const figure = (scope: Figure['scope'], key: string): Figure => {
    const s = sums.get(`${scope}\u0000${key}`) ?? zero();
    const ratio = (n: number) => (s.population > 0 ? n / s.population : null);
    const change = (now: number, before: number) =>
      week && s.population > 0 ? round4((now - before) / s.population) : null;
    const value = (n: number | null) => (n === null ? null : round4(n));
    return {
      scope,
      key,
      people_first_dose: s.first,
      people_completed: s.complete,
      change_first_dose: week ? s.first - s.before_first : null,
      change_completed: week ? s.complete - s.before_complete : null,
      coverage: loaded
        ? {
            population: s.population,
            first: value(ratio(s.first)),
            complete: value(ratio(s.complete)),
            first_change: change(s.first, s.before_first),
            complete_change: change(s.complete, s.before_complete),
          }
        : NO_DENOMINATOR,
    };
  };

  const state = figure('state', 'CA');
  const counties = [...CA_COUNTIES, OUT_OF_STATE, UNKNOWN_COUNTY]
    .filter((c) => CA_COUNTIES.includes(c) || sums.has(`county\u0000${c}`))
    .map((c) => figure('county', c));
  const groups = (Object.keys(GROUPS) as GroupDimension[]).flatMap((dim) =>
    GROUPS[dim].map((g) => figure('group', `${dim}:${g}`)),
  );
  const cellFigures = [...cells.values()].sort(compareCells).map((c) => figure('cell', cellKey(c)));

  // Flags compare exact fractions: rounded to 4 places, 0.000539 would fall below a bar of 0.000510.
  const people = (f: Figure) => (rule.measure === 'first' ? f.people_first_dose : f.people_completed);
  const measure = (f: Figure) =>
    typeof f.coverage === 'string' || f.coverage.population === 0 ? null : people(f) / f.coverage.population;
  const bar = measure(state);
  const flagged: Figure[] = [];
  if (loaded)
    for (const f of [...counties, ...groups]) {
      const c = measure(f);
      const population = typeof f.coverage === 'string' ? 0 : f.coverage.population;
      f.flagged = bar !== null && c !== null && population >= rule.minPopulation && c < bar * rule.ratio;
      if (f.flagged) flagged.push(f);
    }
  // Lowest first; equal coverage in the order the figures are listed (counties, then groups), so it is stable.
  flagged.sort((a, b) => (measure(a) ?? 0) - (measure(b) ?? 0));
  return { as_of: input.asOf, state, counties, groups, cells: cellFigures, flagged };
}

/**
 * Per California county, the people not yet given a dose (population − people with at least one dose, never
 * below 0): what supply's reallocation ranks counties by. Undefined without denominators.
 */
export function unvaccinated(report: CoverageReport): Map<string, number> | undefined {
  if (typeof report.state.coverage === 'string') return undefined;
  const out = new Map<string, number>();
  for (const f of report.counties)
    if (typeof f.coverage !== 'string' && CA_COUNTIES.includes(f.key))
      out.set(f.key, Math.max(0, f.coverage.population - f.people_first_dose));
  return out;
}
