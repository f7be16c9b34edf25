/** Geography: counties by FIPS (3,000+ names) and states with CDC's ZIP ranges, for checking addresses. */
import data from './data/geography.json' with { type: 'json' };
import { frozen, get } from './lookup.ts';
import type { CodesetsData, CountyEntry, StateEntry } from './types.ts';

const raw = data as Pick<CodesetsData, 'county' | 'state'>;

const countyMap = new Map<string, CountyEntry>();
for (const [state, group] of Object.entries(raw.county)) {
  for (const item of group.counties.split('|')) {
    const fips = group.fips + item.slice(0, 3);
    countyMap.set(fips, Object.freeze({ fips, name: item.slice(4), state }));
  }
}

interface StateIndex {
  entry: StateEntry;
  /** Inclusive [lo, hi] pairs over the ZIP's first 3 digits. */
  zip3: Int32Array;
  /** Inclusive [lo, hi] pairs over all 5 digits. */
  zip5: Int32Array;
}

function zipRanges(prefixes: readonly string[], width: 3 | 5): Int32Array {
  const out: number[] = [];
  for (const p of prefixes) {
    const [lo = '', hi = lo] = p.split('-');
    if (lo.length === width) out.push(Number(lo), Number(hi));
  }
  return Int32Array.from(out);
}

const stateMap = new Map<string, StateIndex>();
for (const [abbr, value] of Object.entries(raw.state)) {
  const entry = frozen({ abbr, ...value });
  stateMap.set(abbr, {
    entry,
    zip3: zipRanges(value.zipPrefixes, 3),
    zip5: zipRanges(value.zipPrefixes, 5),
  });
}

/** County by 5-digit FIPS (state + county). */
export function county(fips: string): CountyEntry | undefined {
  return get(countyMap, fips);
}

/** US state, district or territory by USPS abbreviation. */
export function state(abbr: string): StateEntry | undefined {
  return get(stateMap, abbr)?.entry;
}

function digitsAt(s: string, from: number, count: number): number {
  let n = 0;
  for (let i = from; i < from + count; i++) {
    const d = s.charCodeAt(i) - 48;
    if (!(d >= 0 && d <= 9)) return -1;
    n = n * 10 + d;
  }
  return n;
}

function inRanges(ranges: Int32Array, n: number): boolean {
  for (let i = 0; i < ranges.length; i += 2) if (n >= ranges[i]! && n <= ranges[i + 1]!) return true;
  return false;
}

/**
 * Whether a ZIP (5 digits, optionally followed by `-NNNN` or 4 more digits) lies in the state's ranges as CDC's
 * validator lists them. False for an unknown state and for a state CDC gives no ranges (FM).
 */
export function zipInState(zip: string, stateAbbr: string): boolean {
  const s = get(stateMap, stateAbbr);
  if (s === undefined || typeof zip !== 'string') return false;
  let start = 0;
  while (start < zip.length && zip.charCodeAt(start) === 32) start++;
  const zip5 = zip.length - start >= 5 ? digitsAt(zip, start, 5) : -1;
  if (zip5 < 0) return false;
  return inRanges(s.zip3, Math.floor(zip5 / 100)) || inRanges(s.zip5, zip5);
}
