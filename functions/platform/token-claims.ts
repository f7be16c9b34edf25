/**
 * Cognito's pre-token-generation trigger (V3_0: sign-ins and client credentials): adds `dp_role`, `dp_sites` and
 * `dp_access` to the access token (shared/auth/token-claims.ts; docs/sign-in.md). It calls no AWS service.
 */
import type { PreTokenGenerationV2TriggerEvent, PreTokenGenerationV3TriggerEvent } from 'aws-lambda';
import { parseMachineClients, tokenClaims } from '#auth/token-claims.ts';
import { TOKEN_CLAIMS_ENV } from '#platform/env-names.ts';
import { logger } from '#platform/logger.ts';

type Event = PreTokenGenerationV2TriggerEvent | PreTokenGenerationV3TriggerEvent;

// Read once per container: the stack sets it at deploy time.
const clients = parseMachineClients(process.env[TOKEN_CLAIMS_ENV.machineClients]);

export const handler = async (event: Event): Promise<Event> => {
  const claims = tokenClaims(event, clients);
  if (!claims) {
    // Not an error: the token is issued without dp_* claims and the API refuses it, saying so.
    logger.info('no dp claims for this token', {
      triggerSource: event.triggerSource,
      clientId: event.callerContext.clientId,
    });
    return event;
  }
  const claimsToAddOrOverride: Record<string, string> = {
    dp_role: claims.dp_role,
    dp_access: claims.dp_access,
  };
  if (claims.dp_sites) claimsToAddOrOverride.dp_sites = claims.dp_sites;
  event.response.claimsAndScopeOverrideDetails = { accessTokenGeneration: { claimsToAddOrOverride } };
  return event;
};
