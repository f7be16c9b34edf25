import type { Site } from '../domain/site.ts';
import { getSite } from '../store/sites.ts';

/** Who is calling, as the authorizer established it. */
export interface Caller {
  role: 'site' | 'admin';
  /** The caller's own site (absent for the admin). */
  iis_id?: string;
}

export type SiteAccess = { ok: true; sites: Map<string, Site> } | { ok: false; iis_id: string };

/**
 * The sites a caller may act for among `iisIds`: its own, and those that name it as their sending facility.
 * Anything else is refused as a whole: a batch is not half-authorized.
 */
export async function resolveSites(
  caller: Caller,
  iisIds: Iterable<string>,
  lookup: (iisId: string) => Promise<Site | undefined> = getSite,
): Promise<SiteAccess> {
  const sites = new Map<string, Site>();
  for (const id of new Set(iisIds)) {
    const site = caller.iis_id ? await lookup(id) : undefined;
    if (!site || (id !== caller.iis_id && site.sending_facility_iis_id !== caller.iis_id))
      return { ok: false, iis_id: id };
    sites.set(id, site);
  }
  return { ok: true, sites };
}
