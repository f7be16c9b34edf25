/**
 * The COVID-19 series rules of the consolidated record (issue 14), kept as data so a deployment can change an
 * interval without touching consolidate.ts, forecast.ts or checks.ts.
 *
 * Assumptions (the domain doc gives the intervals; the rest is ours and says why):
 * - Minimum intervals are intervals.ts's (Pfizer 21 days, Moderna 28); Novavax 21 (CDC's 3–8 weeks, lower end).
 *   Grace is 4 days: a dose up to 4 days early still counts, which is CDPH's "≥17 days (Pfizer) / ≥24 days
 *   (Moderna)". Grace only decides whether a dose counts; scheduling never uses it, so the recommended interval
 *   (the day a dose is due) is the minimum itself.
 * - Overdue after the recommended day + 21 days: no interval has a maximum (a late dose is never invalid), so
 *   "overdue" is only for reminder/recall, and three weeks past due is when a reminder has had time to work.
 * - Mixed products: CDC allowed a mixed mRNA primary series in exceptional situations, so a Moderna dose
 *   continues a Pfizer series and the reverse. The longer (stricter) interval of the two products applies, so
 *   a mixed series is never counted earlier than either product's own would be.
 * - Novavax continues only with Novavax: CDC's mixed series were mRNA only.
 * - One-dose products (Janssen; bivalent and 2023+ formulas, CVX 229/230/300–302/308–313, where CDC's 2023
 *   guidance made one dose enough) count as the next dose of any incomplete series and, as no series here has
 *   more than two doses, complete it. As a first dose they start a one-dose series. The updated Novavax
 *   (313) is one dose here, as the brief asks, although CDC asked two of people never vaccinated: unconfirmed.
 * - CVX 213 (unspecified, historical records only) is a dose of an unknown product: it counts with Pfizer's
 *   interval (the shortest of the two-dose products, so a real dose is not refused) in a series of its own,
 *   'unspecified-primary', which any two-dose product or one-dose product continues. A dose with no product at
 *   all (no CVX, MVX or NDC) is treated the same way.
 * - Not counted, with the reason: CVX never authorized in the US (210, 225, 226), non-US products (500–521),
 *   and any code that is not a COVID-19 vaccine. CDC once accepted some WHO-listed vaccines; the brief does not.
 * - The CVX decides the product; the MVX (or an NDC's product) only when there is no CVX.
 * - Age is not known to the record (no DOB on a dose), so the children's three-dose schedules are not modelled.
 * - Doses after a complete series are valid additional doses numbered on (3, 4, …); no booster interval is
 *   checked (the schedules changed often and are unconfirmed), except that a second dose on the same day
 *   never counts.
 * - A dose given too early does not advance the series: the next dose is counted from the last valid dose
 *   (as the brief asks; ACIP counts from the invalid dose, which would push it later).
 */
import { cvx as cvxEntry, ndc as ndcEntry } from '#codecs/codesets/products.ts';
import { MINIMUM_INTERVAL_DAYS } from '#doses/intervals.ts';
import { HISTORICAL_ONLY_CVX, NOT_US_AUTHORIZED_CVX } from '#doses/products.ts';

export type SeriesId =
  | 'pfizer-primary'
  | 'moderna-primary'
  | 'novavax-primary'
  | 'janssen-primary'
  | 'updated-1-dose'
  | 'unspecified-primary';

export type Maker = 'PFR' | 'MOD' | 'NVX' | 'JSN';

/** The interval before a later dose, counted from the previous valid dose of the series (days). */
export interface DoseInterval {
  /** The dose counts from here (less the grace). */
  minimum_days: number;
  /** A dose this many days before the minimum still counts; never used for scheduling. */
  grace_days: number;
  /** The day the dose is due. */
  recommended_days: number;
  /** The last day the dose is not yet overdue. */
  overdue_after_days: number;
}

