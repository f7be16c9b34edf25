import type { RuleInfo } from '../findings.ts';

/** Checks CDC's CVRS validator makes, with CDC's code, meaning, field and level (REQD, DNTS, DATA, BUSR). */
export const CDC_RULES = {
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
} as const satisfies Record<string, RuleInfo>;
