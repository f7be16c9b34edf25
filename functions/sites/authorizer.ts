import type {
  APIGatewayRequestAuthorizerEventV2,
  APIGatewaySimpleAuthorizerWithContextResult,
} from 'aws-lambda';
import { looksLikeJwt, verifyAccessToken } from '#auth/verify-token.ts';
import { getSecret } from '#platform/aws/secrets.ts';
import { AUTH_ENV, SECRET_ENV } from '#platform/env-names.ts';
import { errorSummary, logger } from '#platform/logger.ts';
import { checkSiteKey } from '#sites/authenticate.ts';
import { bearerToken, sameSecret } from '#sites/keys.ts';

type AuthContext =
  | { role: 'admin'; via: 'key' | 'token'; read_only?: boolean }
  | { role: 'program'; via: 'token'; read_only: true }
  | { role: 'site'; iis_id: string; via: 'key' | 'token'; sites?: string; read_only?: boolean }
  | { role: 'none'; reason: string; message?: string };
type Answer = APIGatewaySimpleAuthorizerWithContextResult<AuthContext>;

/**
 * Resolves `Authorization: Bearer <key or token>` to the admin role, program staff or a site. An API key is
 * looked up; an access token (a JWT, docs/sign-in.md) is verified against the sign-in provider's keys. An
 * invalid credential is still let through with role "none" and the reason, so the route answers 401 with a
 * message saying what is wrong (API Gateway's own deny is a bare 403). API Gateway answers 401 itself when the
 * header is missing.
 */
export const handler = async (event: APIGatewayRequestAuthorizerEventV2): Promise<Answer> => {
  const token = bearerToken(event.identitySource?.[0] ?? event.headers?.authorization);
  if (!token) return none('malformed');
  if (looksLikeJwt(token)) return fromToken(token);
  if (sameSecret(token, await getSecret(SECRET_ENV.adminKey)))
    return { isAuthorized: true, context: { role: 'admin', via: 'key' } };
  try {
    const key = await checkSiteKey(token);
    if (!key.ok) return none(key.reason);
    return { isAuthorized: true, context: { role: 'site', iis_id: key.iis_id, via: 'key' } };
  } catch (err) {
    // Fail closed, and uncached: a thrown authorizer error is a 500 that API Gateway does not cache, where a
    // deny would be cached for the TTL and lock the site out after the fault has passed.
    logger.error('authorizer lookup failed', errorSummary(err));
    throw err;
  }
};

function none(reason: string, message?: string): Answer {
  return { isAuthorized: true, context: { role: 'none', reason, ...(message ? { message } : {}) } };
}

const audiences = (value: string | undefined) =>
  (value ?? '')
    .split(',')
    .map((a) => a.trim())
    .filter(Boolean);

async function fromToken(token: string): Promise<Answer> {
  const issuer = process.env[AUTH_ENV.issuer];
  const config = issuer ? { issuer, audiences: audiences(process.env[AUTH_ENV.audience]) } : undefined;
  let check: Awaited<ReturnType<typeof verifyAccessToken>>;
  try {
    check = await verifyAccessToken(token, config);
  } catch (err) {
    // The provider's keys could not be read: fail closed and uncached, as for a key lookup.
    logger.error('authorizer token keys unavailable', errorSummary(err));
    throw err;
  }
  if (!check.ok) return none(check.reason, check.message);
  const c = check.caller;
  if (c.role === 'program')
    return { isAuthorized: true, context: { role: 'program', via: 'token', read_only: true } };
  if (c.role === 'admin')
    return { isAuthorized: true, context: { role: 'admin', via: 'token', read_only: c.readOnly } };
  return {
    isAuthorized: true,
    context: {
      role: 'site',
      iis_id: c.sites[0]!,
      sites: c.sites.join(' '),
      via: 'token',
      read_only: c.readOnly,
    },
  };
}
