/**
 * Supply and allocation (issue 15), per site and per county: doses on hand (the roll-up's balances), the pace
 * (average doses given per day over the last 7 days), days of supply, the lots that would expire before they are
 * used at that pace, and a suggested reallocation for next week. docs/analytics.md "Supply" has a worked example.
 *
 * Lots are assumed used first-expiring-first (FEFO), at the site's pace, from the day after the report day. A
 * lot is expired on its expiration day (as the roll-up counts it), so its last usable day is the day before.
 */

import { addDays, daysBetween } from '#platform/dates.ts';
import { lotKey } from '#stock/rollup.ts';
import { CA_COUNTIES } from './bands.ts';
import { compareText, dimensionRank, UNKNOWN_COUNTY } from './cells.ts';
import { SUPPLY, type SupplyRule } from './config.ts';
import { NO_DENOMINATOR } from './coverage.ts';

/** One site × NDC × lot balance (the roll-up's Balance and StockRow fit). */
export interface OnHandRow {
  iis_id: string;
  ndc: string;
  lot_number: string;
  on_hand: number;
}

/** Doses a site gave on a day (uptake's SiteDayRow fits). */
export interface SiteDoses {
  iis_id: string;
  day: string;
  doses: number;
}

export interface SupplyInput {
  asOf: string;
  onHand: readonly OnHandRow[];
  given: readonly SiteDoses[];
  /** Lot expirations by `ndc|lot` (the roll-up's map). */
  expirations: ReadonlyMap<string, string>;
  sites: ReadonlyMap<string, { county: string }>;
  /** Per county: population − people with at least one dose; without denominators, leave out. */
  unvaccinated?: ReadonlyMap<string, number>;
  rule?: SupplyRule;
}

export interface LotOutlook {
  iis_id: string;
  ndc: string;
  lot_number: string;
  expiration: string;
  on_hand: number;
  /** Days the lot can still be given (from the day after the report day to the day before it expires). */
  usable_days: number;
  /** Doses still on hand when it expires, at the site's pace, lots used first-expiring-first. */
  at_risk: number;
}

export interface SiteSupply {
  iis_id: string;
  county: string;
  on_hand: number;
  /** Average doses given per day over the last paceDays days (2 decimals). */
  pace: number;
  /** on_hand ÷ pace (1 decimal); null when nothing was given (no pace to divide by). */
  days_of_supply: number | null;
  at_risk: number;
}

export interface CountySupply extends Omit<SiteSupply, 'iis_id'> {
  sites: number;
}

export interface CountyAllocation {
  county: string;
  unvaccinated: number;
  on_hand: number;
  pace: number;
  /** Unvaccinated people per dose on hand (2 decimals); null when none on hand (ranked first). */
  unvaccinated_per_dose: number | null;
  /** The county's part of the state's doses on hand, in proportion to its unvaccinated people. */
  fair_share: number;
  /** Doses below the fair share. */
  short: number;
  /** Doses above the fair share that the county would not give in keepDays at its pace either. */
  spare: number;
}

export interface Transfer {
  from: string;
  to: string;
  doses: number;
}

export interface Reallocation {
  /** Highest unvaccinated population per dose on hand first. */
  counties: CountyAllocation[];
  transfers: Transfer[];
}

export interface SupplyReport {
  as_of: string;
  sites: SiteSupply[];
  counties: CountySupply[];
  /** Lots with an expiration, at risk or not, by site then expiration. */
  lots: LotOutlook[];
  reallocation: Reallocation | typeof NO_DENOMINATOR;
}

const round = (x: number, places: number) => Math.round(x * 10 ** places) / 10 ** places;
const daysOfSupply = (onHand: number, pace: number) => (pace > 0 ? round(onHand / pace, 1) : null);

/**
 * Walks a site's lots in expiration order: each lot is given from the day the earlier ones are used up, at
 * `pace` doses a day, until it is used up or expires; what is left when it expires is at risk. An expired lot
 * takes no days, so the next lot starts where it would have.
 */
export function lotOutlook(
  asOf: string,
  pace: number,
  lots: readonly (OnHandRow & { expiration: string })[],
): LotOutlook[] {
  const sorted = [...lots].sort(
    (a, b) =>
      compareText(a.expiration, b.expiration) ||
      compareText(a.ndc, b.ndc) ||
      compareText(a.lot_number, b.lot_number),
  );
  let busy = 0; // days taken by the lots before
  return sorted.map((l) => {
    const usable_days = Math.max(0, daysBetween(asOf, l.expiration) - 1);
    const capacity = pace > 0 ? pace * Math.max(0, usable_days - busy) : 0;
    // Whole doses used; the part of a dose left over counts as at risk, so the risk is never understated.
    const used = Math.min(l.on_hand, Math.floor(capacity + 1e-9));
    if (pace > 0) busy += used / pace;
    return { ...l, usable_days, at_risk: l.on_hand - used };
  });
}

