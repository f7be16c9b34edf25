/**
 * COVID-19 CVX codes that a California site cannot have administered (domain.md): 210 and 225/226 were never
 * authorized in the US, 500–521 are non-US products. 213 "unspecified" is for historical records, not for a
 * dose the reporting site gave. Data, so it can change without touching the rules.
 */
export const NOT_US_AUTHORIZED_CVX: ReadonlySet<string> = new Set([
  '210',
  '225',
  '226',
  ...Array.from({ length: 22 }, (_, i) => String(500 + i)),
]);

export const HISTORICAL_ONLY_CVX: ReadonlySet<string> = new Set(['213']);
