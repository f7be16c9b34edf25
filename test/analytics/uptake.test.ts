import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addDeltas,
  type Contribution,
  completeDay,
  contribution,
  countAll,
  counterKey,
  diff,
  rows,
  type UptakeDose,
  type UptakePerson,
} from '#analytics/uptake.ts';
import { consolidate } from '#persons/consolidate.ts';
import type { PersonDose } from '#persons/types.ts';

/** Issue 15: a golden population, counted by hand. */

const LA_ASIAN_F = {
  recip_dob: '1990-06-15',
  recip_sex: 'F',
  recip_address_county: '06037',
  recip_address_state: 'CA',
  recip_race_1: '2028-9',
  recip_ethnicity: '2186-5',
};
const ALAMEDA_WHITE_M = {
  recip_dob: '1950-01-01',
  recip_sex: 'M',
  recip_address_county: '06001',
  recip_race_1: '2106-3',
  recip_ethnicity: '2135-2',
};

const pfizer = (iis_id: string, vax_event_id: string, admin_date: string): PersonDose => ({
  iis_id,
  vax_event_id,
  admin_date,
  cvx: '208',
  mvx: 'PFR',
  stored_at: `${admin_date}T20:00:00Z`,
});

const P1_RECORD = consolidate([pfizer('SITE_A', 'e1', '2021-03-01'), pfizer('SITE_B', 'e2', '2021-03-22')]);

const P1: UptakePerson = {
  person_id: 'p1',
  doses: [
    { iis_id: 'SITE_B', vax_event_id: 'e2', admin_date: '2021-03-22', recipient: LA_ASIAN_F },
    { iis_id: 'SITE_A', vax_event_id: 'e1', admin_date: '2021-03-01', recipient: LA_ASIAN_F },
  ],
  record: P1_RECORD,
};
const P2: UptakePerson = {
  person_id: 'p2',
  doses: [
    { iis_id: 'SITE_A', admin_date: '2021-02-20', refusal: true, recipient: ALAMEDA_WHITE_M },
    { iis_id: 'SITE_A', admin_date: '2021-03-01', recipient: LA_ASIAN_F },
  ],
};
/** Janssen: one dose completes the series; the caller says so. */
const P3: UptakePerson = {
  person_id: 'p3',
  doses: [{ iis_id: 'SITE_C', admin_date: '2021-03-02', recipient: ALAMEDA_WHITE_M }],
  complete_day: '2021-03-02',
};
/** A historical dose counts for the person (and fixes their cell: 64 then, 65 at the March dose), not as given. */
const P4: UptakePerson = {
  person_id: 'p4',
  doses: [
    {
      iis_id: 'SITE_A',
      admin_date: '2021-03-03',
      recipient: { ...ALAMEDA_WHITE_M, recip_dob: '1956-02-15' },
    },
    {
      iis_id: 'SITE_A',
      admin_date: '2021-02-01',
      historical: true,
      recipient: { ...ALAMEDA_WHITE_M, recip_dob: '1956-02-15' },
    },
  ],
};
/** Only a deleted dose and a dose without a real date: not counted at all. */
const P5: UptakePerson = {
  person_id: 'p5',
  doses: [
    { iis_id: 'SITE_A', admin_date: '2021-03-01', deleted: true, recipient: LA_ASIAN_F },
    { iis_id: 'SITE_A', admin_date: '2021-02-30', recipient: LA_ASIAN_F },
  ],
};
/** Moved from Alameda to Los Angeles between doses: stays in Alameda. */
const P6: UptakePerson = {
  person_id: 'p6',
  doses: [
    { iis_id: 'SITE_C', admin_date: '2021-03-02', recipient: ALAMEDA_WHITE_M },
    {
      iis_id: 'SITE_A',
      admin_date: '2021-03-23',
      recipient: { ...ALAMEDA_WHITE_M, recip_address_county: '06037' },
    },
  ],
};
const GOLDEN = [P1, P2, P3, P4, P5, P6];
const SITES = new Map([
  ['SITE_A', { county: '06037' }],
  ['SITE_B', { county: '06037' }],
  ['SITE_C', { county: '06001' }],
]);

const LA = { county: '06037', age: '25-39', race: 'ASIAN', ethnicity: 'NOT_HISPANIC', sex: 'F' } as const;
const ALA_65 = { county: '06001', age: '65-74', race: 'WHITE', ethnicity: 'HISPANIC', sex: 'M' } as const;
const ALA_50 = { ...ALA_65, age: '50-64' } as const;

