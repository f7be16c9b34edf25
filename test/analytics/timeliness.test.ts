import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { delayHours, isoWeek, type Submission, scorecards } from '#analytics/timeliness.ts';

/** Issue 15: each site's reporting scorecard, counted by hand. */

const base = { iis_id: 'S1', sender: 'VENDOR', county: '06037', findings: [] } as const;
const w = (code: string) => ({ code, severity: 'warning' as const });
const SUBS: Submission[] = [
  // Noon on the day of the dose: no delay.
  {
    ...base,
    admin_date: '2021-03-01',
    received_at: '2021-03-01T20:00:00Z',
    accepted: true,
    first_report: true,
    findings: [w('W1')],
    registry: 'accepted',
    cdc: 'accepted',
  },
  // Noon the next day: 12 hours after the end of the admin day.
  {
    ...base,
    admin_date: '2021-03-01',
    received_at: '2021-03-02T20:00:00Z',
    accepted: true,
    first_report: true,
    findings: [w('W1'), w('W2')],
    registry: 'rejected',
    cdc: 'refused',
  },
  // Midnight after the third day: 48 hours.
  {
    ...base,
    admin_date: '2021-03-01',
    received_at: '2021-03-04T08:00:00Z',
    accepted: true,
    first_report: true,
    registry: 'pending',
    cdc: 'pending',
  },
  // A late dose: given February 20, received March 4 at 2 am: 11 days and 2 hours.
  {
    ...base,
    admin_date: '2021-02-20',
    received_at: '2021-03-04T10:00:00Z',
    accepted: true,
    first_report: true,
  },
  // An update and a historical record are not timed.
  {
    ...base,
    admin_date: '2021-02-01',
    received_at: '2021-03-03T10:00:00Z',
    accepted: true,
    first_report: false,
  },
  {
    ...base,
    admin_date: '2020-12-01',
    received_at: '2021-03-03T10:00:00Z',
    accepted: true,
    first_report: true,
    historical: true,
  },
  // Rejected: counts as submitted; its warning is not a warning on an accepted dose, but its codes are listed.
  {
    ...base,
    admin_date: '2021-02-30',
    received_at: '2021-03-03T10:00:00Z',
    accepted: false,
    findings: [{ code: 'E1', severity: 'error' }, w('W1')],
  },
];
const OTHER: Submission = {
  ...base,
  iis_id: 'S2',
  county: '06001',
  admin_date: '2021-03-08',
  received_at: '2021-03-09T01:00:00Z',
  accepted: true,
  first_report: true,
};

describe('timeliness clock', () => {
  it('counts from the end of the administration day in California', () => {
    expect(delayHours('2021-03-01', '2021-03-01T20:00:00Z')).toBe(0);
    expect(delayHours('2021-03-01', '2021-03-02T08:00:00Z')).toBe(0);
    expect(delayHours('2021-03-01', '2021-03-03T08:00:00Z')).toBe(24);
    // Whole minutes: the seconds are dropped, so 24 h 0 min 59 s is still 24 hours.
    expect(delayHours('2021-03-01', '2021-03-03T08:00:59Z')).toBe(24);
    expect(delayHours('2021-03-01', '2021-03-03T08:01:00Z')).toBe(24 + 1 / 60);
    expect(delayHours('2021-03-01', '2021-03-03T08:01:59.999Z')).toBe(24 + 1 / 60);
    // The night clocks go forward (March 14, 2021) has 23 hours.
    expect(delayHours('2021-03-13', '2021-03-15T07:00:00Z')).toBe(23);
    expect(delayHours('2021-02-30', '2021-03-03T10:00:00Z')).toBeUndefined();
    expect(delayHours(undefined, '2021-03-03T10:00:00Z')).toBeUndefined();
  });

  it('names ISO weeks (Monday first; week 1 holds the first Thursday)', () => {
    expect(isoWeek('2021-03-01')).toBe('2021-W09');
    expect(isoWeek('2021-03-07')).toBe('2021-W09');
    expect(isoWeek('2021-03-08')).toBe('2021-W10');
    expect(isoWeek('2021-01-03')).toBe('2020-W53');
    expect(isoWeek('2021-01-04')).toBe('2021-W01');
    expect(isoWeek('2019-12-30')).toBe('2020-W01');
  });
});

