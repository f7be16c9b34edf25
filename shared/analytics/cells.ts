/**
 * The cell every uptake and coverage figure is counted in (issue 15): county of residence × CDC age band × race ×
 * ethnicity × sex, named with the groups of bands.ts so a cell and a denominator row always mean the same people.
 * A cell has a stable text key (the counters and files are keyed by it) and a fixed order (rows come out sorted,
 * so the same counts always render the same bytes).
 */
import type { Dose } from '#doses/fields.ts';
import {
  AGE_BANDS,
  type AgeBand,
  ageBand,
  ageOn,
  CA_COUNTIES,
  ETHNICITY_GROUPS,
  type EthnicityGroup,
  ethnicityGroup,
  RACE_GROUPS,
  type RaceGroup,
  raceGroup,
  SEX_GROUPS,
  type SexGroup,
  sexGroup,
} from './bands.ts';

/** Residence outside California, or a California resident whose county was not reported (or not a CA FIPS). */
export const OUT_OF_STATE = 'OUT_OF_STATE';
export const UNKNOWN_COUNTY = 'UNK';
export type Residence = string;

export interface Cell {
  /** A California county's FIPS (06001…06115), OUT_OF_STATE or UNK. */
  county: Residence;
  age: AgeBand | 'UNK';
  race: RaceGroup;
  ethnicity: EthnicityGroup;
  sex: SexGroup;
}

/** What a dose says about its recipient that decides the cell (CVRS names). */
export type CellDemographics = Partial<
  Pick<
    Dose,
    | 'recip_dob'
    | 'recip_sex'
    | 'recip_address_county'
    | 'recip_address_state'
    | 'recip_race_1'
    | 'recip_race_2'
    | 'recip_race_3'
    | 'recip_race_4'
    | 'recip_race_5'
    | 'recip_race_6'
    | 'recip_ethnicity'
  >
>;

const CA = new Set(CA_COUNTIES);

/**
 * A CA county FIPS counts as that county. A county FIPS of another state, or a state other than CA with no
 * county, is out of state. Anything else (no county, no state) is an unknown county: the dose reached a
 * California registry, so it stays in the state's figures but in no county's.
 */
export function residence(county: string | undefined, state: string | undefined): Residence {
  if (county && CA.has(county)) return county;
  if (county && /^\d{5}$/.test(county) && !county.startsWith('06')) return OUT_OF_STATE;
  const st = state?.trim().toUpperCase();
  if (st && st !== 'CA' && st !== '06') return OUT_OF_STATE;
  return UNKNOWN_COUNTY;
}

/** The cell of a recipient as a dose reports them, with the age on `on` (the dose's admin day). */
export function cellOf(d: CellDemographics, on: string): Cell {
  return {
    county: residence(d.recip_address_county, d.recip_address_state),
    age: ageBand(ageOn(d.recip_dob, on)),
    race: raceGroup([
      d.recip_race_1,
      d.recip_race_2,
      d.recip_race_3,
      d.recip_race_4,
      d.recip_race_5,
      d.recip_race_6,
    ]),
    ethnicity: ethnicityGroup(d.recip_ethnicity),
    sex: sexGroup(d.recip_sex),
  };
}

/** `06037|25-39|ASIAN|NOT_HISPANIC|F`: no group name contains `|`, so the key splits back exactly. */
export const cellKey = (c: Cell): string => `${c.county}|${c.age}|${c.race}|${c.ethnicity}|${c.sex}`;

const AGES: readonly string[] = [...AGE_BANDS, 'UNK'];
const includes = <T extends string>(list: readonly T[], s: string | undefined): s is T =>
  s !== undefined && (list as readonly string[]).includes(s);

/** The cell a key names, or undefined when it is not one `cellKey` could have written. */
export function parseCellKey(key: string): Cell | undefined {
  const [county, age, race, ethnicity, sex, ...rest] = key.split('|');
  if (rest.length > 0 || county === undefined) return undefined;
  if (!CA.has(county) && county !== OUT_OF_STATE && county !== UNKNOWN_COUNTY) return undefined;
  if (!includes(AGES, age) || !includes(RACE_GROUPS, race) || !includes(ETHNICITY_GROUPS, ethnicity))
    return undefined;
  if (!includes(SEX_GROUPS, sex)) return undefined;
  return { county, age: age as AgeBand | 'UNK', race, ethnicity, sex };
}

/** Counties in FIPS order, then out of state, then unknown; each group in its declared order (UNK last). */
export const COUNTY_ORDER: readonly Residence[] = [...CA_COUNTIES, OUT_OF_STATE, UNKNOWN_COUNTY];

const rank = (list: readonly string[]) => new Map(list.map((v, i) => [v, i]));
const RANKS = {
  county: rank(COUNTY_ORDER),
  age: rank(AGES),
  race: rank(RACE_GROUPS),
  ethnicity: rank(ETHNICITY_GROUPS),
  sex: rank(SEX_GROUPS),
} as const;
export const CELL_DIMENSIONS = ['county', 'age', 'race', 'ethnicity', 'sex'] as const;
export type CellDimension = (typeof CELL_DIMENSIONS)[number];

/** The position of a value in its dimension's order (unlisted values last, by text). */
export function dimensionRank(dim: CellDimension, value: string): number {
  return RANKS[dim].get(value) ?? Number.MAX_SAFE_INTEGER;
}

export function compareCells(a: Cell, b: Cell): number {
  for (const dim of CELL_DIMENSIONS) {
    const d = dimensionRank(dim, a[dim]) - dimensionRank(dim, b[dim]);
    if (d !== 0) return d;
  }
  return 0;
}

/** Plain code-unit order, so sorting never depends on the machine's locale. */
export const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
