/**
 * Every validation finding has a code, a severity, the field it is about and a message a person at a clinic
 * can act on. ERROR rejects the dose; WARNING and INFO accept it and are returned with it.
 *
 * Codes: CDC's CVRS validator codes where one of its checks matches (DATA*, REQD001, BUSR*), so providers see
 * codes they already know; DQ* are the registry data-quality rules (AIRA MQE, IIS test beds) of our own.
 * BUSR numbering follows the order domain.md lists CDC's cross-field rules in; it is not confirmed against
 * the validator's source, which is why each rule also says in words what it checks.
 */
export type Severity = 'error' | 'warning' | 'info';

export interface Finding {
  code: string;
  severity: Severity;
  field: string;
  message: string;
}

export interface RuleInfo {
  severity: Severity;
  /** What the rule checks, for the generated rule list. */
  summary: string;
  source: 'CDC CVRS validator' | 'Registry data quality' | 'Pipeline';
}

export const RULES = {
  REQD001: {
    severity: 'error',
    summary: 'A field required for this event type (administered or refused) is empty.',
    source: 'CDC CVRS validator',
  },
  DATA001: {
    severity: 'error',
    summary: 'A date is not a real calendar date.',
    source: 'CDC CVRS validator',
  },
  DATA004: {
    severity: 'error',
    summary:
      'A field that must be empty for this event type is filled (refusals carry no product, lot, expiration, site, route or dose fields).',
    source: 'CDC CVRS validator',
  },
  DATA005: {
    severity: 'error',
    summary: 'A value has the wrong type or format (not text, too long, malformed ZIP, NDC or ID).',
    source: 'CDC CVRS validator',
  },
  DATA006: {
    severity: 'error',
    summary:
      'In a de-identified (ext_type D) record a name or street/city field is not the literal "Redacted".',
    source: 'CDC CVRS validator',
  },
  DATA007: {
    severity: 'error',
    summary: 'A coded value is not in its value set.',
    source: 'CDC CVRS validator',
  },
  DATA009: {
    severity: 'error',
    summary: 'A date is not in a recognizable format (use YYYY-MM-DD).',
    source: 'CDC CVRS validator',
  },
  BUSR001: {
    severity: 'error',
    summary: 'The county FIPS code is not in the given state.',
    source: 'CDC CVRS validator',
  },
  BUSR002: {
    severity: 'error',
    summary: 'The ZIP code is not in the given state.',
    source: 'CDC CVRS validator',
  },
  BUSR003: {
    severity: 'error',
    summary: 'The administration date is before the date of birth.',
    source: 'CDC CVRS validator',
  },
  BUSR004: {
    severity: 'error',
    summary: 'A date of birth or administration date is in the future.',
    source: 'CDC CVRS validator',
  },
  BUSR005: {
    severity: 'error',
    summary:
      'The same vax_event_id (in a wastage file: record_id) appears more than once in one submission or file.',
    source: 'CDC CVRS validator',
  },
  DQ001: {
    severity: 'error',
    summary: 'The date of birth is more than 120 years before the administration date.',
    source: 'Registry data quality',
  },
  DQ002: {
    severity: 'info',
    summary:
      'The administration date is the 1st, 15th or last day of a month and may have been filled in rather than recorded.',
    source: 'Registry data quality',
  },
  DQ003: {
    severity: 'error',
    summary: 'The lot number has characters other than letters, digits and hyphens.',
    source: 'Registry data quality',
  },
  DQ004: {
    severity: 'warning',
    summary: 'The lot number is 4 characters or shorter, which real lot numbers rarely are.',
    source: 'Registry data quality',
  },
  DQ005: {
    severity: 'warning',
    summary:
      'The lot number starts or ends with a word that is not part of a lot number (LOT, MED, VFC, STATE, PRIVATE, -P …).',
    source: 'Registry data quality',
  },
  DQ006: {
    severity: 'error',
    summary: 'An administered dose has no lot number or no expiration date.',
    source: 'Registry data quality',
  },
  DQ007: {
    severity: 'warning',
    summary:
      'The dose was given on or after the lot’s expiration date (an administration error to follow up).',
    source: 'Registry data quality',
  },
  DQ008: {
    severity: 'error',
    summary: 'The NDC is for a different vaccine (CVX) than the one given.',
    source: 'Registry data quality',
  },
  DQ009: {
    severity: 'error',
    summary: 'The manufacturer (MVX) does not make the vaccine given (CVX/NDC).',
    source: 'Registry data quality',
  },
  DQ010: {
    severity: 'error',
    summary: 'The product was not yet available on the administration date.',
    source: 'Registry data quality',
  },
  DQ011: {
    severity: 'warning',
    summary: 'The product was no longer in use on the administration date.',
    source: 'Registry data quality',
  },
  DQ012: {
    severity: 'error',
    summary: 'The CVX code is a real vaccine, but not a COVID-19 vaccine.',
    source: 'Registry data quality',
  },
  DQ013: {
    severity: 'error',
    summary:
      'The code is one of CDC’s test placeholders (CVX 900–902, MVX AAA/BBB, sample NDCs), not a real product.',
    source: 'Registry data quality',
  },
  DQ014: {
    severity: 'warning',
    summary:
      'The dose was given sooner after the recipient’s previous dose than the minimum interval allows (grace period included).',
    source: 'Registry data quality',
  },
  DQ015: {
    severity: 'info',
    summary: 'The NDC is a unit-of-sale (carton) code; the unit-of-use (vial) code is preferred.',
    source: 'Registry data quality',
  },
  DQ016: {
    severity: 'warning',
    summary: 'A field name is not a CVRS variable; its value was ignored.',
    source: 'Pipeline',
  },
  DQ017: {
    severity: 'error',
    summary:
      'The vax_event_id is already stored with different content; send a change as an update (PUT with If-Match).',
    source: 'Pipeline',
  },
  DQ018: {
    severity: 'error',
    summary: 'The dose’s iis_id is not the site in the request path, or the update changes it.',
    source: 'Pipeline',
  },
  DQ019: {
    severity: 'warning',
    summary:
      'The NDC is not listed for use on the administration date (NDC dates in the code base are less reliable than CVX dates, so this only warns).',
    source: 'Registry data quality',
  },
  DQ020: {
    severity: 'error',
    summary:
      'The vax_event_id belongs to a dose that was deleted; a deleted dose cannot come back under the same ID.',
    source: 'Pipeline',
  },
  DQ021: {
    severity: 'error',
    summary: 'The CVX is a COVID-19 vaccine not authorized in the United States (210, 225, 226, 500–521).',
    source: 'Registry data quality',
  },
  DQ022: {
    severity: 'error',
    summary:
      'CVX 213 (unspecified) is for historical records only, not for a dose the site gave (a refusal may use it).',
    source: 'Registry data quality',
  },
  DQ023: {
    severity: 'error',
    summary: 'A file row names a site (iis_id) the uploading site may not submit for.',
    source: 'Pipeline',
  },
  STK001: {
    severity: 'error',
    summary: 'A receipt or wastage report gives doses that are not a whole number of at least 1.',
    source: 'Pipeline',
  },
  STK002: {
    severity: 'error',
    summary: 'A receipt or wastage report is dated after today (California).',
    source: 'Pipeline',
  },
  STK004: {
    severity: 'error',
    summary: 'A wastage report with reason "other" has no reason_text.',
    source: 'Pipeline',
  },
  STK005: {
    severity: 'warning',
    summary: 'The lot has no expiration on record (unknown lot, or not entered yet).',
    source: 'Pipeline',
  },
  STK006: {
    severity: 'warning',
    summary: 'More doses wasted than the site has on hand of the lot.',
    source: 'Pipeline',
  },
  STK007: {
    severity: 'error',
    summary: "A beyond-use date is later than the lot's expiration.",
    source: 'Pipeline',
  },
  STK009: {
    severity: 'error',
    summary: 'A record_id the site already used for a different receipt or wastage report.',
    source: 'Pipeline',
  },
  STK010: {
    severity: 'error',
    summary: 'A transfer names this site itself, or a site that is not enrolled, as the other side.',
    source: 'Pipeline',
  },
  STK011: {
    severity: 'info',
    summary:
      'A receipt from a site of another organization is recorded here only; the sending site reports its side (POST /v1/inventory/transfers).',
    source: 'Pipeline',
  },
} as const satisfies Record<string, RuleInfo>;

export type RuleCode = keyof typeof RULES;

export function finding(code: RuleCode, field: string, message: string): Finding {
  return { code, severity: RULES[code].severity, field, message };
}

export function hasError(findings: readonly Finding[]): boolean {
  for (const f of findings) if (f.severity === 'error') return true;
  return false;
}