export interface SeriesRule {
  id: SeriesId;
  /** As messages name it: "the Pfizer-BioNTech primary series". */
  label: string;
  /** CVX that start this series as a first dose. */
  cvx: readonly string[];
  /** The maker whose doses start it when a dose names no CVX. */
  mvx?: Maker;
  /** Doses for the series to be complete. */
  doses: number;
  /** Interval before dose 2, 3, … (keyed by that dose's number). */
  intervals: Readonly<Partial<Record<number, DoseInterval>>>;
  /** Makers whose two-dose products may be a later dose (one-dose products always may). */
  continues_with: readonly Maker[];
}

const GRACE_DAYS = 4;
const OVERDUE_AFTER_DUE_DAYS = 21;

function interval(minimum: number): DoseInterval {
  return {
    minimum_days: minimum,
    grace_days: GRACE_DAYS,
    recommended_days: minimum,
    overdue_after_days: minimum + OVERDUE_AFTER_DUE_DAYS,
  };
}

const PFIZER_DAYS = MINIMUM_INTERVAL_DAYS.PFR ?? 21;
const MODERNA_DAYS = MINIMUM_INTERVAL_DAYS.MOD ?? 28;
const NOVAVAX_DAYS = 21;

export const SERIES_RULES: Readonly<Record<SeriesId, SeriesRule>> = {
  'pfizer-primary': {
    id: 'pfizer-primary',
    label: 'Pfizer-BioNTech primary series',
    cvx: ['208', '217', '218', '219'],
    mvx: 'PFR',
    doses: 2,
    intervals: { 2: interval(PFIZER_DAYS) },
    continues_with: ['PFR', 'MOD'],
  },
  'moderna-primary': {
    id: 'moderna-primary',
    label: 'Moderna primary series',
    cvx: ['207', '221', '227', '228'],
    mvx: 'MOD',
    doses: 2,
    intervals: { 2: interval(MODERNA_DAYS) },
    continues_with: ['PFR', 'MOD'],
  },
  'novavax-primary': {
    id: 'novavax-primary',
    label: 'Novavax primary series',
    cvx: ['211'],
    mvx: 'NVX',
    doses: 2,
    intervals: { 2: interval(NOVAVAX_DAYS) },
    continues_with: ['NVX'],
  },
  'janssen-primary': {
    id: 'janssen-primary',
    label: 'Janssen single-dose series',
    cvx: ['212'],
    mvx: 'JSN',
    doses: 1,
    intervals: {},
    continues_with: [],
  },
  'updated-1-dose': {
    id: 'updated-1-dose',
    label: 'one-dose series of an updated (bivalent or 2023+) vaccine',
    cvx: ['229', '230', '300', '301', '302', '308', '309', '310', '311', '312', '313'],
    doses: 1,
    intervals: {},
    continues_with: [],
  },
  'unspecified-primary': {
    id: 'unspecified-primary',
    label: 'primary series of an unspecified product (Pfizer intervals)',
    cvx: ['213'],
    doses: 2,
    intervals: { 2: interval(PFIZER_DAYS) },
    continues_with: ['PFR', 'MOD', 'NVX'],
  },
};

const MAKER_NAME: Readonly<Record<Maker, string>> = {
  PFR: 'Pfizer-BioNTech',
  MOD: 'Moderna',
  NVX: 'Novavax',
  JSN: 'Janssen',
};

/** A dose's product as the series rules see it. */
export type Product =
  | {
      kind: 'counted';
      /** The series it starts as a first dose. */
      series: SeriesRule;
      maker?: Maker;
      cvx?: string;
      /** Janssen and the updated vaccines: one dose is a series. */
      one_dose: boolean;
      /** CVX 213 or nothing said: any product. */
      unspecified: boolean;
      /** For messages: "CVX 208 (Pfizer-BioNTech)". */
      name: string;
    }
  | { kind: 'not_counted'; reason: string };

export type CountedProduct = Extract<Product, { kind: 'counted' }>;

const SERIES_OF_CVX = new Map<string, SeriesRule>(
  Object.values(SERIES_RULES).flatMap((s) => s.cvx.map((c) => [c, s] as const)),
);

const isMaker = (m: string | undefined): m is Maker =>
  m === 'PFR' || m === 'MOD' || m === 'NVX' || m === 'JSN';

