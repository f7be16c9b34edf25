/**
 * The groups the uptake, coverage and equity figures are cut by (issue 15), declared once: the nightly
 * aggregation, the denominators loader and the reports all use these, so a denominator row and an uptake cell
 * always name the same group.
 */

/** CDC's age bands for COVID-19 vaccination data (age on the day of the dose). */
export const AGE_BANDS = ['<12', '12-17', '18-24', '25-39', '40-49', '50-64', '65-74', '75+'] as const;
export type AgeBand = (typeof AGE_BANDS)[number];

/** Lower bound (years) of each band, in order. */
const AGE_FLOORS: readonly [AgeBand, number][] = [
  ['75+', 75],
  ['65-74', 65],
  ['50-64', 50],
  ['40-49', 40],
  ['25-39', 25],
  ['18-24', 18],
  ['12-17', 12],
  ['<12', 0],
];

/** Whole years from `dob` to `on` (both YYYY-MM-DD), or undefined when either is missing or dob is later. */
export function ageOn(dob: string | undefined, on: string | undefined): number | undefined {
  if (!dob || !on || dob > on) return undefined;
  const [y1, m1, d1] = dob.split('-').map(Number) as [number, number, number];
  const [y2, m2, d2] = on.split('-').map(Number) as [number, number, number];
  return y2 - y1 - (m2 < m1 || (m2 === m1 && d2 < d1) ? 1 : 0);
}

export function ageBand(age: number | undefined): AgeBand | 'UNK' {
  if (age === undefined || age < 0 || age > 130) return 'UNK';
  return AGE_FLOORS.find(([, floor]) => age >= floor)![0];
}

/**
 * Race groups (CDC Race & Ethnicity code set, OMB minimum categories). A person reporting two or more of them
 * is "multiple"; detailed codes (Chinese, Filipino, …) roll up to their category.
 */
export const RACE_GROUPS = ['AIAN', 'ASIAN', 'BLACK', 'NHPI', 'WHITE', 'OTHER', 'MULTIPLE', 'UNK'] as const;
export type RaceGroup = (typeof RACE_GROUPS)[number];

const RACE_OF: Readonly<Record<string, RaceGroup>> = {
  '1002-5': 'AIAN',
  I: 'AIAN',
  '2028-9': 'ASIAN',
  '2034-7': 'ASIAN',
  '2036-2': 'ASIAN',
  '2039-6': 'ASIAN',
  A: 'ASIAN',
  '2054-5': 'BLACK',
  B: 'BLACK',
  '2076-8': 'NHPI',
  '2106-3': 'WHITE',
  W: 'WHITE',
  '2131-1': 'OTHER',
  O: 'OTHER',
};

/** The group of a dose's race codes (recip_race_1…6): unknown codes and UNK/POL/U count as not reported. */
export function raceGroup(codes: readonly (string | undefined)[]): RaceGroup {
  const groups = new Set(codes.map((c) => (c ? RACE_OF[c] : undefined)).filter((g) => g !== undefined));
  if (groups.size === 0) return 'UNK';
  if (groups.size > 1) return 'MULTIPLE';
  return [...groups][0]!;
}

export const ETHNICITY_GROUPS = ['HISPANIC', 'NOT_HISPANIC', 'UNK'] as const;
export type EthnicityGroup = (typeof ETHNICITY_GROUPS)[number];

export function ethnicityGroup(code: string | undefined): EthnicityGroup {
  if (code === '2135-2' || code === 'H') return 'HISPANIC';
  if (code === '2186-5' || code === 'N') return 'NOT_HISPANIC';
  return 'UNK';
}

export const SEX_GROUPS = ['F', 'M', 'X', 'UNK'] as const;
export type SexGroup = (typeof SEX_GROUPS)[number];

export function sexGroup(code: string | undefined): SexGroup {
  if (code === 'F' || code === 'M') return code;
  if (code === 'X' || code === 'O') return 'X';
  return 'UNK';
}

/** The 58 California counties' 5-digit FIPS codes (06001 Alameda … 06115 Yuba): odd numbers 001–115. */
export const CA_COUNTIES: readonly string[] = Array.from(
  { length: 58 },
  (_, i) => `06${String(2 * i + 1).padStart(3, '0')}`,
);
