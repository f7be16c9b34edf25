import { checkIdentifier } from '#platform/http/identifiers.ts';
import { HttpError } from '#platform/http/response.ts';
import { type Caller, resolveSites } from '#sites/access.ts';

/**
 * The site a request records for (or reads the beyond-use dates of): the caller's own, or a client site a sending
 * facility names with ?iis_id=. The admin key records no stock. `what` starts the 403's message ("Wastage is
 * reported").
 */
export async function actingSite(caller: Caller, asked: string | undefined, what: string): Promise<string> {
  if (caller.role !== 'site' || !caller.iis_id)
    throw new HttpError(
      403,
      'AUTH002',
      'authorization',
      `${what} with the site's own key (or its sending facility's), not the admin key.`,
    );
  const named = checkIdentifier('iis_id', asked?.trim());
  const target = (named || caller.iis_id).toUpperCase();
  const access = await resolveSites(caller, [target]);
  if (!access.ok)
    throw new HttpError(
      403,
      'AUTH004',
      'iis_id',
      `Your key may record stock for ${caller.iis_id} and the sites that name it as their sending facility, not for ${target}.`,
    );
  return target;
}
