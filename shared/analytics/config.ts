/**
 * The rules behind the issue 15 figures that a program may want to change, kept as data so a change is a
 * reviewed edit of one place (docs/analytics.md explains each).
 */

export interface SuppressionRule {
  /** Counts from 1 up to `threshold - 1` are withheld; 0 is shown (it discloses nobody). */
  threshold: number;
  /** What a withheld small count shows. */
  small: string;
  /** What a count withheld only so a small one cannot be subtracted back shows (it is ≥ threshold). */
  complementary: string;
}

export const SUPPRESSION: SuppressionRule = { threshold: 11, small: '<11', complementary: '*' };

export interface CoverageFlagRule {
  /** Which coverage is compared: at least one dose, or a completed series. */
  measure: 'first' | 'complete';
  /** Flag a county or group whose coverage is below the state's × ratio. */
  ratio: number;
  /** Smaller populations are not flagged: a handful of people moves their coverage too much to act on. */
  minPopulation: number;
}

export const COVERAGE_FLAG: CoverageFlagRule = { measure: 'first', ratio: 0.85, minPopulation: 1000 };

export interface SupplyRule {
  /** Days the pace (average doses per day) is taken over, ending on the report day. */
  paceDays: number;
  /** Days a county is expected to keep on hand for its own use before any of its stock counts as spare. */
  keepDays: number;
}

export const SUPPLY: SupplyRule = { paceDays: 7, keepDays: 7 };

export interface TimelinessRule {
  /** Reporting windows, in hours after the end of the administration day (California). */
  withinHours: readonly [number, number];
  /** How many finding codes the scorecard lists. */
  topCodes: number;
  /**
   * Days after receipt at which the registry's and CDC's answers to a day's reports are counted: CDC answers
   * the day after its daily report, which is itself made the day after the doses arrived.
   */
  answerLagDays: number;
  /** ISO weeks the scorecard's trend shows, ending with the report day's week. */
  trendWeeks: number;
}

export const TIMELINESS: TimelinessRule = {
  withinHours: [24, 72],
  topCodes: 5,
  answerLagDays: 2,
  trendWeeks: 12,
};

/**
 * The totals published beside a cell table, each named by the cell dimensions it keeps (the others summed):
 * [] is the state's total, ['county'] each county's, ['age'] each age band's statewide, ['county', 'age'] each
 * age band's within each county, and so on. Suppression protects every one of them (suppress.ts).
 */
export const PUBLISHED_MARGINS: readonly (readonly ('county' | 'age' | 'race' | 'ethnicity' | 'sex')[])[] = [
  [],
  ['county'],
  ['age'],
  ['race'],
  ['ethnicity'],
  ['sex'],
  ['county', 'age'],
  ['county', 'race'],
  ['county', 'ethnicity'],
  ['county', 'sex'],
];
