import type {
  APIGatewayRequestAuthorizerEventV2,
  APIGatewaySimpleAuthorizerWithContextResult,
} from 'aws-lambda';
import { getSecret } from '#platform/aws/secrets.ts';
import { SECRET_ENV } from '#platform/env-names.ts';
import { errorSummary, logger } from '#platform/logger.ts';
import { checkSiteKey } from '#sites/authenticate.ts';
import { bearerToken, sameSecret } from '#sites/keys.ts';

type AuthContext = { role: 'admin' } | { role: 'site'; iis_id: string } | { role: 'none'; reason: string };
type Answer = APIGatewaySimpleAuthorizerWithContextResult<AuthContext>;

/**
 * Resolves `Authorization: Bearer <key>` to the admin role or a site. An invalid key is still let through
 * with role "none" and the reason, so the route answers 401 with a message saying what is wrong with the key
 * (API Gateway's own deny is a bare 403). API Gateway answers 401 itself when the header is missing.
 */
export const handler = async (event: APIGatewayRequestAuthorizerEventV2): Promise<Answer> => {
  const token = bearerToken(event.identitySource?.[0] ?? event.headers?.authorization);
  if (!token) return none('malformed');
  if (sameSecret(token, await getSecret(SECRET_ENV.adminKey)))
    return { isAuthorized: true, context: { role: 'admin' } };
  try {
    const key = await checkSiteKey(token);
    if (!key.ok) return none(key.reason);
    return { isAuthorized: true, context: { role: 'site', iis_id: key.iis_id } };
  } catch (err) {
    // Fail closed, and uncached: a thrown authorizer error is a 500 that API Gateway does not cache, where a
    // deny would be cached for the TTL and lock the site out after the fault has passed.
    logger.error('authorizer lookup failed', errorSummary(err));
    throw err;
  }
};

function none(reason: string): Answer {
  return { isAuthorized: true, context: { role: 'none', reason } };
}
