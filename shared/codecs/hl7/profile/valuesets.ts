/**
 * The value sets a profile binds that the checker can decide, from the project's own code data. NIST's profile
 * XML names its bindings (Binding="HL70001_IZ") but carries no codes (NIST ships them in a separate value-set
 * library we do not have), so a binding is checked only where the project already keeps that table; every other
 * binding is reported by `uncheckedBindings` rather than guessed.
 */
import { bodySite, cvxLabel, ethnicity, mvx, race, route } from '../../codesets/index.ts';
import { INFORMATION_SOURCE, REFUSAL_REASON, sexForHl7 } from '../codes.ts';
import { HL7_0357, HL7_0533 } from '../errors.ts';

export interface ValueSet {
  /** Names of coding system a CE/CWE carries in component 3 for a code of this set. */
  readonly systems: readonly string[];
  readonly has: (code: string) => boolean;
  /**
   * True where the project's table holds more than the bound value set (the AIRA race list beside CDC's
   * race categories): a code outside it is certainly wrong, a code inside it may still be outside the binding.
   */
  readonly superset: boolean;
  /** Where the codes come from, for a reader of a violation. */
  readonly source: string;
}

const CDCREC = /^\d{4}-\d$/;

/** HL7 codes are case-sensitive; the code-set lookups forgive case for CSV input, which a profile must not. */
function exact(lookup: (code: string) => unknown): (code: string) => boolean {
  return (code) => code === code.trim().toUpperCase() && lookup(code) !== undefined;
}

function inTable(table: Readonly<Record<string, string>>): (code: string) => boolean {
  return (code) => Object.hasOwn(table, code);
}

export const VALUE_SETS: Readonly<Record<string, ValueSet>> = {
  // CVX: CDC's list as the code sets keep it (COVID-19 and every other vaccine); CVRS's placeholders 900–902
  // are not CVX codes and are not in it.
  CVX: { systems: ['CVX'], has: exact(cvxLabel), superset: false, source: 'shared/codesets (CVX)' },
  MVX: { systems: ['MVX'], has: exact(mvx), superset: false, source: 'shared/codesets (MVX)' },
  NCIT: {
    systems: ['NCIT'],
    has: exact((c) => (route(c)?.system === 'NCIT' ? c : undefined)),
    superset: false,
    source: 'shared/codesets (route, NCIt codes)',
  },
  HL70163_IZ: {
    systems: ['HL70163'],
    has: exact(bodySite),
    superset: false,
    source: 'shared/codesets (body site)',
  },
  CDCREC_R_IZ: {
    systems: ['CDCREC'],
    has: (c) => CDCREC.test(c) && race(c) !== undefined,
    superset: true,
    source: 'shared/codesets (race, CDCREC codes)',
  },
  CDCREC_E_IZ: {
    systems: ['CDCREC'],
    has: (c) => CDCREC.test(c) && ethnicity(c) !== undefined,
    superset: true,
    source: 'shared/codesets (ethnicity, CDCREC codes)',
  },
  // sexForHl7 answers any code outside HL70001_IZ with U, so a code it keeps is one the binding allows.
  HL70001_IZ: {
    systems: ['HL70001'],
    has: (c) => sexForHl7(c) === c,
    superset: false,
    source: 'shared/codecs/hl7/codes.ts',
  },
  NIP001: {
    systems: ['NIP001'],
    has: inTable(INFORMATION_SOURCE),
    superset: false,
    source: 'shared/codecs/hl7/codes.ts',
  },
  NIP002: {
    systems: ['NIP002'],
    has: inTable(REFUSAL_REASON),
    superset: false,
    source: 'shared/codecs/hl7/codes.ts',
  },
  HL70357_IZ: {
    systems: ['HL70357'],
    has: inTable(HL7_0357),
    superset: false,
    source: 'shared/codecs/hl7/errors.ts',
  },
  HL70533_IZ: {
    systems: ['HL70533'],
    has: inTable(HL7_0533),
    superset: false,
    source: 'shared/codecs/hl7/errors.ts',
  },
};
