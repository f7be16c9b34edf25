import type {
  APIGatewayRequestAuthorizerEventV2,
  APIGatewaySimpleAuthorizerWithContextResult,
} from 'aws-lambda';
import { type AuthContext, tokenContext } from '#auth/token-context.ts';
import { looksLikeJwt } from '#auth/verify-token.ts';
import { getSecret } from '#platform/aws/secrets.ts';
import { SECRET_ENV } from '#platform/env-names.ts';
import { errorSummary, logger } from '#platform/logger.ts';
import { checkSiteKey } from '#sites/authenticate.ts';
import { bearerToken, sameSecret } from '#sites/keys.ts';

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
  if (looksLikeJwt(token)) return { isAuthorized: true, context: await tokenContext(token) };
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