describe('uptake contributions', () => {
  it('completes the series on the day of the dose that completed it (progress on the consolidated record)', () => {
    expect(completeDay(P1_RECORD)).toBe('2021-03-22');
    expect(completeDay(P1_RECORD.slice(0, 1))).toBeUndefined();
  });

  it('gives each golden person exactly their counters', () => {
    expect(contribution(P1)).toEqual({
      cell: '06037|25-39|ASIAN|NOT_HISPANIC|F',
      first_day: '2021-03-01',
      complete_day: '2021-03-22',
      doses: { '2021-03-01': 1, '2021-03-22': 1 },
      sites: { 'SITE_A|2021-03-01': 1, 'SITE_B|2021-03-22': 1 },
    });
    // The refusal neither counts nor decides the cell.
    expect(contribution(P2)).toEqual({
      cell: '06037|25-39|ASIAN|NOT_HISPANIC|F',
      first_day: '2021-03-01',
      doses: { '2021-03-01': 1 },
      sites: { 'SITE_A|2021-03-01': 1 },
    });
    expect(contribution(P3)?.complete_day).toBe('2021-03-02');
    expect(contribution(P4)).toEqual({
      cell: '06001|50-64|WHITE|HISPANIC|M',
      first_day: '2021-02-01',
      doses: { '2021-03-03': 1 },
      sites: { 'SITE_A|2021-03-03': 1 },
    });
    expect(contribution(P5)).toBeUndefined();
    expect(contribution(P6)?.cell).toBe('06001|65-74|WHITE|HISPANIC|M');
  });

  it('never completes a series before the first counted dose', () => {
    const c = contribution({ ...P3, complete_day: '2021-01-01' });
    expect(c?.complete_day).toBe('2021-03-02');
  });

  it('picks the same first dose whatever order the doses come in (same day: by site, then event)', () => {
    const a: UptakeDose = { iis_id: 'A', vax_event_id: '2', admin_date: '2021-03-01', recipient: LA_ASIAN_F };
    const b: UptakeDose = {
      iis_id: 'B',
      vax_event_id: '1',
      admin_date: '2021-03-01',
      recipient: ALAMEDA_WHITE_M,
    };
    expect(contribution({ person_id: 'x', doses: [b, a] })?.cell).toBe('06037|25-39|ASIAN|NOT_HISPANIC|F');
    expect(contribution({ person_id: 'x', doses: [a, b] })?.cell).toBe('06037|25-39|ASIAN|NOT_HISPANIC|F');
  });
});

describe('uptake rows', () => {
  const counters = countAll(GOLDEN);

  it('counts the golden population per cell by day and cumulatively, to the person', () => {
    const r = rows(counters, '2021-03-31', SITES);
    expect(r.days).toEqual([
      { ...ALA_50, day: '2021-02-01', first_dose: 1, completed: 0, doses: 0 },
      { ...ALA_50, day: '2021-03-03', first_dose: 0, completed: 0, doses: 1 },
      { ...ALA_65, day: '2021-03-02', first_dose: 2, completed: 1, doses: 2 },
      { ...ALA_65, day: '2021-03-23', first_dose: 0, completed: 0, doses: 1 },
      { ...LA, day: '2021-03-01', first_dose: 2, completed: 0, doses: 2 },
      { ...LA, day: '2021-03-22', first_dose: 0, completed: 1, doses: 1 },
    ]);
    expect(r.cumulative).toEqual([
      { ...ALA_50, as_of: '2021-03-31', people_first_dose: 1, people_completed: 0, doses: 1 },
      { ...ALA_65, as_of: '2021-03-31', people_first_dose: 2, people_completed: 1, doses: 3 },
      { ...LA, as_of: '2021-03-31', people_first_dose: 2, people_completed: 1, doses: 3 },
    ]);
    expect(r.siteDays).toEqual([
      { iis_id: 'SITE_A', county: '06037', day: '2021-03-01', doses: 2 },
      { iis_id: 'SITE_A', county: '06037', day: '2021-03-03', doses: 1 },
      { iis_id: 'SITE_A', county: '06037', day: '2021-03-23', doses: 1 },
      { iis_id: 'SITE_B', county: '06037', day: '2021-03-22', doses: 1 },
      { iis_id: 'SITE_C', county: '06001', day: '2021-03-02', doses: 2 },
    ]);
    expect(r.sites).toEqual([
      { iis_id: 'SITE_A', county: '06037', as_of: '2021-03-31', doses: 4 },
      { iis_id: 'SITE_B', county: '06037', as_of: '2021-03-31', doses: 1 },
      { iis_id: 'SITE_C', county: '06001', as_of: '2021-03-31', doses: 2 },
    ]);
    expect(r.siteCounties).toEqual([
      { county: '06001', as_of: '2021-03-31', doses: 2 },
      { county: '06037', as_of: '2021-03-31', doses: 5 },
    ]);
  });

  it('leaves out what happened after the as-of day', () => {
    const r = rows(counters, '2021-03-01', SITES);
    expect(r.cumulative).toEqual([
      { ...ALA_50, as_of: '2021-03-01', people_first_dose: 1, people_completed: 0, doses: 0 },
      { ...LA, as_of: '2021-03-01', people_first_dose: 2, people_completed: 0, doses: 2 },
    ]);
    expect(r.sites).toEqual([{ iis_id: 'SITE_A', county: '06037', as_of: '2021-03-01', doses: 2 }]);
  });

  it('counts a site not enrolled with a county under UNK', () => {
    expect(rows(counters, '2021-03-31').siteCounties).toEqual([
      { county: 'UNK', as_of: '2021-03-31', doses: 7 },
    ]);
  });

  it('renders byte-identical rows whatever order the people and their doses come in', () => {
    const base = JSON.stringify(rows(counters, '2021-03-31', SITES));
    fc.assert(
      fc.property(fc.shuffledSubarray(GOLDEN, { minLength: GOLDEN.length }), (people) => {
        const shuffled = people.map((p) => ({ ...p, doses: [...p.doses].reverse() }));
        expect(JSON.stringify(rows(countAll(shuffled), '2021-03-31', SITES))).toBe(base);
      }),
    );
  });
});

