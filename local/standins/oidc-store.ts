/**
 * What the local OpenID provider keeps: its artifacts (sessions, interactions, codes, grants, tokens) in memory,
 * and its signing key, made at start and kept in a directory when one is given, so that tokens issued before a
 * restart still verify after it.
 */
import { generateKeyPairSync, type JsonWebKey } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { calculateJwkThumbprint } from 'jose';
import type { Adapter, AdapterPayload } from 'oidc-provider';

interface Entry {
  payload: AdapterPayload;
  /** Epoch milliseconds; Infinity when the artifact does not expire. */
  expiresAt: number;
}

/**
 * A Map per provider (oidc-provider's own memory adapter prints a warning at start, and is one store per process).
 * Artifacts expire when oidc-provider says; grants are indexed to revoke their tokens with them.
 */
export function memoryAdapter(): (model: string) => Adapter {
  const store = new Map<string, Entry>();
  const byUid = new Map<string, string>();
  const byUserCode = new Map<string, string>();
  const byGrant = new Map<string, Set<string>>();
  const live = (key: string | undefined): AdapterPayload | undefined => {
    if (key === undefined) return undefined;
    const entry = store.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= Date.now()) {
      store.delete(key);
      return undefined;
    }
    return entry.payload;
  };
  return (model) => {
    const key = (id: string) => `${model}:${id}`;
    return {
      async upsert(id, payload, expiresIn) {
        const expiresAt = typeof expiresIn === 'number' ? Date.now() + expiresIn * 1000 : Infinity;
        store.set(key(id), { payload, expiresAt });
        if (model === 'Session' && payload.uid) byUid.set(payload.uid, id);
        if (payload.userCode) byUserCode.set(payload.userCode, id);
        if (payload.grantId) {
          const members = byGrant.get(payload.grantId) ?? new Set();
          members.add(key(id));
          byGrant.set(payload.grantId, members);
        }
      },
      async find(id) {
        return live(key(id));
      },
      async findByUid(uid) {
        const id = byUid.get(uid);
        return id === undefined ? undefined : live(key(id));
      },
      async findByUserCode(userCode) {
        const id = byUserCode.get(userCode);
        return id === undefined ? undefined : live(key(id));
      },
      async consume(id) {
        const payload = live(key(id));
        if (payload) payload.consumed = Math.floor(Date.now() / 1000);
      },
      async destroy(id) {
        store.delete(key(id));
      },
      async revokeByGrantId(grantId) {
        for (const member of byGrant.get(grantId) ?? []) store.delete(member);
        byGrant.delete(grantId);
      },
    };
  };
}

/** One key per process for providers without a key directory: making an RSA key takes a moment. */
let processKey: JsonWebKey | undefined;

/**
 * The provider's RS256 signing key as a private JWK with its `kid` (the key's thumbprint): read from
 * `${dir}/signing-key.json`, else made and written there (owner-only); per process when there is no directory.
 */
export async function signingKey(dir: string | undefined): Promise<JsonWebKey> {
  if (!dir) {
    processKey ??= await newKey();
    return processKey;
  }
  const file = join(dir, 'signing-key.json');
  if (existsSync(file)) {
    try {
      const stored = JSON.parse(readFileSync(file, 'utf8')) as JsonWebKey;
      if (stored.kty === 'RSA' && stored.d && stored.kid) return stored;
    } catch {
      // Unreadable: replaced below.
    }
  }
  const made = await newKey();
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  writeFileSync(file, `${JSON.stringify(made)}\n`, { mode: 0o600 });
  return made;
}

async function newKey(): Promise<JsonWebKey> {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = privateKey.export({ format: 'jwk' });
  const kid = await calculateJwkThumbprint({ kty: 'RSA', e: jwk.e!, n: jwk.n! });
  return { ...jwk, kid, alg: 'RS256', use: 'sig' };
}
