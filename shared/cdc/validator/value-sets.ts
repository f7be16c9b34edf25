/**
 * CDC's value sets and state table (generated from CDC's resource files by scripts/generate-cdc-value-sets.ts),
 * with the lookups CDC makes on them.
 */
import data from './data/cdc-value-sets.json' with { type: 'json' };
import { isEmpty, javaSplit, javaTrim } from './java.ts';

export interface ValueSet {
  name: string;
  codes: ReadonlySet<string>;
  /** The codes of a small set: comparing a few short strings beats hashing a fresh one. */
  few: readonly string[] | undefined;
  examples: string;
}

const sets = new Map<string, ValueSet>();

export function valueSet(name: string): ValueSet {
  let set = sets.get(name);
  if (!set) {
    const raw = (data.valueSets as Record<string, { codes: string[]; examples: string }>)[name];
    if (!raw) throw new Error(`CDC value set ${name} is not in data/cdc-value-sets.json`);
    set = {
      name,
      codes: new Set(raw.codes),
      few: raw.codes.length <= 12 ? raw.codes : undefined,
      examples: raw.examples,
    };
    sets.set(name, set);
  }
  return set;
}

/** CDC compares the trimmed, upper-cased value; an empty value is never out of the set (REQD's job). */
export function inValueSet(set: ValueSet, value: string | null): boolean {
  if (isEmpty(value)) return true;
  if (set.few ? set.few.includes(value) : set.codes.has(value)) return true;
  return set.codes.has(javaTrim(value).toUpperCase());
}

interface ZipRange {
  dash: boolean;
  whole: string;
  low: string;
  high: string;
}

/** STATE.txt's columns, with each state's ZIP ranges split once rather than on every record. */
const states = new Map(
  Object.entries(data.states as Record<string, { fips?: string; zips?: string }>).map(([k, v]) => [
    k,
    {
      fips: v.fips,
      zips:
        v.zips === undefined
          ? undefined
          : javaSplit(v.zips, ',').map((range): ZipRange => {
              const dash = range.indexOf('-');
              return {
                dash: dash >= 0,
                whole: range,
                low: dash < 0 ? range : range.slice(0, dash),
                high: dash < 0 ? '' : range.slice(dash + 1),
              };
            }),
    },
  ]),
);

/**
 * BUSR001/002: the county code starts with the state's FIPS prefix. True when either is empty or the state
 * (upper-cased, not trimmed) has no prefix on file.
 */
export function isCountyInState(county: string | null, state: string | null): boolean {
  if (isEmpty(county) || isEmpty(state)) return true;
  const code = states.get(state.toUpperCase())?.fips;
  if (isEmpty(code)) return true;
  return county.startsWith(code);
}

/**
 * BUSR003/004, as CDC wrote it: false for a state without ZIP ranges on file; true when the ZIP starts with
 * either end of a range or sorts between them. A range without a dash ("06", "96799") lets every ZIP through,
 * because its missing upper end is the empty string, which every ZIP starts with.
 */
export function isZipInState(zip: string | null, state: string | null): boolean {
  if (isEmpty(zip) || isEmpty(state)) return true;
  const zips = states.get(state.toUpperCase())?.zips;
  if (zips === undefined) return false;
  for (const { dash, whole, low, high } of zips) {
    if (!dash && zip.startsWith(whole)) return true;
    if (zip.startsWith(low) || zip.startsWith(high) || (zip > low && zip < high)) return true;
  }
  return false;
}
