import { hashSecret, parseKey, sameSecret } from './keys.ts';
import { getKey } from './store.ts';

/** Whose a site key is, or why it is no one's: the reason becomes the 401's message (platform/http/request.ts). */
export type KeyCheck =
  | { ok: true; iis_id: string }
  | { ok: false; reason: 'malformed' | 'unknown' | 'revoked' };

/** The one check of a site key, for the API's bearer keys and the SOAP service's passwords alike. */
export async function checkSiteKey(token: string): Promise<KeyCheck> {
  const parsed = parseKey(token);
  if (!parsed) return { ok: false, reason: 'malformed' };
  const key = await getKey(parsed.keyId);
  if (!key || !sameSecret(key.hash, hashSecret(parsed.secret))) return { ok: false, reason: 'unknown' };
  if (key.status !== 'active') return { ok: false, reason: 'revoked' };
  return { ok: true, iis_id: key.iis_id };
}

/** What a SOAP submitSingleMessage says of its caller (CDC IIS WSDL). */
export interface Credentials {
  username: string;
  password: string;
  facilityID: string;
}

/**
 * The site whose active key the password is, if the username names that site and facilityID is that site or
 * empty. Lengths are checked before the key is looked up: an Org Code is at most 20 characters, a key far
 * less than 256.
 */
export async function authenticateCredentials(c: Credentials): Promise<string | undefined> {
  const username = c.username.trim().toUpperCase();
  const facility = c.facilityID.trim().toUpperCase();
  const password = c.password.trim();
  if (username.length > 20 || facility.length > 20 || password.length > 256) return undefined;
  const key = await checkSiteKey(password);
  if (!key.ok) return undefined;
  if (username !== key.iis_id || (facility !== '' && facility !== key.iis_id)) return undefined;
  return key.iis_id;
}

/** Whether two readings of a request's credentials (its head, then the whole parsed envelope) name one caller. */
export function sameCredentials(a: Credentials, b: Credentials): boolean {
  return (
    a.username.trim().toUpperCase() === b.username.trim().toUpperCase() &&
    a.password.trim() === b.password.trim() &&
    a.facilityID.trim().toUpperCase() === b.facilityID.trim().toUpperCase()
  );
}
