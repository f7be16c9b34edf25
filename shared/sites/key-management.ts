import { issueKey } from './keys.ts';
import { addKey, revokeKeys } from './store.ts';

/** Stores a new active key for the site and answers it: the only time the key itself is seen. */
export async function issueSiteKey(iisId: string, at: string): Promise<{ apiKey: string; keyId: string }> {
  const key = issueKey();
  await addKey({ keyId: key.keyId, iis_id: iisId, hash: key.hash, status: 'active' }, at);
  return { apiKey: key.apiKey, keyId: key.keyId };
}

/**
 * A new key, then every other key revoked: in that order, so a failure between the two leaves the site with
 * an extra key rather than none.
 */
export async function rotateKeys(iisId: string, at: string): Promise<{ apiKey: string; revoked: number }> {
  const key = await issueSiteKey(iisId, at);
  return { apiKey: key.apiKey, revoked: await revokeKeys(iisId, at, key.keyId) };
}
