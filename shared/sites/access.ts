import type { Site } from './site.ts';
import { getSite } from './store.ts';

/** Who is calling, as the authorizer established it. */
export interface Caller {
  role: 'site' | 'admin';
  /** The caller's own site (absent for the admin). */
  iis_id?: string;
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
  for (const id of new Set(iisIds)) {
    const site = caller.iis_id ? await lookup(id) : undefined;
    if (!site || (id !== caller.iis_id && site.sending_facility_iis_id !== caller.iis_id)) forbidden.add(id);
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
