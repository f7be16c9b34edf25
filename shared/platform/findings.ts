/**
 * Every validation finding has a code, a severity, the field it is about and a message a person at a clinic
 * can act on. ERROR rejects the dose; WARNING and INFO accept it and are returned with it.
 *
 * Codes: where CDC's CVRS validator makes the same check, CDC's code with CDC's meaning, field and level
 * (REQD, DNTS, DATA, BUSR; read from the validator's source), so sites see what CDC would tell them. Where our
 * intake is deliberately more lenient than CDC (it reads 03/15/2021 and stores 2021-03-15), the same CDC code
 * comes as a warning. Checks of our own have codes of our own: DQ for registry data quality and the pipeline,
 * STK for vaccine accountability, FILE for whole files; they never reuse a CDC code.
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
  /** CDC's code for the same check, where CDC's validator makes it (and its level there if it differs). */
  cdc?: string;
}

export const RULES = {
  REQD001: {
    severity: 'error',
    summary: 'A field CDC requires for an administered dose (Vaccination event) is empty.',
    source: 'CDC CVRS validator',
    cdc: 'REQD001',
  },
  REQD002: {
    severity: 'error',
    summary: 'A field CDC requires for a refusal (vax_refusal YES) is empty.',
    source: 'CDC CVRS validator',
    cdc: 'REQD002',
  },
  DNTS002: {
    severity: 'error',
    summary:
      'A refusal carries a field CDC says not to send for one (ndc, mvx, lot_number, vax_expiration, vax_admin_site, vax_route, dose_num, vax_series_complete).',
    source: 'CDC CVRS validator',
    cdc: 'DNTS002',
  },
  DATA001: {
    severity: 'error',
    summary:
      'A date is not a real calendar date, or cannot be read. Warning only: a date we read in another layout (YYYYMMDD, a date-time) that CDC would refuse; we store it as YYYY-MM-DD.',
    source: 'CDC CVRS validator',
    cdc: 'DATA001',
  },
  DATA004: {
    severity: 'warning',
    summary:
      'pprl_id is filled although ext_type is not P, or empty although it is P. CDC refuses the record; we never send pprl_id, so here it only warns.',
    source: 'CDC CVRS validator',
    cdc: 'DATA004 (error at CDC)',
  },
  DATA005: {
    severity: 'error',
    summary:
      'A value does not match CDC’s format: vax_event_id or recip_id with spaces, a ZIP code that is not 12345 or 12345-6789, a VTrckS PIN that is not 1–6 letters or digits, ext_type other than D, P or I. Warning only: a ZIP we could read (123456789) and store as 12345-6789.',
    source: 'CDC CVRS validator',
    cdc: 'DATA005',
  },
  DATA006: {
    severity: 'error',
    summary:
      'In a de-identified record (ext_type D or P) a name, street or city field is not the literal "Redacted" (an empty one included).',
    source: 'CDC CVRS validator',
    cdc: 'DATA006',
  },
  DATA007: {
    severity: 'error',
    summary:
      'A coded value is not in its value set. Warning only: a code we accept that CDC’s value set lacks (e.g. race UNK in recip_race_2, an HL7 route or body site CDC does not list, dose number 7).',
    source: 'CDC CVRS validator',
    cdc: 'DATA007',
  },
  DATA008: {
    severity: 'error',
    summary:
      'A value is longer than CDC allows for the field (255 characters; pprl_id 100, ndc 50, mvx 3, vax_route 10).',
    source: 'CDC CVRS validator',
    cdc: 'DATA008',
  },
  DATA009: {
    severity: 'warning',
    summary:
      'A date written MM/DD/YYYY. CDC refuses it; we read it and store YYYY-MM-DD, so here it only warns.',
    source: 'CDC CVRS validator',
    cdc: 'DATA009 (error at CDC)',
  },
  BUSR001: {
    severity: 'error',
    summary: 'The recipient’s county FIPS code is not in the recipient’s state.',
    source: 'CDC CVRS validator',
    cdc: 'BUSR001',
  },
  BUSR002: {
    severity: 'error',
    summary: 'The administering site’s county FIPS code is not in its state.',
    source: 'CDC CVRS validator',
    cdc: 'BUSR002',
  },
  BUSR003: {
    severity: 'error',
    summary: 'The recipient’s ZIP code is not in the recipient’s state.',
    source: 'CDC CVRS validator',
    cdc: 'BUSR003',
  },
  BUSR004: {
    severity: 'error',
    summary: 'The administering site’s ZIP code is not in its state.',
    source: 'CDC CVRS validator',
    cdc: 'BUSR004',
  },
  BUSR005: {
    severity: 'error',
    summary: 'The date of birth is after the administration date.',
    source: 'CDC CVRS validator',
    cdc: 'BUSR005',
  },
  BUSR007: {
    severity: 'warning',
    summary: 'The recipient has a ZIP code but no state.',
    source: 'CDC CVRS validator',
    cdc: 'BUSR007',
  },
  BUSR008: {
    severity: 'warning',
    summary: 'The administering site has a ZIP code but no state.',
    source: 'CDC CVRS validator',
    cdc: 'BUSR008',
  },
  BUSR009: {
    severity: 'warning',
    summary: 'The recipient has a ZIP code but no county.',
    source: 'CDC CVRS validator',
    cdc: 'BUSR009',
  },
  BUSR010: {
    severity: 'warning',
    summary: 'The administering site has a ZIP code but no county.',
    source: 'CDC CVRS validator',
    cdc: 'BUSR010',
  },
  BUSR011: {
    severity: 'error',
    summary: 'The date of birth is in the future (after today in California).',
    source: 'CDC CVRS validator',
    cdc: 'BUSR011',
  },
  BUSR012: {
    severity: 'error',
    summary: 'The administration date is in the future (after today in California).',
    source: 'CDC CVRS validator',
    cdc: 'BUSR012',
  },
  BUSR013: {
    severity: 'error',
    summary:
      'A vax_event_id (compared without regard to case) comes again in one submission or file with different content. Warning only: an exact repeat of an earlier row, which CDC refuses too but we count once, as a duplicate.',
    source: 'CDC CVRS validator',
    cdc: 'BUSR013',
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
  STK003: {
    severity: 'error',
    summary: 'A date of a receipt, wastage report or lot is not a real date written YYYY-MM-DD.',
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
  STK008: {
    severity: 'error',
    summary:
      'An NDC that is not a COVID-19 vaccine in the code set (or a carton with several vials), or an unknown loss reason.',
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
  STK012: {
    severity: 'error',
    summary: 'A record_id comes more than once in one wastage file.',
    source: 'Pipeline',
  },
  STK013: {
    severity: 'error',
    summary: 'A field a receipt, transfer, wastage report or lot record needs is empty.',
    source: 'Pipeline',
  },
  STK014: {
    severity: 'error',
    summary:
      'A stock value has the wrong type or form (not text, not an NDC, a malformed lot number or record_id, too long).',
    source: 'Pipeline',
  },
  STK015: {
    severity: 'warning',
    summary:
      "A receipt from a site of the same organization that the calling key does not act for (a client site naming another client, or its sending facility): recorded here only, and nothing is taken from the sender. Only a key acting for the sender (its own, or its sending facility's) writes the transfer out of its stock: the sender reports it (POST /v1/inventory/transfers), or the sending facility sends the receipt.",
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

export type RuleCode = keyof typeof RULES;

/**
 * Most characters of a submitted value a finding repeats (issue 18): a longer one is cut here and the message
 * says how long it was, so a finding stays small however large the input; a field name of 200 KB must not make
 * a 400 KB stored item. Identifying values are never repeated at all (fields.ts NOT_ECHOED_FIELDS).
 */
export const MAX_ECHO = 64;

/**
 * Any submitted text as it may appear in a finding: characters no outbound format carries (controls,
 * noncharacters, lone surrogates; see DQ029), and tabs and line breaks, shown as `\uXXXX`; at most MAX_ECHO
 * characters of it, then `…`. Never cuts a surrogate pair in half.
 */
export function shown(value: string): string {
  let out = '';
  let count = 0;
  for (const ch of value) {
    if (count === MAX_ECHO) return `${out}…`;
    out += displayable(ch);
    count++;
  }
  return out;
}

/** `"value"` for a message, cut as `shown` cuts it; a cut value says its whole length. */
export function echo(value: string): string {
  let length = 0;
  for (const _ of value) length++;
  return length > MAX_ECHO ? `"${shown(value)}" (${length} characters)` : `"${shown(value)}"`;
}

function displayable(ch: string): string {
  const c = ch.codePointAt(0)!;
  const hidden =
    c < 0x20 ||
    (c >= 0x7f && c <= 0x9f) ||
    c === 0x2028 ||
    c === 0x2029 ||
    (c >= 0xd800 && c <= 0xdfff) ||
    isNoncharacter(c);
  if (!hidden) return ch;
  const hex = c.toString(16).toUpperCase();
  return c > 0xffff ? `\\u{${hex}}` : `\\u${hex.padStart(4, '0')}`;
}

/** Unicode's 66 noncharacters: U+FDD0–U+FDEF and the last two code points of every plane. */
export function isNoncharacter(c: number): boolean {
  return (c >= 0xfdd0 && c <= 0xfdef) || (c & 0xfffe) === 0xfffe;
}

/** A finding at its rule's severity, or at `severity` where intake is more lenient than CDC on this input. */
export function finding(code: RuleCode, field: string, message: string, severity?: Severity): Finding {
  return { code, severity: severity ?? RULES[code].severity, field, message };
}

export function hasError(findings: readonly Finding[]): boolean {
  for (const f of findings) if (f.severity === 'error') return true;
  return false;
}
