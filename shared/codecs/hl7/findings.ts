import type { Finding, RuleCode, Severity } from '#platform/findings.ts';
import type { Hl7Error } from './errors.ts';

/** ERR segments as findings a site can read: the words at their HL7 location. */
export function hl7ErrorsToFindings(errors: readonly Hl7Error[]): Finding[] {
  const severity: Record<string, Severity> = { E: 'error', W: 'warning', I: 'info' };
  return errors.map((e) => ({
    code: `HL7-${e.code}`,
    severity: severity[e.severity] ?? 'error',
    field: e.location,
    message: e.text || `A problem at ${e.location} (HL7 error ${e.code}).`,
  }));
}

/**
 * How a rule's finding is told in an ACK: ERR-3 (HL7 table 0357, what kind of problem the sender has) and the
 * first triplet of ERR-5 (HL7 table 0533, to which the Z23 profile binds ERR-5.1).
 */
export interface RuleHl7Codes {
  /** HL7 0357: 101 a required value is absent, 102 the value cannot be right as written (type, format, length,
   * or a date or number that cannot be true), 103 a code not in the table that applies here, 205 the key is
   * taken; 0 for advice, where nothing is wrong with the message (as CAIR2 answers an informational ERR). */
  condition: '0' | '101' | '102' | '103' | '205';
  /** HL7 0533: 1 illogical date, 2 invalid date, 3 illogical value, 4 invalid value, 5 table value not found,
   * 7 required data missing, 8 data was ignored. */
  application: '1' | '2' | '3' | '4' | '5' | '7' | '8';
}

const MISSING: RuleHl7Codes = { condition: '101', application: '7' };
const INVALID_VALUE: RuleHl7Codes = { condition: '102', application: '4' };
const INVALID_DATE: RuleHl7Codes = { condition: '102', application: '2' };
const ILLOGICAL_DATE: RuleHl7Codes = { condition: '102', application: '1' };
const ILLOGICAL_VALUE: RuleHl7Codes = { condition: '102', application: '3' };
const IGNORED: RuleHl7Codes = { condition: '102', application: '8' };
const NOT_IN_TABLE: RuleHl7Codes = { condition: '103', application: '5' };
const DUPLICATE_KEY: RuleHl7Codes = { condition: '205', application: '3' };
const ADVICE_DATE: RuleHl7Codes = { condition: '0', application: '1' };
const ADVICE_VALUE: RuleHl7Codes = { condition: '0', application: '3' };

/**
 * Every rule's ERR-3 and ERR-5 codes, from what the rule finds wrong. 207 (application internal error) is never
 * here: it tells the sender we failed, and a rule's finding is about the message. Stock and enrollment rules
 * never reach an ACK today; they are coded all the same so that no rule can come out unclassified.
 */
export const RULE_HL7 = {
  REQD001: MISSING,
  REQD002: MISSING,
  // A value present that a refusal must not carry: the combination is what is wrong.
  DNTS002: ILLOGICAL_VALUE,
  DATA001: INVALID_DATE,
  DATA004: ILLOGICAL_VALUE,
  DATA005: INVALID_VALUE,
  DATA006: INVALID_VALUE,
  DATA007: NOT_IN_TABLE,
  DATA008: INVALID_VALUE,
  DATA009: INVALID_DATE,
  // A county or ZIP code that is not in the table of the state's codes.
  BUSR001: NOT_IN_TABLE,
  BUSR002: NOT_IN_TABLE,
  BUSR003: NOT_IN_TABLE,
  BUSR004: NOT_IN_TABLE,
  BUSR005: ILLOGICAL_DATE,
  // The state or county a ZIP code calls for is absent.
  BUSR007: MISSING,
  BUSR008: MISSING,
  BUSR009: MISSING,
  BUSR010: MISSING,
  BUSR011: ILLOGICAL_DATE,
  BUSR012: ILLOGICAL_DATE,
  BUSR013: DUPLICATE_KEY,
  DQ001: ILLOGICAL_DATE,
  DQ002: ADVICE_DATE,
  DQ003: INVALID_VALUE,
  DQ004: INVALID_VALUE,
  DQ005: INVALID_VALUE,
  DQ006: MISSING,
  DQ007: ILLOGICAL_DATE,
  // NDC and MVX must be the product's: the pair is not in the product table.
  DQ008: NOT_IN_TABLE,
  DQ009: NOT_IN_TABLE,
  DQ010: ILLOGICAL_DATE,
  DQ011: ILLOGICAL_DATE,
  // Not in the table of codes this pipeline takes (COVID-19 vaccines, real products, US-authorized, and 213
  // only for history).
  DQ012: NOT_IN_TABLE,
  DQ013: NOT_IN_TABLE,
  DQ014: ILLOGICAL_DATE,
  DQ015: ADVICE_VALUE,
  DQ016: IGNORED,
  DQ017: DUPLICATE_KEY,
  DQ018: ILLOGICAL_VALUE,
  DQ019: ILLOGICAL_DATE,
  // The ID of a deleted dose stays taken.
  DQ020: DUPLICATE_KEY,
  DQ021: NOT_IN_TABLE,
  DQ022: NOT_IN_TABLE,
  // The site is not among those the sender may report for.
  DQ023: NOT_IN_TABLE,
  DQ024: INVALID_VALUE,
  DQ025: INVALID_VALUE,
  DQ026: INVALID_VALUE,
  DQ027: MISSING,
  DQ028: INVALID_DATE,
  // A character no outbound format can carry: the value cannot be right as written.
  DQ029: INVALID_VALUE,
  STK001: INVALID_VALUE,
  STK002: ILLOGICAL_DATE,
  STK003: INVALID_DATE,
  STK004: MISSING,
  STK005: MISSING,
  STK006: ILLOGICAL_VALUE,
  STK007: ILLOGICAL_DATE,
  STK008: NOT_IN_TABLE,
  STK009: DUPLICATE_KEY,
  STK010: NOT_IN_TABLE,
  STK011: ADVICE_VALUE,
  STK012: DUPLICATE_KEY,
  STK013: MISSING,
  STK014: INVALID_VALUE,
  // Recorded; the sender's side is left to a key that acts for the sender.
  STK015: ADVICE_VALUE,
  SITE002: MISSING,
  SITE003: NOT_IN_TABLE,
  // The report disagrees with other sites' doses of the person: illogical against the consolidated record.
  PER001: ILLOGICAL_VALUE,
  PER002: ILLOGICAL_VALUE,
  PER003: ILLOGICAL_DATE,
  PER004: ILLOGICAL_VALUE,
} as const satisfies Record<RuleCode, RuleHl7Codes>;

/** ERR codes for a finding's code; undefined for a code that is not a rule (the caller decides). */
export function ruleHl7Codes(code: string): RuleHl7Codes | undefined {
  return Object.hasOwn(RULE_HL7, code) ? RULE_HL7[code as RuleCode] : undefined;
}