describe('incremental counting', () => {
  it('moves a late dose to the day it was given, not the day it arrived', () => {
    const before = contribution(P2);
    // Received on 2021-03-31: a dose P2 was given on 2021-02-25 at SITE_C.
    const late: UptakePerson = {
      ...P2,
      doses: [...P2.doses, { iis_id: 'SITE_C', admin_date: '2021-02-25', recipient: LA_ASIAN_F }],
    };
    const deltas = diff(before, contribution(late));
    const cell = '06037|25-39|ASIAN|NOT_HISPANIC|F';
    expect(Object.fromEntries(deltas)).toEqual({
      [counterKey('first', cell, '2021-03-01')]: -1,
      [counterKey('first', cell, '2021-02-25')]: 1,
      [counterKey('doses', cell, '2021-02-25')]: 1,
      [counterKey('site', 'SITE_C', '2021-02-25')]: 1,
    });
    const after = addDeltas(countAll(GOLDEN), deltas);
    expect(after).toEqual(countAll([P1, late, P3, P4, P5, P6]));
    const lastWeek = rows(after, '2021-02-28', SITES).cumulative;
    expect(lastWeek).toContainEqual({
      ...LA,
      as_of: '2021-02-28',
      people_first_dose: 1,
      people_completed: 0,
      doses: 1,
    });
  });

  it('moves a person to their new first dose cell and back out when their only dose is deleted', () => {
    const c = contribution(P3);
    expect(Object.fromEntries(diff(c, undefined))).toEqual({
      [counterKey('first', '06001|65-74|WHITE|HISPANIC|M', '2021-03-02')]: -1,
      [counterKey('complete', '06001|65-74|WHITE|HISPANIC|M', '2021-03-02')]: -1,
      [counterKey('doses', '06001|65-74|WHITE|HISPANIC|M', '2021-03-02')]: -1,
      [counterKey('site', 'SITE_C', '2021-03-02')]: -1,
    });
    expect(diff(c, c).size).toBe(0);
  });

  it('keeps counters equal to a full recount over any sequence of person updates', () => {
    const day = fc.integer({ min: 1, max: 9 }).map((d) => `2021-03-0${d}`);
    const dose = fc.record({
      iis_id: fc.constantFrom('S1', 'S2'),
      admin_date: day,
      refusal: fc.boolean(),
      historical: fc.boolean(),
      deleted: fc.boolean(),
      recipient: fc.constantFrom(LA_ASIAN_F, ALAMEDA_WHITE_M, {}),
    });
    const version = fc.record({
      person: fc.integer({ min: 0, max: 4 }),
      doses: fc.array(dose, { maxLength: 4 }),
      complete_day: fc.option(day, { nil: undefined }),
    });
    fc.assert(
      fc.property(fc.array(version, { maxLength: 25 }), (updates) => {
        const people = new Map<number, UptakePerson>();
        const stored = new Map<number, Contribution | undefined>();
        let counters: Map<string, number> = new Map();
        for (const u of updates) {
          const p: UptakePerson = {
            person_id: `p${u.person}`,
            doses: u.doses,
            ...(u.complete_day ? { complete_day: u.complete_day } : {}),
          };
          const next = contribution(p);
          counters = addDeltas(counters, diff(stored.get(u.person), next));
          stored.set(u.person, next);
          people.set(u.person, p);
        }
        expect(counters).toEqual(countAll(people.values()));
        for (const n of counters.values()) expect(n).toBeGreaterThan(0);
      }),
    );
  });
});
