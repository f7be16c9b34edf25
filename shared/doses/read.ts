import { type Caller, resolveSites } from '#sites/access.ts';
import type { Site } from '#sites/site.ts';
import { type DoseVersion, getHead } from './store.ts';

/**
 * The current version of a dose the caller may read, and its site. Another site's dose is not read at all: it
 * answers as one never stored, so a caller learns nothing of the IDs other sites use.
 */
export async function readDose(
  caller: Caller,
  iisId: string,
  vaxEventId: string,
): Promise<{ head: DoseVersion; site: Site | undefined } | undefined> {
  const access = await resolveSites(caller, [iisId]);
  if (!access.ok) return undefined;
  const head = await getHead(iisId, vaxEventId);
  return head ? { head, site: access.sites.get(iisId) } : undefined;
}
