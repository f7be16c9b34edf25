import type { Site } from './site.ts';
import { getSite } from './store.ts';

/** Who is calling, as the authorizer established it. */
export interface Caller {
  /** A site (its key, or a person or client signed in for sites), program staff (statewide reads), the admin. */
  role: 'site' | 'program' | 'admin';
  /** The caller's own site (absent for the admin and program staff): a key's site, a token's first site. */
  iis_id?: string;
  /** Every site the caller acts for: a key's one site, or the sites of a sign-in (`dp_sites`). */
  sites?: readonly string[];
  /** A read-only sign-in: every write is refused (handler.ts). */
  readOnly?: boolean;
  /** How the caller proved who it is. */
  via?: 'key' | 'token';
}

/** The sites a caller acts for as its own (a sending facility acts for its clients too, see permittedSites). */
export const ownSites = (caller: Caller): readonly string[] =>
  caller.sites ?? (caller.iis_id ? [caller.iis_id] : []);

/** Statewide readers: the admin and program staff. */
export const statewide = (caller: Caller) => caller.role === 'admin' || caller.role === 'program';

/**
 * The site a write is recorded as made by (a dose version's submitted_by, an upload's created_by): the caller's
 * own site that acts for `site`, i.e. the site itself when it is one of the caller's own, else its sending
 * facility. For a key (one own site) that is always the key's site; a sign-in for several sites writing its
 * second site is recorded as that site, not as its first (issue 16).
 */
export function actingSite(caller: Caller, site: Pick<Site, 'iis_id' | 'sending_facility_iis_id'>): string {
  const own = ownSites(caller);
  if (own.includes(site.iis_id)) return site.iis_id;
  const facility = site.sending_facility_iis_id;
  if (facility !== undefined && own.includes(facility)) return facility;
  return caller.iis_id ?? '';
}

export type SiteAccess = { ok: true; sites: Map<string, Site> } | { ok: false; iis_id: string };

/** The sites among `iisIds` a caller may act for (its own, and those naming it as sending facility), and the rest. */
export async function permittedSites(
  caller: Caller,
  iisIds: Iterable<string>,
  lookup: (iisId: string) => Promise<Site | undefined> = getSite,
): Promise<{ sites: Map<string, Site>; forbidden: Set<string> }> {
  const sites = new Map<string, Site>();
  const forbidden = new Set<string>();
  const own = new Set(ownSites(caller));
  for (const id of new Set(iisIds)) {
    const site = own.size > 0 ? await lookup(id) : undefined;
    const facility = site?.sending_facility_iis_id;
    if (!site || (!own.has(id) && !(facility !== undefined && own.has(facility)))) forbidden.add(id);
    else sites.set(id, site);
  }
  return { sites, forbidden };
}

/** Like permittedSites, but a single forbidden site refuses the whole request: a batch is not half-authorized. */
export async function resolveSites(
  caller: Caller,
  iisIds: Iterable<string>,
  lookup: (iisId: string) => Promise<Site | undefined> = getSite,
): Promise<SiteAccess> {
  const { sites, forbidden } = await permittedSites(caller, iisIds, lookup);
  const [first] = forbidden;
  return first === undefined ? { ok: true, sites } : { ok: false, iis_id: first };
}
