/**
 * Minimum intervals of the primary series, by manufacturer: Pfizer 21 days, Moderna 28 (CDC clinical
 * considerations). Newer schedules are unconfirmed, so an early dose only ever warns; this table is data so a
 * deployment can change it without touching the rules.
 */
export const MINIMUM_INTERVAL_DAYS: Readonly<Record<string, number>> = {
  PFR: 21,
  MOD: 28,
};

/** Manufacturer of COVID-19 CVX codes when a dose names no MVX (primary-series products only). */
const CVX_MANUFACTURER: Readonly<Record<string, string>> = {
  '207': 'MOD',
  '221': 'MOD',
  '227': 'MOD',
  '228': 'MOD',
  '208': 'PFR',
  '217': 'PFR',
  '218': 'PFR',
  '219': 'PFR',
};

function maker(d: { cvx?: string; mvx?: string }): string | undefined {
  return d.mvx ?? (d.cvx ? CVX_MANUFACTURER[d.cvx] : undefined);
}

/** The interval that applies between two doses, or undefined when no rule applies (e.g. mixed products). */
export function minimumIntervalDays(
  previous: { cvx?: string; mvx?: string },
  next: { cvx?: string; mvx?: string },
): number | undefined {
  const a = maker(previous);
  const b = maker(next);
  if (!a || a !== b) return undefined;
  return MINIMUM_INTERVAL_DAYS[a];
}
