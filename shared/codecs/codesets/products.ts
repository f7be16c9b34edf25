/** Product code sets: COVID-19 CVX, NDC and MVX codes, other vaccines' CVX labels, CDC's placeholder test codes. */
import data from './data/products.json' with { type: 'json' };
import { get, index, labels } from './lookup.ts';
import { normalizeNdc } from './ndc.ts';
import type {
  CodesetsData,
  CvxEntry,
  MvxEntry,
  NdcEntry,
  PlaceholderKind,
  UseWindow,
  WindowPosition,
} from './types.ts';

const raw = data as Pick<CodesetsData, 'cvx' | 'otherCvx' | 'ndc' | 'mvx' | 'placeholder'>;

const cvxMap = index<CvxEntry>(raw.cvx);
const otherCvxMap = labels(raw.otherCvx);
const ndcMap = index<NdcEntry>(raw.ndc);
const mvxMap = index<MvxEntry>(raw.mvx);
const placeholderMaps: Record<PlaceholderKind, Map<string, string>> = {
  cvx: labels(raw.placeholder.cvx),
  mvx: labels(raw.placeholder.mvx),
  ndc: labels(raw.placeholder.ndc),
};

/** A COVID-19 vaccine CVX code (including non-US and unspecified ones); undefined for anything else. */
export function cvx(code: string): CvxEntry | undefined {
  return get(cvxMap, code);
}

/** True for a real CVX code of another vaccine group, so a rule can say "not a COVID-19 vaccine". */
export function isKnownNonCovidCvx(code: string): boolean {
  return get(otherCvxMap, code) !== undefined;
}

/** Short label of any known CVX code, COVID-19 or not. */
export function cvxLabel(code: string): string | undefined {
  return get(cvxMap, code)?.label ?? get(otherCvxMap, code);
}

/** A COVID-19 vaccine NDC, unit of use or of sale. Expects `NNNNN-NNNN-NN`; other layouts are normalised on a miss. */
export function ndc(normalized11: string): NdcEntry | undefined {
  const hit = ndcMap.get(normalized11);
  if (hit !== undefined) return hit;
  const n = normalizeNdc(normalized11);
  return n === undefined || n === normalized11 ? undefined : ndcMap.get(n);
}

export function mvx(code: string): MvxEntry | undefined {
  return get(mvxMap, code);
}

/** True for CDC's test codes (CVX 900–902, MVX AAA/BBB, two sample NDCs): they look valid but are no product. */
export function isPlaceholder(kind: PlaceholderKind, code: string): boolean {
  return placeholderLabel(kind, code) !== undefined;
}

/** CDC's label for a placeholder code, for a message such as "CVX 900 (COVID-19 Vaccine A) is a test code". */
export function placeholderLabel(kind: PlaceholderKind, code: string): string | undefined {
  const map = placeholderMaps[kind];
  if (map === undefined) return undefined;
  const hit = get(map, code);
  if (hit !== undefined || kind !== 'ndc') return hit;
  const n = normalizeNdc(code);
  return n === undefined ? undefined : map.get(n);
}

/**
 * Where an ISO date falls in a product's use window. `not-expected` is inside the hard bounds but outside the
 * expected ones (e.g. an NDC past its expected last use, still before its hard stop): worth a warning, not a
 * rejection. ISO dates compare correctly as strings.
 */
export function productWindow(entry: UseWindow, isoDate: string): WindowPosition {
  if (entry.notBefore !== undefined && isoDate < entry.notBefore) return 'before';
  if (entry.notAfter !== undefined && isoDate > entry.notAfter) return 'after';
  if (entry.notExpectedBefore !== undefined && isoDate < entry.notExpectedBefore) return 'not-expected';
  if (entry.notExpectedAfter !== undefined && isoDate > entry.notExpectedAfter) return 'not-expected';
  return 'in';
}