describe('scorecards (golden)', () => {
  it('scores a site over all time', () => {
    expect(scorecards(SUBS, 'site')).toEqual([
      {
        by: 'site',
        key: 'S1',
        week: 'all',
        submitted: 7,
        accepted: 6,
        rejected: 1,
        rejection_rate: 0.1429,
        timed: 4,
        within_24h: 0.5,
        within_72h: 0.75,
        median_delay_hours: 30,
        warnings: 3,
        warnings_per_100: 50,
        top_codes: [
          { code: 'W1', count: 3 },
          { code: 'E1', count: 1 },
          { code: 'W2', count: 1 },
        ],
        registry_answered: 2,
        registry_acceptance_rate: 0.5,
        cdc_answered: 2,
        cdc_refused_share: 0.5,
      },
    ]);
  });

  it('groups by sending facility, county and state, and by week of receipt', () => {
    const all = [...SUBS, OTHER];
    expect(scorecards(all, 'sender').map((s) => [s.key, s.submitted])).toEqual([['VENDOR', 8]]);
    expect(scorecards(all, 'county').map((s) => [s.key, s.submitted, s.median_delay_hours])).toEqual([
      ['06001', 1, 0],
      ['06037', 7, 30],
    ]);
    expect(scorecards(all, 'state')[0]).toMatchObject({
      key: 'CA',
      submitted: 8,
      timed: 5,
      median_delay_hours: 12,
    });
    // S2's report arrived on March 8 in California (01:00 UTC on the 9th): week 10.
    expect(scorecards(all, 'site', true).map((s) => [s.key, s.week, s.submitted])).toEqual([
      ['S1', '2021-W09', 7],
      ['S2', '2021-W10', 1],
    ]);
  });

  it('moves a late dose into the week it arrived, not the week it was given', () => {
    const late = {
      ...base,
      admin_date: '2021-03-01',
      received_at: '2021-03-10T20:00:00Z',
      accepted: true,
      first_report: true,
    };
    const weeks = scorecards([late], 'site', true);
    expect(weeks).toHaveLength(1);
    expect(weeks[0]).toMatchObject({ week: '2021-W10', timed: 1, within_72h: 0, median_delay_hours: 204 });
  });

  it('puts a report whose receipt time cannot be read in week UNK, untimed', () => {
    const odd = {
      ...base,
      admin_date: '2021-03-01',
      received_at: 'yesterday',
      accepted: true,
      first_report: true,
    };
    expect(scorecards([odd], 'site', true)[0]).toMatchObject({
      week: 'UNK',
      submitted: 1,
      timed: 0,
      within_24h: null,
    });
  });

  it('keeps every share between 0 and 1, and within 24 hours never above within 72', () => {
    const sub = fc.record({
      iis_id: fc.constantFrom('A', 'B'),
      sender: fc.constant('V'),
      admin_date: fc.integer({ min: 1, max: 28 }).map((d) => `2021-02-${String(d).padStart(2, '0')}`),
      received_at: fc
        .integer({ min: 0, max: 40 * 24 })
        .map((h) => new Date(Date.UTC(2021, 1, 1) + h * 3_600_000).toISOString()),
      accepted: fc.boolean(),
      first_report: fc.boolean(),
      findings: fc.array(
        fc.record({
          code: fc.constantFrom('A', 'B', 'C'),
          severity: fc.constantFrom('warning' as const, 'error' as const, 'info' as const),
        }),
        { maxLength: 3 },
      ),
      registry: fc.constantFrom('accepted' as const, 'rejected' as const, 'pending' as const),
      cdc: fc.constantFrom('accepted' as const, 'refused' as const, 'pending' as const),
    });
    fc.assert(
      fc.property(fc.array(sub, { maxLength: 30 }), (subs) => {
        for (const s of scorecards(subs, 'site', true)) {
          for (const v of [
            s.rejection_rate,
            s.within_24h,
            s.within_72h,
            s.registry_acceptance_rate,
            s.cdc_refused_share,
          ])
            if (v !== null) expect(v >= 0 && v <= 1).toBe(true);
          if (s.within_24h !== null) expect(s.within_24h).toBeLessThanOrEqual(s.within_72h!);
          expect(s.top_codes.length).toBeLessThanOrEqual(5);
        }
        const total = scorecards(subs, 'site', true).reduce((n, s) => n + s.submitted, 0);
        expect(total).toBe(subs.length);
      }),
    );
  });
});
