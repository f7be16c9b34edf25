import type { RuleInfo } from '../findings.ts';

/** Checks of our own: registry data quality and the pipeline (DQ), site enrollment (SITE). */
export const QUALITY_RULES = {
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
    summary:
      'A dose the site administered has no lot number or no expiration date (a historical record, HL7 RXA-9 other than 00, needs neither).',
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
      'The code is one of CDC’s test placeholders (CVX 900–902, MVX AAA/BBB, sample NDCs), not a real product (CDC’s validator lists them as valid).',
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
      'CVX 213 (unspecified) is for historical records only (HL7 RXA-9 other than 00), not for a dose the site gave (a refusal may use it).',
    source: 'Registry data quality',
  },
  DQ023: {
    severity: 'error',
    summary: 'A file row names a site (iis_id) the uploading site may not submit for.',
    source: 'Pipeline',
  },
  DQ024: {
    severity: 'error',
    summary:
      'A value has the wrong JSON type: a list, an object or a boolean where text (or a number, for codes) goes.',
    source: 'Pipeline',
  },
  DQ025: {
    severity: 'error',
    summary:
      'A value is longer than the registries take (199 characters, HL7 v2.5.1 ST), though within CDC’s limit; a lot number or site street longer than that too.',
    source: 'Registry data quality',
  },
  DQ026: {
    severity: 'error',
    summary:
      'The vax_event_id has a character we cannot carry to the registries or in a URL (accents, or any of / ? # % \\ | ^ & ~).',
    source: 'Pipeline',
  },
  DQ027: {
    severity: 'error',
    summary:
      'The recipient’s first or last name is empty: the registries match people by name (CDC’s de-identified copy does not need it).',
    source: 'Registry data quality',
  },
  DQ028: {
    severity: 'error',
    summary:
      'A date of birth with no day (YYYY-MM): CDC accepts it, but the registries need the full date of birth.',
    source: 'Registry data quality',
  },
  DQ029: {
    severity: 'error',
    summary:
      'A value has a character that the registries’ HL7 over SOAP/XML, CDC’s file or the results file cannot carry: a control character (U+0000–U+001F other than tab, line feed, vertical tab, form feed and carriage return; U+007F–U+009F other than U+0085), a Unicode noncharacter (U+FFFE, U+FFFF, U+FDD0–U+FDEF and the last two of every plane), or half of a UTF-16 surrogate pair. The message names the character and its position, never the value. Tabs and line breaks (also U+0085, U+2028, U+2029) in free text are stored as one space instead.',
    source: 'Pipeline',
  },
  SITE002: {
    severity: 'error',
    summary: 'A field an enrollment needs is empty.',
    source: 'Pipeline',
  },
  SITE003: {
    severity: 'error',
    summary:
      'An enrollment value is not valid (Org Code, sending facility not enrolled or the site itself, wrong type).',
    source: 'Pipeline',
  },
} as const satisfies Record<string, RuleInfo>;
