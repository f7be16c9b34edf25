/** The code sets' entries, and how the generator's data is split into files a handler loads only if it needs. */

/** Status as the AIRA code base records it; kept verbatim so a rule can tell "retired" from "never existed". */
export type CodeStatus = 'Valid' | 'Invalid' | 'Deprecated' | 'Ignored' | 'Unrecognized';

/** ISO `YYYY-MM-DD` bounds, all inclusive; a missing bound is open. */
export interface UseWindow {
  readonly notBefore?: string;
  readonly notExpectedBefore?: string;
  readonly notExpectedAfter?: string;
  readonly notAfter?: string;
}

export type WindowPosition = 'before' | 'in' | 'not-expected' | 'after';

export interface CvxEntry extends UseWindow {
  readonly code: string;
  readonly label: string;
  readonly status: CodeStatus;
  /** Manufacturers of this vaccine's NDCs; empty for codes without US NDCs (unspecified, non-US). */
  readonly mvx: readonly string[];
}

export interface NdcEntry extends UseWindow {
  readonly code: string;
  readonly kind: 'use' | 'sale';
  readonly cvx: string;
  readonly mvx: string;
  readonly status: CodeStatus;
  /** For a unit of sale (carton), the unit-of-use (vial/syringe) NDCs it contains; empty for a unit of use. */
  readonly unitsOfUse: readonly string[];
}

export interface MvxEntry {
  readonly code: string;
  readonly label: string;
  readonly status: CodeStatus;
}

/** A demographic or administration code: `status` from the AIRA code base (absent if it lacks the code). */
export interface CodedValue {
  readonly code: string;
  readonly label: string;
  readonly status?: CodeStatus;
  /** Accepted by CDC's CVRS validator value set. */
  readonly cvrs: boolean;
}

export type RouteSystem = 'HL7-0162' | 'NCIT';

export interface RouteEntry extends CodedValue {
  readonly system: RouteSystem;
  /** The same route in the other system, where both tables give the same label. */
  readonly equivalent?: string;
}

export interface CountyEntry {
  readonly fips: string;
  readonly name: string;
  readonly state: string;
}

export interface StateEntry {
  readonly abbr: string;
  readonly name: string;
  readonly fips: string;
  /** As CDC lists them, normalised: `NNN-NNN` 3-digit prefix ranges, `NNN` prefixes, `NNNNN` whole ZIP codes. */
  readonly zipPrefixes: readonly string[];
}

export type PlaceholderKind = 'cvx' | 'mvx' | 'ndc';

export type Entry<T> = Omit<T, 'code'>;

/** Every code set (the generator assembles it and writes it in three files: CODESET_FILES). */
export interface CodesetsData {
  cvx: Record<string, Entry<CvxEntry>>;
  otherCvx: Record<string, string>;
  ndc: Record<string, Entry<NdcEntry>>;
  mvx: Record<string, Entry<MvxEntry>>;
  route: Record<string, Entry<RouteEntry>>;
  bodySite: Record<string, Entry<CodedValue>>;
  race: Record<string, Entry<CodedValue>>;
  ethnicity: Record<string, Entry<CodedValue>>;
  sex: Record<string, Entry<CodedValue>>;
  adminType: Record<string, string>;
  doseNumber: Record<string, string>;
  yesNo: string[];
  yesNoUnk: string[];
  /** State abbreviation → the state FIPS its counties share and `CCC Name|CCC Name|…` (keeps 3,000+ small). */
  county: Record<string, { fips: string; counties: string }>;
  state: Record<string, Omit<StateEntry, 'abbr'>>;
  /** CDC's test codes that look like products but are not: kind → code → CDC's label. */
  placeholder: Record<PlaceholderKind, Record<string, string>>;
}

/**
 * Which code sets each data file holds. Split so that a handler loads only what it looks up: product codes (CVX,
 * NDC, MVX) for the person matcher and stock, the small value sets for the CVRS encoder, geography (3,000+ county
 * names, ZIP ranges) only where addresses are checked.
 */
export const CODESET_FILES = {
  products: ['cvx', 'otherCvx', 'ndc', 'mvx', 'placeholder'],
  values: ['route', 'bodySite', 'race', 'ethnicity', 'sex', 'adminType', 'doseNumber', 'yesNo', 'yesNoUnk'],
  geography: ['county', 'state'],
} as const satisfies Record<string, readonly (keyof CodesetsData)[]>;