export function supply(input: SupplyInput): SupplyReport {
  const rule = input.rule ?? SUPPLY;
  const from = addDays(input.asOf, -(rule.paceDays - 1));
  const givenBySite = new Map<string, number>();
  for (const g of input.given)
    if (g.day >= from && g.day <= input.asOf)
      givenBySite.set(g.iis_id, (givenBySite.get(g.iis_id) ?? 0) + g.doses);
  const lotsBySite = new Map<string, OnHandRow[]>();
  for (const r of input.onHand) {
    if (r.on_hand <= 0) continue;
    const list = lotsBySite.get(r.iis_id) ?? [];
    list.push(r);
    lotsBySite.set(r.iis_id, list);
  }
  const siteIds = [...new Set([...lotsBySite.keys(), ...givenBySite.keys()])].sort(compareText);
  const sites: SiteSupply[] = [];
  const lots: LotOutlook[] = [];
  for (const iis_id of siteIds) {
    const own = lotsBySite.get(iis_id) ?? [];
    const pace = (givenBySite.get(iis_id) ?? 0) / rule.paceDays;
    const dated = own.flatMap((l) => {
      const expiration = input.expirations.get(lotKey(l.ndc, l.lot_number));
      return expiration ? [{ ...l, expiration }] : [];
    });
    const outlook = lotOutlook(input.asOf, pace, dated);
    lots.push(...outlook);
    const on_hand = own.reduce((s, l) => s + l.on_hand, 0);
    sites.push({
      iis_id,
      county: input.sites.get(iis_id)?.county ?? UNKNOWN_COUNTY,
      on_hand,
      pace: round(pace, 2),
      days_of_supply: daysOfSupply(on_hand, pace),
      at_risk: outlook.reduce((s, l) => s + l.at_risk, 0),
    });
  }
  const byCounty = new Map<string, { on_hand: number; given: number; at_risk: number; sites: number }>();
  for (const s of sites) {
    const c = byCounty.get(s.county) ?? { on_hand: 0, given: 0, at_risk: 0, sites: 0 };
    c.on_hand += s.on_hand;
    c.given += givenBySite.get(s.iis_id) ?? 0;
    c.at_risk += s.at_risk;
    c.sites += 1;
    byCounty.set(s.county, c);
  }
  const counties: CountySupply[] = [...byCounty.entries()]
    .sort(([a], [b]) => dimensionRank('county', a) - dimensionRank('county', b) || compareText(a, b))
    .map(([county, c]) => {
      const pace = c.given / rule.paceDays;
      return {
        county,
        on_hand: c.on_hand,
        pace: round(pace, 2),
        days_of_supply: daysOfSupply(c.on_hand, pace),
        at_risk: c.at_risk,
        sites: c.sites,
      };
    });
  return {
    as_of: input.asOf,
    sites,
    counties,
    lots,
    reallocation: input.unvaccinated ? reallocate(counties, input.unvaccinated, rule) : NO_DENOMINATOR,
  };
}

/**
 * Next week's suggestion. Each county's fair share of the state's doses on hand is in proportion to its
 * unvaccinated people. A county below it is short; a county above it has spare doses, but only those it would
 * not give itself in keepDays at its own pace. Spare doses go from the counties with the fewest unvaccinated
 * people per dose on hand to those with the most, until the shortfalls or the spare doses run out.
 */
export function reallocate(
  counties: readonly Pick<CountySupply, 'county' | 'on_hand' | 'pace'>[],
  unvaccinated: ReadonlyMap<string, number>,
  rule: SupplyRule = SUPPLY,
): Reallocation {
  const supplyOf = new Map(counties.map((c) => [c.county, c]));
  const rows = CA_COUNTIES.filter((c) => unvaccinated.has(c)).map((county) => ({
    county,
    unvaccinated: Math.max(0, unvaccinated.get(county) ?? 0),
    on_hand: supplyOf.get(county)?.on_hand ?? 0,
    pace: supplyOf.get(county)?.pace ?? 0,
  }));
  const stateOnHand = rows.reduce((s, r) => s + r.on_hand, 0);
  const stateUnvaccinated = rows.reduce((s, r) => s + r.unvaccinated, 0);
  const ranked: CountyAllocation[] = rows
    .map((r) => {
      const fair_share =
        stateUnvaccinated > 0 ? Math.round((stateOnHand * r.unvaccinated) / stateUnvaccinated) : 0;
      const keep = Math.ceil(rule.keepDays * r.pace);
      return {
        ...r,
        unvaccinated_per_dose: r.on_hand > 0 ? round(r.unvaccinated / r.on_hand, 2) : null,
        fair_share,
        short: Math.max(0, fair_share - r.on_hand),
        spare: Math.max(0, Math.min(r.on_hand - fair_share, r.on_hand - keep)),
      };
    })
    .sort((a, b) => need(b) - need(a) || compareText(a.county, b.county));
  const transfers: Transfer[] = [];
  const takers = ranked.filter((r) => r.short > 0).map((r) => ({ county: r.county, left: r.short }));
  const givers = ranked
    .filter((r) => r.spare > 0)
    .reverse()
    .map((r) => ({ county: r.county, left: r.spare }));
  let t = 0;
  let g = 0;
  while (t < takers.length && g < givers.length) {
    const taker = takers[t]!;
    const giver = givers[g]!;
    const doses = Math.min(taker.left, giver.left);
    transfers.push({ from: giver.county, to: taker.county, doses });
    taker.left -= doses;
    giver.left -= doses;
    if (taker.left === 0) t++;
    if (giver.left === 0) g++;
  }
  return { counties: ranked, transfers };
}

/** Unvaccinated per dose on hand; none on hand ranks above any ratio (then by unvaccinated people). */
function need(r: CountyAllocation): number {
  if (r.on_hand > 0) return r.unvaccinated / r.on_hand;
  return r.unvaccinated > 0 ? Number.MAX_SAFE_INTEGER / 2 + r.unvaccinated : 0;
}
