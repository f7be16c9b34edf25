import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Site keys look like `cak_<keyId>.<secret>`: the key id finds the stored record in one read, the secret is
 * 256 random bits. Only SHA-256 of the secret is stored; with that much entropy a slow hash adds nothing.
 */
const PREFIX = 'cak_';
const FORMAT = /^cak_([a-f0-9]{16})\.([A-Za-z0-9_-]{43})$/;

export interface IssuedKey {
  keyId: string;
  apiKey: string;
  hash: string;
}

export function issueKey(): IssuedKey {
  const keyId = randomBytes(8).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  return { keyId, apiKey: `${PREFIX}${keyId}.${secret}`, hash: hashSecret(secret) };
}

export function parseKey(token: string): { keyId: string; secret: string } | undefined {
  const m = FORMAT.exec(token);
  return m ? { keyId: m[1]!, secret: m[2]! } : undefined;
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** Compares digests, not the strings themselves, so timing reveals nothing about either. */
export function sameSecret(a: string, b: string): boolean {
  const da = createHash('sha256').update(a).digest();
  const db = createHash('sha256').update(b).digest();
  return timingSafeEqual(da, db);
}

export function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return m?.[1];
}
