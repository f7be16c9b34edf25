import { beforeEach, describe, expect, it, vi } from 'vitest';
import { issueKey } from '#sites/keys.ts';

/** The one check of a site key (issue 13): the authorizer's bearer keys and the SOAP service's passwords. */
const active = issueKey();
const revoked = issueKey();
const keys = new Map([
  [active.keyId, { keyId: active.keyId, iis_id: 'SITE1', hash: active.hash, status: 'active' as const }],
  [revoked.keyId, { keyId: revoked.keyId, iis_id: 'SITE1', hash: revoked.hash, status: 'revoked' as const }],
]);
const getKey = vi.fn(async (keyId: string) => keys.get(keyId));
vi.mock('#sites/store.ts', () => ({ getKey }));
const { authenticateCredentials, checkSiteKey, sameCredentials } = await import('#sites/authenticate.ts');

beforeEach(() => getKey.mockClear());

describe('checkSiteKey', () => {
  it('answers the site of an active key, and why any other token is no one’s', async () => {
    expect(await checkSiteKey(active.apiKey)).toEqual({ ok: true, iis_id: 'SITE1' });
    expect(await checkSiteKey(revoked.apiKey)).toEqual({ ok: false, reason: 'revoked' });
    expect(await checkSiteKey('not a key')).toEqual({ ok: false, reason: 'malformed' });
    expect(getKey).toHaveBeenCalledTimes(2);
    // The right key id with another secret: unknown, not revoked (nothing said about a key one cannot show).
    const forged = `${active.apiKey.slice(0, -4)}${active.apiKey.endsWith('aaaa') ? 'bbbb' : 'aaaa'}`;
    expect(await checkSiteKey(forged)).toEqual({ ok: false, reason: 'unknown' });
  });
});

describe('authenticateCredentials (SOAP)', () => {
  const creds = (o: Partial<{ username: string; password: string; facilityID: string }> = {}) => ({
    username: 'site1',
    password: ` ${active.apiKey} `,
    facilityID: '',
    ...o,
  });

  it('takes the key’s own site as username, facilityID empty or the same site, in any case and spacing', async () => {
    expect(await authenticateCredentials(creds())).toBe('SITE1');
    expect(await authenticateCredentials(creds({ facilityID: 'Site1 ' }))).toBe('SITE1');
  });

  it('refuses another site’s name, a revoked key, and over-long values without looking the key up', async () => {
    expect(await authenticateCredentials(creds({ username: 'SITE2' }))).toBeUndefined();
    expect(await authenticateCredentials(creds({ facilityID: 'SITE2' }))).toBeUndefined();
    expect(await authenticateCredentials(creds({ password: revoked.apiKey }))).toBeUndefined();
    getKey.mockClear();
    expect(await authenticateCredentials(creds({ username: 'S'.repeat(21) }))).toBeUndefined();
    expect(await authenticateCredentials(creds({ password: 'k'.repeat(257) }))).toBeUndefined();
    expect(getKey).not.toHaveBeenCalled();
  });

  it('sameCredentials: two readings name one caller however spaced and cased', () => {
    expect(sameCredentials(creds(), creds({ username: ' SITE1', password: active.apiKey }))).toBe(true);
    expect(sameCredentials(creds(), creds({ password: revoked.apiKey }))).toBe(false);
  });
});
