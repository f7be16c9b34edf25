/**
 * The contracts between the parts of the consolidated record (issue 14): matching (match/), the series rules and
 * forecast (forecast.ts), the HL7 query codec (#codecs/hl7/qbp.ts, rsp.ts), the person store and the API. Plain
 * types only, so every part can be written and tested on its own.
 */

/** A site's own identifier of a patient: its CAIR Org Code and its patient ID (CVRS recip_id, HL7 PID-3 MR). */
export interface SitePatientId {
  iis_id: string;
  recip_id: string;
}

/**
 * What identifies a person on one dose, normalized for matching (upper case, trimmed, no punctuation
 * differences that carry no meaning). Every field but the names and DOB may be missing.
 */
export interface Demographics {
  first: string;
  middle?: string;
  last: string;
  /** YYYY-MM-DD */
  dob: string;
  /** F, M, X, U as reported (U is treated as missing). */
  sex?: string;
  street?: string;
  city?: string;
  county?: string;
  state?: string;
  /** Five digits. */
  zip?: string;
  phone?: string;
  email?: string;
  /** The site's patient ID, when the dose came with one. */
  site_patient?: SitePatientId;
}

/** A person as matching sees one: the demographic variants of their linked doses (most recent first). */
export interface PersonCandidate {
  person_id: string;
  variants: readonly Demographics[];
}

/** What the matcher decides for one dose's demographics against the candidates its blocking keys found. */
export type MatchDecision =
  | { kind: 'link'; person_id: string; score: number; rule: string }
  | { kind: 'review'; candidates: readonly { person_id: string; score: number }[] }
  | { kind: 'new' };

/** What a search (API or QBP) is given: names, DOB and sex at least; ZIP or a site's patient ID narrows it. */
export interface PersonQuery {
  first: string;
  middle?: string;
  last: string;
  dob: string;
  sex?: string;
  zip?: string;
  street?: string;
  city?: string;
  state?: string;
  phone?: string;
  mother_maiden_last?: string;
  site_patient?: SitePatientId;
}

/** A search never lists people: one identified person, several possible (nobody disclosed), or nobody. */
export type SearchDecision =
  | { kind: 'one'; person_id: string; score: number }
  | { kind: 'several'; count: number }
  | { kind: 'none' };

/** One dose of a person as the record and the forecast see it (one per reporting site before collapsing). */
export interface PersonDose {
  iis_id: string;
  vax_event_id: string;
  admin_date: string;
  cvx?: string;
  mvx?: string;
  ndc?: string;
  lot_number?: string;
  /** As reported by the site (CVRS dose_num), not as evaluated. */
  dose_num?: string;
  /** As reported (CVRS vax_series_complete: YES, NO, UNK). */
  vax_series_complete?: string;
  /** A refusal: no product given. */
  refusal?: boolean;
  historical?: boolean;
  /** When the pipeline stored this version (ISO). */
  stored_at: string;
  registry_status?: string;
  cdc_status?: string;
}

/** A dose of the consolidated record: the same dose reported by several sites collapsed into one. */
export interface RecordDose extends PersonDose {
  /** Every (site, event) that reported this dose, the first (the one shown) included. */
  reported_by: readonly { iis_id: string; vax_event_id: string }[];
  evaluation: DoseEvaluation;
}

export interface DoseEvaluation {
  /** Counted toward the series. */
  valid: boolean;
  /** Position in the series when valid (1, 2, …). */
  series_dose?: number;
  /** Why not valid, e.g. "given 10 days after dose 1; the minimum for Pfizer is 17 days". */
  reason?: string;
  /** Which rule (series id) evaluated it. */
  series?: string;
}

/** What is due next for a person's COVID-19 series. */
export interface Forecast {
  /** Series rule applied (see series.ts), or undefined when no dose is on record. */
  series?: string;
  status: 'complete' | 'due' | 'not_yet_due' | 'overdue' | 'not_started';
  /** The dose number due next (2 after a first dose of a two-dose series). */
  next_dose?: number;
  /** First day the next dose counts (minimum interval less grace). */
  earliest?: string;
  /** Recommended day. */
  due?: string;
  /** After this day the dose is overdue. */
  overdue_after?: string;
  /** CVX of the product to use for the next dose (the series' product). */
  cvx?: string;
}

/** A check of what a site reported against the consolidated record (a warning finding). */
export interface RecordCheck {
  iis_id: string;
  vax_event_id: string;
  code: string;
  field: 'dose_num' | 'vax_series_complete' | 'admin_date';
  message: string;
}
