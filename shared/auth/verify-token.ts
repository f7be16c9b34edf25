/**
 * OAuth 2.0 access tokens from the OpenID Connect provider (issue 16; docs/sign-in.md): Cognito in AWS, the
 * local provider of `npm start`. The signature is checked against the provider's published keys (found through
 * its discovery document, cached), then the issuer, audience, use and lifetime; the `dp_*` claims say who the
 * caller is. Every refusal names what is wrong, so a person or an integrator can fix it.
 */
import { createRemoteJWKSet, errors, type JWTPayload, jwtVerify } from 'jose';

export type TokenRole = 'site' | 'program' | 'admin';

export interface TokenCaller {
  role: TokenRole;
  /** The CAIR Org Codes a site token may act for (the first is its default site). */
  sites: string[];
  readOnly: boolean;
  /** Who (the token's subject), for logs and audit: never a name. */
  subject: string;
}

export type TokenCheck = { ok: true; caller: TokenCaller } | { ok: false; reason: string; message: string };

export interface TokenConfig {
  issuer: string;
  /** Accepted audiences: the API's resource indicator, or Cognito app client ids. */
  audiences: readonly string[];
}

/** Clock leeway: a token a few seconds from expiry on a slow clock is still good. */
const LEEWAY_SECONDS = 30;
const ROLES: readonly string[] = ['site', 'program', 'admin'];

type KeySet = ReturnType<typeof createRemoteJWKSet>;
const keySets = new Map<string, Promise<KeySet>>();

/** The provider's key set, from its discovery document (once per issuer per process; jose caches the keys). */
function keySetOf(issuer: string, fetcher: typeof fetch): Promise<KeySet> {
  let set = keySets.get(issuer);
  if (!set) {
    set = (async () => {
      const res = await fetcher(`${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`);
      if (!res.ok) throw new Error(`discovery answered ${res.status}`);
      const { jwks_uri } = (await res.json()) as { jwks_uri?: string };
      if (!jwks_uri) throw new Error('discovery names no jwks_uri');
      return createRemoteJWKSet(new URL(jwks_uri));
    })();
    keySets.set(issuer, set);
    // A failed discovery is not remembered: the next token tries again.
    set.catch(() => keySets.delete(issuer));
  }
  return set;
}

/** Whether a bearer value is a JWT (three dot-separated parts) rather than an API key. */
export const looksLikeJwt = (value: string) => /^[\w-]+\.[\w-]+\.[\w-]+$/.test(value);

export async function verifyAccessToken(
  token: string,
  config: TokenConfig | undefined,
  options: { fetcher?: typeof fetch; now?: Date } = {},
): Promise<TokenCheck> {
  if (!config)
    return refuse('not-configured', 'Sign-in with tokens is not set up for this API: use your API key.');
  const keys = await keySetOf(config.issuer, options.fetcher ?? fetch);
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, keys, {
      issuer: config.issuer,
      algorithms: ['RS256'],
      clockTolerance: LEEWAY_SECONDS,
      ...(options.now ? { currentDate: options.now } : {}),
    }));
  } catch (err) {
    return refusal(err, config);
  }
  // Cognito access tokens name their app client in client_id; other providers put the audience in aud.
  const aud = payload.aud === undefined ? [] : Array.isArray(payload.aud) ? payload.aud : [payload.aud];
  const clientId = typeof payload.client_id === 'string' ? [payload.client_id] : [];
  if (![...aud, ...clientId].some((a) => config.audiences.includes(a)))
    return refuse(
      'audience',
      'This token was issued for another application, not this API: sign in to this one.',
    );
  if (payload.token_use !== undefined && payload.token_use !== 'access')
    return refuse('token-use', 'This is an ID token; send the access token from the same sign-in instead.');
  const role = payload.dp_role;
  if (typeof role !== 'string' || !ROLES.includes(role))
    return refuse(
      'no-role',
      'This sign-in has no role in this pipeline yet: ask your administrator for access.',
    );
  const sites = typeof payload.dp_sites === 'string' ? payload.dp_sites.split(/\s+/).filter(Boolean) : [];
  if (role === 'site' && sites.length === 0)
    return refuse(
      'no-site',
      'This sign-in names no site to act for: ask your administrator to add your site.',
    );
  return {
    ok: true,
    caller: {
      role: role as TokenRole,
      sites: role === 'site' ? sites : [],
      readOnly: role === 'program' || payload.dp_access !== 'write',
      subject: String(payload.sub ?? payload.client_id ?? 'unknown'),
    },
  };
}

function refusal(err: unknown, config: TokenConfig): TokenCheck {
  if (err instanceof errors.JWTExpired) {
    const exp =
      typeof err.payload.exp === 'number' ? new Date(err.payload.exp * 1000).toISOString() : 'earlier';
    return refuse('expired', `This token expired at ${exp}: sign in again (or request a new token).`);
  }
  if (err instanceof errors.JWTClaimValidationFailed) {
    if (err.claim === 'iss')
      return refuse('issuer', `This token was not issued by this pipeline's sign-in (${config.issuer}).`);
    if (err.claim === 'nbf')
      return refuse('not-yet', 'This token is not valid yet: check the clock of the issuer.');
    return refuse('claims', `This token's ${err.claim} claim is not acceptable.`);
  }
  if (err instanceof errors.JWSSignatureVerificationFailed || err instanceof errors.JWKSNoMatchingKey)
    return refuse(
      'signature',
      "This token's signature does not verify with the sign-in's keys: it was altered or forged.",
    );
  if (err instanceof errors.JOSEAlgNotAllowed)
    return refuse('algorithm', 'This token is not signed with RS256, the only algorithm this API accepts.');
  if (err instanceof errors.JWSInvalid || err instanceof errors.JWTInvalid)
    return refuse('malformed-token', 'This is not a well-formed token: send the access token whole.');
  throw err;
}

const refuse = (reason: string, message: string): TokenCheck => ({ ok: false, reason, message });
