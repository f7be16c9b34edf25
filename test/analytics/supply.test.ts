import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NO_DENOMINATOR } from '#analytics/coverage.ts';
import { lotOutlook, reallocate, supply } from '#analytics/supply.ts';

/** Issue 15: on hand, pace, days of supply, lots at risk and next week's reallocation, worked by hand. */

const AS_OF = '2021-05-01';
const lot = (lot_number: string, on_hand: number, iis_id = 'S1', ndc = '59267-1000-01') => ({
  iis_id,
  ndc,
  lot_number,
  on_hand,
});
const EXPIRATIONS = new Map([
  ['59267-1000-01|L0', '2021-04-30'],
  ['59267-1000-01|L1', '2021-05-06'],
  ['59267-1000-01|L2', '2021-05-10'],
  ['59267-1000-01|L3', '2021-05-12'],
]);
const ON_HAND = [
  lot('L3', 50),
  lot('L1', 60),
  lot('L4', 100),
  lot('L2', 30),
  lot('L0', 5),
  lot('L1', 40, 'S2'),
];
/** S1 gave 70 doses in the 7 days ending May 1 (10 a day); the 100 on April 24 are outside the window. */
const GIVEN = [
  { iis_id: 'S1', day: '2021-04-24', doses: 100 },
  { iis_id: 'S1', day: '2021-04-25', doses: 30 },
  { iis_id: 'S1', day: '2021-05-01', doses: 40 },
  { iis_id: 'S3', day: '2021-04-28', doses: 7 },
];
const SITES = new Map([
  ['S1', { county: '06001' }],
  ['S2', { county: '06001' }],
  ['S3', { county: '06037' }],
]);

describe('supply per site and county', () => {
  const r = supply({ asOf: AS_OF, onHand: ON_HAND, given: GIVEN, expirations: EXPIRATIONS, sites: SITES });

  it('walks lots first-expiring-first at the site pace', () => {
    expect(r.lots).toEqual([
      // Expired yesterday: nothing of it can be given.
      { ...lot('L0', 5), expiration: '2021-04-30', usable_days: 0, at_risk: 5 },
      // May 2–5 at 10 a day: 40 of 60 given, 20 left on the 6th.
      { ...lot('L1', 60), expiration: '2021-05-06', usable_days: 4, at_risk: 20 },
      // Starts on day 4 and has until day 8: all 30 given by day 7.
      { ...lot('L2', 30), expiration: '2021-05-10', usable_days: 8, at_risk: 0 },
      // Starts on day 7 and has until day 10: 30 of 50 given.
      { ...lot('L3', 50), expiration: '2021-05-12', usable_days: 10, at_risk: 20 },
      // S2 gives nothing: its lot expires whole.
      { ...lot('L1', 40, 'S2'), expiration: '2021-05-06', usable_days: 4, at_risk: 40 },
    ]);
  });

  it('gives each site its on hand, pace, days of supply and doses at risk', () => {
    expect(r.sites).toEqual([
      { iis_id: 'S1', county: '06001', on_hand: 245, pace: 10, days_of_supply: 24.5, at_risk: 45 },
      { iis_id: 'S2', county: '06001', on_hand: 40, pace: 0, days_of_supply: null, at_risk: 40 },
      { iis_id: 'S3', county: '06037', on_hand: 0, pace: 1, days_of_supply: 0, at_risk: 0 },
    ]);
    expect(r.counties).toEqual([
      { county: '06001', on_hand: 285, pace: 10, days_of_supply: 28.5, at_risk: 85, sites: 2 },
      { county: '06037', on_hand: 0, pace: 1, days_of_supply: 0, at_risk: 0, sites: 1 },
    ]);
    expect(r.reallocation).toBe(NO_DENOMINATOR);
  });

  it('never puts more at risk than is on hand, and more pace never puts more at risk', () => {
    const lots = fc.array(
      fc.record({
        iis_id: fc.constant('S'),
        ndc: fc.constant('N'),
        lot_number: fc.string({ minLength: 1, maxLength: 3 }),
        on_hand: fc.integer({ min: 0, max: 500 }),
        expiration: fc.integer({ min: -3, max: 60 }).map((d) => {
          const t = new Date(Date.UTC(2021, 4, 1 + d));
          return t.toISOString().slice(0, 10);
        }),
      }),
      { maxLength: 8 },
    );
    fc.assert(
      fc.property(lots, fc.integer({ min: 0, max: 100 }), fc.integer({ min: 0, max: 100 }), (ls, p1, p2) => {
        const risk = (p: number) => lotOutlook(AS_OF, p, ls).reduce((s, l) => s + l.at_risk, 0);
        for (const l of lotOutlook(AS_OF, p1, ls)) {
          expect(l.at_risk).toBeGreaterThanOrEqual(0);
          expect(l.at_risk).toBeLessThanOrEqual(l.on_hand);
        }
        expect(risk(Math.max(p1, p2))).toBeLessThanOrEqual(risk(Math.min(p1, p2)));
      }),
    );
  });
});

