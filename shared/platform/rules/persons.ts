import type { RuleInfo } from '../findings.ts';

/**
 * The consolidated record (PER): what a site reported against every site's doses of the same person. Warnings
 * only: the record may be missing doses the site knows of, and newer schedules are unconfirmed.
 */
export const PERSON_RULES = {
  PER001: {
    severity: 'warning',
    summary:
      'vax_series_complete is YES, but with this dose the consolidated record does not have a complete series (e.g. one dose of a two-dose product).',
    source: 'Pipeline',
  },
  PER002: {
    severity: 'warning',
    summary:
      "dose_num differs from the dose's place in the series on the consolidated record (e.g. dose 1 when the person already had a valid dose at another site).",
    source: 'Pipeline',
  },
  PER003: {
    severity: 'warning',
    summary:
      'The dose was given before the minimum interval since the previous valid dose (less the 4-day grace period), so it does not count toward the series.',
    source: 'Pipeline',
  },
  PER004: {
    severity: 'warning',
    summary: 'vax_series_complete is NO, but with this dose the consolidated record has a complete series.',
    source: 'Pipeline',
  },
} as const satisfies Record<string, RuleInfo>;
