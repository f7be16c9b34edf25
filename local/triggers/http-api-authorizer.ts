/** The HTTP API's Lambda authorizer: payload 2.0, simple responses, answers cached per identity source. */
import type { Invoker } from '../lambda.ts';
import type { Logger } from '../log.ts';

interface AuthorizerAnswer {
  isAuthorized: boolean;
  context: unknown;
  expiresAt: number;
}

/** The part of the API settings the authorizer reads. */
export interface AuthorizerSettings {
  /** Function that authorizes every non-public route. */
  authorizer: string;
  authorizerCacheTtlSeconds: number;
}

export function createAuthorizer(api: AuthorizerSettings, invoker: Invoker, logger: Logger) {
  const authorizerCache = new Map<string, AuthorizerAnswer>();

  async function authorize(
    identity: string,
    event: Record<string, unknown>,
  ): Promise<{ isAuthorized: boolean; context: unknown } | 'error'> {
    const now = Date.now();
    const cached = authorizerCache.get(identity);
    if (cached && cached.expiresAt > now) return cached;
    let answer: unknown;
    try {
      answer = await invoker.invoke(api.authorizer, event);
    } catch {
      return 'error'; // logged by the invoker
    }
    if (
      answer === null ||
      typeof answer !== 'object' ||
      typeof (answer as { isAuthorized?: unknown }).isAuthorized !== 'boolean'
    ) {
      logger(`[local] authorizer ${api.authorizer} returned a malformed simple response`);
      return 'error';
    }
    const { isAuthorized, context } = answer as { isAuthorized: boolean; context?: unknown };
    const result = { isAuthorized, context: context ?? null };
    if (api.authorizerCacheTtlSeconds > 0) {
      authorizerCache.set(identity, {
        ...result,
        expiresAt: Date.now() + api.authorizerCacheTtlSeconds * 1000,
      });
    }
    return result;
  }

  return { authorize, clear: () => authorizerCache.clear() };
}