describe('reallocation (the worked example in docs/analytics.md)', () => {
  // A: 60,000 unvaccinated, 1,000 on hand, 100 a day; B: 30,000, 4,000, 200 a day; C: 10,000, 5,000, 300 a day.
  const counties = [
    { county: '06001', on_hand: 1000, pace: 100 },
    { county: '06003', on_hand: 4000, pace: 200 },
    { county: '06005', on_hand: 5000, pace: 300 },
  ];
  const unvaccinated = new Map([
    ['06001', 60_000],
    ['06003', 30_000],
    ['06005', 10_000],
  ]);

  it('ranks by unvaccinated per dose on hand, and moves spare doses from the lowest to the highest', () => {
    const r = reallocate(counties, unvaccinated);
    expect(r.counties).toEqual([
      {
        county: '06001',
        unvaccinated: 60000,
        on_hand: 1000,
        pace: 100,
        unvaccinated_per_dose: 60,
        fair_share: 6000,
        short: 5000,
        spare: 0,
      },
      {
        county: '06003',
        unvaccinated: 30000,
        on_hand: 4000,
        pace: 200,
        unvaccinated_per_dose: 7.5,
        fair_share: 3000,
        short: 0,
        spare: 1000,
      },
      {
        county: '06005',
        unvaccinated: 10000,
        on_hand: 5000,
        pace: 300,
        unvaccinated_per_dose: 2,
        fair_share: 1000,
        short: 0,
        spare: 2900,
      },
    ]);
    expect(r.transfers).toEqual([
      { from: '06005', to: '06001', doses: 2900 },
      { from: '06003', to: '06001', doses: 1000 },
    ]);
  });

  it('ranks a county with no doses on hand first, and moves no more than is spare or short', () => {
    const r = reallocate(
      [...counties, { county: '06007', on_hand: 0, pace: 0 }],
      new Map([...unvaccinated, ['06007', 500]]),
    );
    expect(r.counties.map((c) => [c.county, c.unvaccinated_per_dose])).toEqual([
      ['06007', null],
      ['06001', 60],
      ['06003', 7.5],
      ['06005', 2],
    ]);
    for (const c of r.counties) {
      const out = r.transfers.filter((t) => t.from === c.county).reduce((s, t) => s + t.doses, 0);
      const into = r.transfers.filter((t) => t.to === c.county).reduce((s, t) => s + t.doses, 0);
      expect(out).toBeLessThanOrEqual(c.spare);
      expect(into).toBeLessThanOrEqual(c.short);
    }
  });

  it('is part of the supply report when unvaccinated counts are given', () => {
    const r = supply({
      asOf: AS_OF,
      onHand: [lot('L4', 100, 'S1'), lot('L4', 10, 'S3')],
      given: [],
      expirations: new Map(),
      sites: SITES,
      unvaccinated: new Map([
        ['06001', 1000],
        ['06037', 10_000],
      ]),
    });
    expect(r.reallocation).toEqual({
      counties: [
        {
          county: '06037',
          unvaccinated: 10000,
          on_hand: 10,
          pace: 0,
          unvaccinated_per_dose: 1000,
          fair_share: 100,
          short: 90,
          spare: 0,
        },
        {
          county: '06001',
          unvaccinated: 1000,
          on_hand: 100,
          pace: 0,
          unvaccinated_per_dose: 10,
          fair_share: 10,
          short: 0,
          spare: 90,
        },
      ],
      transfers: [{ from: '06001', to: '06037', doses: 90 }],
    });
  });
});
