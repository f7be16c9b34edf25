import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  allTime,
  mergeTallies,
  scorecardsOf,
  type TallyTable,
  tallyAnswers,
  tallyJson,
  tallySubmissions,
} from '#analytics/tally.ts';
import { type ScoreBy, type Submission, scorecards } from '#analytics/timeliness.ts';

/** Issue 15: the nightly job's mergeable tallies give exactly the scorecards of all the submissions at once. */

const BYS: readonly ScoreBy[] = ['site', 'sender', 'county', 'state'];
const MINUTE = 60_000;

const DAY = 86_400_000;
const PERIODS = [Date.UTC(2021, 1, 10), Date.UTC(2021, 9, 10)];
const isoDay = (t: number) => new Date(t).toISOString().slice(0, 10);

// Admin days and receipt times around the spring and autumn clock changes (2021-03-14, 2021-11-07): receipt at
// whole minutes plus 0, 30 or 59.999 seconds (so the dropped seconds matter); or right at the edges of the 24 and
// 72 hour windows (a minute either side of the end of the admin day, 07:00Z or 08:00Z, plus whole days); or now
// and then an admin date or a receipt time that cannot be read.
const arbTiming = fc.oneof(
  {
    weight: 8,
    arbitrary: fc
      .tuple(
        fc.constantFrom(...PERIODS),
        fc.integer({ min: 0, max: 45 }),
        fc.integer({ min: 10 * 24 * 60, max: 45 * 24 * 60 }),
        fc.constantFrom(0, 30_000, 59_999),
      )
      .map(([start, day, minutes, ms]) => ({
        admin_date: isoDay(start + day * DAY),
        received_at: new Date(start + minutes * MINUTE + ms).toISOString(),
      })),
  },
  {
    weight: 4,
    arbitrary: fc
      .tuple(
        fc.constantFrom(...PERIODS),
        fc.integer({ min: 20, max: 45 }),
        fc.constantFrom(7, 8),
        fc.constantFrom(0, 1, 2, 3),
        fc.constantFrom(-1, 0, 1),
        fc.constantFrom(0, 59_999),
      )
      .map(([start, day, hour, days, minute, ms]) => ({
        admin_date: isoDay(start + day * DAY),
        received_at: new Date(
          start + (day + 1 + days) * DAY + hour * 3_600_000 + minute * MINUTE + ms,
        ).toISOString(),
      })),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      admin_date: fc.constantFrom(undefined, '2021-02-30', '', '2021-03-01'),
      received_at: fc.constantFrom('yesterday', '2021-03-02T20:00:00Z'),
    }),
  },
);
const arbSubmission: fc.Arbitrary<Submission> = fc
  .tuple(
    arbTiming,
    fc.record({
      iis_id: fc.constantFrom('S1', 'S2', 'S|3'),
      sender: fc.constantFrom('V1', 'V2'),
      county: fc.constantFrom(undefined, '06037', '06001', '06075'),
      accepted: fc.boolean(),
      first_report: fc.constantFrom(undefined, true, true, false),
      historical: fc.constantFrom(undefined, false, true),
      findings: fc.array(
        fc.record({
          code: fc.constantFrom('A', 'B', 'C', 'D', 'E', 'F', 'G'),
          severity: fc.constantFrom('warning' as const, 'error' as const, 'info' as const),
        }),
        { maxLength: 3 },
      ),
      registry: fc.constantFrom(undefined, 'accepted' as const, 'rejected' as const, 'pending' as const),
      cdc: fc.constantFrom(undefined, 'accepted' as const, 'refused' as const, 'pending' as const),
    }),
  )
  .map(([timing, rest]) => ({ ...timing, ...rest }));

/** Submissions, each with the part (night) it falls in. */
const arbSplit = fc.array(fc.tuple(arbSubmission, fc.integer({ min: 0, max: 3 })), { maxLength: 60 });
const partsOf = (split: readonly (readonly [Submission, number])[]) =>
  [0, 1, 2, 3].map((p) => split.filter(([, q]) => q === p).map(([s]) => s));

