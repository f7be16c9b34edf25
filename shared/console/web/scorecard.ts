/**
 * A timeliness scorecard as the API gives it (shared/analytics/timeliness.ts, docs/analytics.md): a site's, or
 * the state's and others' with `by` and `key`. The console's DOM bundle does not import server modules, so the
 * answer's shape is declared here once for its pages.
 */
export interface Scorecard {
  by?: string;
  key?: string;
  week: string;
  submitted: number;
  accepted: number;
  rejected: number;
  rejection_rate: number | null;
  timed: number;
  within_24h: number | null;
  within_72h: number | null;
  median_delay_hours: number | null;
  warnings_per_100: number | null;
  top_codes: { code: string; count: number }[];
  registry_acceptance_rate: number | null;
  cdc_refused_share: number | null;
}
