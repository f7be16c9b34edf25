import { describe, expect, it } from 'vitest';
import type { Cell } from '#analytics/cells.ts';
import { coverage, type PopulationRow } from '#analytics/coverage.ts';
import { suppressCells } from '#analytics/suppress.ts';
import { countAll, rows, type UptakePerson } from '#analytics/uptake.ts';

/**
 * Issue 15 "must show": a golden population and a denominator file, every figure matching to the person, small
 * cells suppressed (with their complements), and the same files on a re-run.
 */

const ASIAN_F = {
  recip_race_1: '2028-9',
  recip_ethnicity: '2186-5',
  recip_sex: 'F',
  recip_dob: '1990-06-15',
};
const WHITE_M = {
  recip_race_1: '2106-3',
  recip_ethnicity: '2135-2',
  recip_sex: 'M',
  recip_dob: '1955-01-01',
};

function group(
  n: number,
  id: string,
  county: string,
  who: object,
  site: string,
  first: string,
  completed: number,
) {
  return Array.from({ length: n }, (_, i): UptakePerson => {
    const recipient = { ...who, recip_address_county: county };
    const second = i < completed ? [{ iis_id: site, admin_date: '2021-03-22', recipient }] : [];
    return {
      person_id: `${id}${i}`,
      doses: [{ iis_id: site, admin_date: first, recipient }, ...second],
      ...(i < completed ? { complete_day: second.length ? '2021-03-22' : first } : {}),
    };
  });
}

const PEOPLE = [
  ...group(12, 'la-a', '06037', ASIAN_F, 'SITE_A', '2021-03-01', 8),
  ...group(3, 'al-w', '06001', WHITE_M, 'SITE_C', '2021-03-02', 0),
  ...group(15, 'la-w', '06037', WHITE_M, 'SITE_A', '2021-03-03', 0),
  ...group(20, 'al-a', '06001', ASIAN_F, 'SITE_C', '2021-03-04', 0),
];
const SITES = new Map([
  ['SITE_A', { county: '06037' }],
  ['SITE_C', { county: '06001' }],
]);
const A: Omit<Cell, 'county'> = { age: '25-39', race: 'ASIAN', ethnicity: 'NOT_HISPANIC', sex: 'F' };
const W: Omit<Cell, 'county'> = { age: '65-74', race: 'WHITE', ethnicity: 'HISPANIC', sex: 'M' };
const pop = (county: string, g: Omit<Cell, 'county'>, population: number): PopulationRow => ({
  county,
  age_group: g.age,
  race: g.race,
  ethnicity: g.ethnicity,
  sex: g.sex,
  population,
});
const DENOMINATORS = [pop('06001', A, 100), pop('06001', W, 50), pop('06037', A, 40), pop('06037', W, 60)];

function run() {
  const counters = countAll(PEOPLE);
  const uptake = rows(counters, '2021-03-31', SITES);
  const weekBefore = rows(counters, '2021-03-24', SITES).cumulative;
  const cov = coverage({
    asOf: '2021-03-31',
    now: uptake.cumulative,
    weekBefore,
    denominators: DENOMINATORS,
    rule: { measure: 'first', ratio: 0.85, minPopulation: 100 },
  });
  const first = suppressCells(uptake.cumulative, (r) => r.people_first_dose);
  return { uptake, cov, first };
}

describe('golden population', () => {
  const { uptake, cov, first } = run();

  it('counts every cell to the person', () => {
    expect(
      uptake.cumulative.map((r) => [r.county, r.age, r.people_first_dose, r.people_completed, r.doses]),
    ).toEqual([
      ['06001', '25-39', 20, 0, 20],
      ['06001', '65-74', 3, 0, 3],
      ['06037', '25-39', 12, 8, 20],
      ['06037', '65-74', 15, 0, 15],
    ]);
    expect(uptake.sites.map((s) => [s.iis_id, s.county, s.doses])).toEqual([
      ['SITE_A', '06037', 35],
      ['SITE_C', '06001', 23],
    ]);
  });

  it('suppresses the 3 and every cell that would give it back', () => {
    // 3 is small. Alameda's total would give it back: its 20 is hidden. The 65-74 total would: Los Angeles' 15
    // is hidden; Los Angeles' total would then give the 15 back: its 12 is hidden.
    expect(first.cells.map((c) => c.shown)).toEqual(['*', '<11', '*', '*']);
    const totals = Object.fromEntries(first.totals.map((t) => [`${t.margin}:${t.group}`, t.shown]));
    expect(totals).toMatchObject({
      'state:CA': 50,
      'county:06001': 23,
      'county:06037': 27,
      'age:25-39': 32,
      'age:65-74': 18,
      'race:WHITE': 18,
      // A county × age total is one cell: it would show the cell, so it is withheld.
      'county×age:06001|65-74': '<11',
      'county×age:06001|25-39': '*',
    });
  });

  it('gives coverage per county and group, and flags those below 85% of the state', () => {
    expect(cov.state.coverage).toEqual({
      population: 250,
      first: 0.2,
      complete: 0.032,
      first_change: 0,
      complete_change: 0,
    });
    const county = Object.fromEntries(cov.counties.map((f) => [f.key, f.coverage]));
    expect(county['06001']).toMatchObject({ population: 150, first: 0.1533 });
    expect(county['06037']).toMatchObject({ population: 100, first: 0.27, complete: 0.08 });
    expect(cov.flagged.map((f) => f.key)).toEqual([
      '06001',
      'age:65-74',
      'race:WHITE',
      'ethnicity:HISPANIC',
      'sex:M',
    ]);
  });

  it('renders byte-identical output on a re-run', () => {
    expect(JSON.stringify(run())).toBe(JSON.stringify({ uptake, cov, first }));
  });
});
