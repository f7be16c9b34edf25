import type { RuleInfo } from '../findings.ts';

/** Vaccine accountability (STK): lots, beyond-use dates, receipts, transfers, wastage. */
export const STOCK_RULES = {
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
} as const satisfies Record<string, RuleInfo>;
