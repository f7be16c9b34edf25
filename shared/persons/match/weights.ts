/**
 * Fellegi–Sunter weights: for each field and agreement level, m = P(level | same person) and
 * u = P(level | two different people); the weight is log2(m / u), so scores add up as log-odds.
 *
 * Where the numbers come from: m is set from the error rates the synthetic population (synthetic.ts) builds
 * in, which follow published rates for registry data (a few percent typos per name field, ~5% nicknames,
 * 1–2% transposed DOB, ~10% moved); u is what chance gives for two different Californians: a given name
 * shared by ~1 in 100 pairs, a surname by ~1 in 200, a DOB by ~1 in 25,000 (about 70 birth years), a ZIP by
 * ~1 in 200 within a region. They were then checked, and the thresholds set, with `npm run match-eval`
 * (docs/matching.md). They are not fitted by EM on real data: on real records they should be re-estimated.
 */
export const M_U = {
  first: {
    exact: { m: 0.86, u: 0.01 },
    alias: { m: 0.06, u: 0.001 },
    close: { m: 0.06, u: 0.005 },
    disagree: { m: 0.02, u: 0.984 },
  },
  last: {
    exact: { m: 0.88, u: 0.005 },
    alias: { m: 0.04, u: 0.0005 },
    close: { m: 0.06, u: 0.002 },
    disagree: { m: 0.02, u: 0.9925 },
  },
  dob: {
    exact: { m: 0.96, u: 0.00004 },
    transposed: { m: 0.015, u: 0.00004 },
    close: { m: 0.015, u: 0.001 },
    disagree: { m: 0.01, u: 0.999 },
  },
  sex: { agree: { m: 0.98, u: 0.5 }, disagree: { m: 0.02, u: 0.5 } },
  middle: { agree: { m: 0.99, u: 0.1 }, disagree: { m: 0.01, u: 0.9 } },
  address: {
    street: { m: 0.6, u: 0.001 },
    zip: { m: 0.25, u: 0.005 },
    disagree: { m: 0.15, u: 0.995 },
  },
  site_patient: { agree: { m: 0.97, u: 0.000001 }, disagree: { m: 0.03, u: 0.999 } },
  phone: { agree: { m: 0.8, u: 0.0001 }, disagree: { m: 0.2, u: 0.9999 } },
} as const;

type Table = typeof M_U;
export type Weights = { [F in keyof Table]: { [L in keyof Table[F]]: number } };

export const WEIGHTS = Object.fromEntries(
  Object.entries(M_U).map(([field, levels]) => [
    field,
    Object.fromEntries(
      Object.entries(levels as Record<string, { m: number; u: number }>).map(([l, { m, u }]) => [
        l,
        Math.log2(m / u),
      ]),
    ),
  ]),
) as Weights;

/** What believing first and last were entered in each other's place costs: it is a second, rarer error. */
export const SWAP_PENALTY = 2;