describe('tally (properties)', () => {
  it('merged daily tallies give the weekly and all-time scorecards of all the submissions', () => {
    fc.assert(
      fc.property(arbSplit, (split) => {
        const subs = split.map(([s]) => s);
        const table = mergeTallies(partsOf(split).map(tallySubmissions));
        for (const by of BYS) {
          expect(scorecardsOf(table, by)).toEqual(scorecards(subs, by, true));
          expect(allTime(table, by)).toEqual(scorecards(subs, by, false));
        }
      }),
      { numRuns: 200 },
    );
  });

  it('gives the weeks asked for, as scorecards() restricted to them', () => {
    fc.assert(
      fc.property(
        arbSplit,
        fc.subarray(['2021-W08', '2021-W09', '2021-W10', '2021-W43', 'UNK']),
        (split, weeks) => {
          const subs = split.map(([s]) => s);
          const table = mergeTallies(partsOf(split).map(tallySubmissions));
          for (const by of BYS)
            expect(scorecardsOf(table, by, weeks)).toEqual(
              scorecards(subs, by, true).filter((s) => weeks.includes(s.week)),
            );
        },
      ),
    );
  });

  it('merges in any order and grouping to the same bytes', () => {
    fc.assert(
      fc.property(arbSplit, fc.func(fc.integer()), (split, rank) => {
        const [a, b, c, d] = partsOf(split).map(tallySubmissions) as [
          TallyTable,
          TallyTable,
          TallyTable,
          TallyTable,
        ];
        const reference = tallyJson(mergeTallies([a, b, c, d]));
        const shuffled = [a, b, c, d]
          .map((t, i) => ({ t, r: rank(i) }))
          .sort((x, y) => x.r - y.r)
          .map((x) => x.t);
        expect(tallyJson(mergeTallies(shuffled))).toBe(reference);
        expect(tallyJson(mergeTallies([mergeTallies([a, b]), mergeTallies([c, d])]))).toBe(reference);
        expect(tallyJson(mergeTallies([a, mergeTallies([b, mergeTallies([c, d])])]))).toBe(reference);
        expect(tallyJson(mergeTallies([mergeTallies([]), tallySubmissions(split.map(([s]) => s))]))).toBe(
          reference,
        );
        // Merging leaves its inputs alone.
        expect(tallyJson(mergeTallies([a, b, c, d]))).toBe(reference);
      }),
    );
  });

  it('round-trips through JSON', () => {
    fc.assert(
      fc.property(arbSplit, (split) => {
        const table = mergeTallies(partsOf(split).map(tallySubmissions));
        const text = tallyJson(table);
        const back = JSON.parse(text) as TallyTable;
        expect(back).toEqual(table);
        expect(tallyJson(back)).toBe(text);
        for (const by of BYS) {
          expect(scorecardsOf(back, by)).toEqual(scorecardsOf(table, by));
          expect(allTime(back, by)).toEqual(allTime(table, by));
        }
      }),
    );
  });

  it('answers tallied apart, days later, merge to the same scorecards', () => {
    fc.assert(
      fc.property(
        arbSplit,
        fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 60, maxLength: 60 }),
        (split, nights) => {
          const subs = split.map(([s]) => s);
          const reports = partsOf(split).map((part) =>
            tallySubmissions(part.map((s) => ({ ...s, registry: undefined, cdc: undefined }))),
          );
          // The answers come in on other nights than the reports.
          const answers = [0, 1, 2].map((n) => tallyAnswers(subs.filter((_, i) => nights[i] === n)));
          for (const t of answers)
            for (const tally of Object.values(t))
              expect([
                tally.submitted,
                tally.accepted,
                tally.warnings,
                Object.keys(tally.codes).length,
                Object.keys(tally.delay_minutes).length,
              ]).toEqual([0, 0, 0, 0, 0]);
          const merged = mergeTallies([...answers, ...reports]);
          expect(merged).toEqual(tallySubmissions(subs));
          for (const by of BYS) {
            expect(scorecardsOf(merged, by)).toEqual(scorecards(subs, by, true));
            expect(allTime(merged, by)).toEqual(scorecards(subs, by, false));
          }
          // Answers alone make no scorecard.
          for (const by of BYS) expect(scorecardsOf(mergeTallies(answers), by)).toEqual([]);
        },
      ),
    );
  });
});