/** The CVX a dose names, or its NDC's. */
export function cvxOf(d: { cvx?: string; ndc?: string }): string | undefined {
  if (d.cvx) return d.cvx;
  return d.ndc ? ndcEntry(d.ndc)?.cvx : undefined;
}

export function productOf(d: { cvx?: string; mvx?: string; ndc?: string }): Product {
  const code = cvxOf(d);
  if (code !== undefined) {
    if (NOT_US_AUTHORIZED_CVX.has(code)) {
      const label = cvxEntry(code)?.label;
      return {
        kind: 'not_counted',
        reason: `CVX ${code}${label ? ` (${label})` : ''} is not authorized in the US; it does not count toward a US series`,
      };
    }
    const series = SERIES_OF_CVX.get(code);
    if (!series) {
      return {
        kind: 'not_counted',
        reason: `CVX ${code} is not a COVID-19 vaccine the series rules know; it does not count`,
      };
    }
    if (HISTORICAL_ONLY_CVX.has(code)) return unspecified(code);
    const m = series.mvx ?? cvxEntry(code)?.mvx[0];
    const maker = isMaker(m) ? m : undefined;
    return {
      kind: 'counted',
      series,
      ...(maker ? { maker } : {}),
      cvx: code,
      one_dose: series.doses === 1,
      unspecified: false,
      name: `CVX ${code}${maker ? ` (${MAKER_NAME[maker]})` : ''}`,
    };
  }
  const m = d.mvx?.trim().toUpperCase();
  if (isMaker(m)) {
    const series = Object.values(SERIES_RULES).find((s) => s.mvx === m)!;
    return {
      kind: 'counted',
      series,
      maker: m,
      one_dose: series.doses === 1,
      unspecified: false,
      name: MAKER_NAME[m],
    };
  }
  return unspecified(undefined);
}

function unspecified(code: string | undefined): CountedProduct {
  return {
    kind: 'counted',
    series: SERIES_RULES['unspecified-primary'],
    ...(code ? { cvx: code } : {}),
    one_dose: false,
    unspecified: true,
    name: code ? `CVX ${code} (unspecified product)` : 'a dose of unspecified product',
  };
}

/** Whether `p` may be a later dose of `series` (before it is complete). */
export function continues(series: SeriesRule, p: CountedProduct): boolean {
  return p.one_dose || p.unspecified || (p.maker !== undefined && series.continues_with.includes(p.maker));
}

/** The two-dose series of a maker's products, whose interval a mixed dose must also meet. */
function ownSeries(p: CountedProduct): SeriesRule | undefined {
  if (!p.maker || p.unspecified) return undefined;
  return Object.values(SERIES_RULES).find((s) => s.mvx === p.maker && s.doses > 1);
}

/**
 * The interval before dose `n` of `series` when it is product `p`: the series' own, or the product's own when
 * that is stricter (a mixed series), with the rule that set it.
 */
export function intervalFor(
  series: SeriesRule,
  n: number,
  p: CountedProduct,
): { interval: DoseInterval; rule: SeriesRule; mixed: boolean } | undefined {
  const own = series.intervals[n];
  if (!own) return undefined;
  const other = ownSeries(p);
  const theirs = other && other.id !== series.id ? other.intervals[n] : undefined;
  if (other && theirs && theirs.minimum_days > own.minimum_days) {
    return { interval: theirs, rule: other, mixed: true };
  }
  return { interval: own, rule: series, mixed: other !== undefined && other.id !== series.id };
}

/**
 * The family a dose belongs to for collapsing reports of the same dose: its maker, or 'unspecified' (which
 * any family matches), or the CVX itself for products the rules do not count.
 */
export function familyOf(d: { cvx?: string; mvx?: string; ndc?: string }): string {
  const p = productOf(d);
  if (p.kind === 'not_counted') return `cvx:${cvxOf(d)}`;
  if (p.unspecified) return 'unspecified';
  return p.maker ?? `cvx:${p.cvx}`;
}