describe('tally (by hand)', () => {
  const base = { iis_id: 'S1', sender: 'V', county: '06037', findings: [] } as const;
  const w = (code: string) => ({ code, severity: 'warning' as const });
  const SUBS: Submission[] = [
    // March 1 ends at 08:00Z on the 2nd (PST). Noon the next day, 59 s past: 720 minutes.
    {
      ...base,
      admin_date: '2021-03-01',
      received_at: '2021-03-02T20:00:59Z',
      accepted: true,
      first_report: true,
      findings: [w('W1')],
      registry: 'accepted',
      cdc: 'accepted',
    },
    // 24 h 0 min 30 s: 1440 minutes, within 24 hours.
    {
      ...base,
      admin_date: '2021-03-01',
      received_at: '2021-03-03T08:00:30Z',
      accepted: true,
      first_report: true,
      findings: [w('W1')],
      registry: 'rejected',
      cdc: 'refused',
    },
    // 24 h 1 min: 1441 minutes, not within 24 hours.
    {
      ...base,
      admin_date: '2021-03-01',
      received_at: '2021-03-03T08:01:00Z',
      accepted: true,
      first_report: true,
      registry: 'pending',
    },
    // Given February 20 (ends 08:00Z on the 21st), received March 4 at 10:00Z: 11 days 2 hours = 15,960 minutes.
    {
      ...base,
      admin_date: '2021-02-20',
      received_at: '2021-03-04T10:00:00Z',
      accepted: true,
      first_report: true,
    },
    // Rejected: submitted, its codes listed, its warning not counted, not timed.
    {
      ...base,
      admin_date: '2021-02-30',
      received_at: '2021-03-03T10:00:00Z',
      accepted: false,
      findings: [{ code: 'E1', severity: 'error' }, w('W1')],
    },
    // Another site and county, received March 8 in California (01:00Z on the 9th): week 10, the same day, 0.
    {
      ...base,
      iis_id: 'S2',
      county: '06001',
      admin_date: '2021-03-08',
      received_at: '2021-03-09T01:00:00Z',
      accepted: true,
      first_report: true,
    },
  ];
  const S1 = {
    submitted: 5,
    accepted: 4,
    warnings: 2,
    codes: { E1: 1, W1: 3 },
    delay_minutes: { 720: 1, 1440: 1, 1441: 1, 15960: 1 },
    registry_accepted: 1,
    registry_rejected: 1,
    cdc_accepted: 1,
    cdc_refused: 1,
  };
  const S2 = {
    submitted: 1,
    accepted: 1,
    warnings: 0,
    codes: {},
    delay_minutes: { 0: 1 },
    registry_accepted: 0,
    registry_rejected: 0,
    cdc_accepted: 0,
    cdc_refused: 0,
  };

  it('tallies every grouping by week of receipt', () => {
    const table = tallySubmissions(SUBS);
    expect(table).toEqual({
      'county|06001|2021-W10': S2,
      'county|06037|2021-W09': S1,
      'sender|V|2021-W09': S1,
      'sender|V|2021-W10': S2,
      'site|S1|2021-W09': S1,
      'site|S2|2021-W10': S2,
      'state|CA|2021-W09': S1,
      'state|CA|2021-W10': S2,
    });
    expect(Object.keys(table)).toEqual(Object.keys(table).sort());
    expect(tallyJson({ 'site|S2|2021-W10': table['site|S2|2021-W10']! })).toBe(
      '{"site|S2|2021-W10":{"accepted":1,"cdc_accepted":0,"cdc_refused":0,"codes":{},"delay_minutes":{"0":1},' +
        '"registry_accepted":0,"registry_rejected":0,"submitted":1,"warnings":0}}',
    );
  });

  it('reads the scorecard off the tally', () => {
    const table = mergeTallies([tallySubmissions(SUBS.slice(0, 2)), tallySubmissions(SUBS.slice(2))]);
    expect(scorecardsOf(table, 'site', ['2021-W09'])).toEqual([
      {
        by: 'site',
        key: 'S1',
        week: '2021-W09',
        submitted: 5,
        accepted: 4,
        rejected: 1,
        rejection_rate: 0.2,
        timed: 4,
        within_24h: 0.5,
        within_72h: 0.75,
        // (1440 + 1441) ÷ 2 minutes = 24.008 hours.
        median_delay_hours: 24,
        warnings: 2,
        warnings_per_100: 50,
        top_codes: [
          { code: 'W1', count: 3 },
          { code: 'E1', count: 1 },
        ],
        registry_answered: 2,
        registry_acceptance_rate: 0.5,
        cdc_answered: 2,
        cdc_refused_share: 0.5,
      },
    ]);
    expect(allTime(table, 'state')).toMatchObject([
      {
        key: 'CA',
        week: 'all',
        submitted: 6,
        timed: 5,
        within_24h: 0.6,
        within_72h: 0.8,
        median_delay_hours: 24,
      },
    ]);
    expect(allTime(table, 'county').map((s) => s.key)).toEqual(['06001', '06037']);
  });
});
