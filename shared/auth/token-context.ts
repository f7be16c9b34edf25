/**
 * What the API's authorizer hands the routes for a caller (API Gateway's simple-response context: flat values),
 * and that context for a sign-in's access token (issue 16, docs/sign-in.md).
 */
import { AUTH_ENV } from '#platform/env-names.ts';
import { errorSummary, logger } from '#platform/logger.ts';
import { verifyAccessToken } from './verify-token.ts';

export type AuthContext =
  | { role: 'admin'; via: 'key' | 'token'; read_only?: boolean }
  | { role: 'program'; via: 'token'; read_only: true }
  | { role: 'site'; iis_id: string; via: 'key' | 'token'; sites?: string; read_only?: boolean }
  | { role: 'none'; reason: string; message?: string };

const audiences = (value: string | undefined) =>
  (value ?? '')
    .split(',')
    .map((a) => a.trim())
    .filter(Boolean);

/** The context for a bearer access token: its role, sites and access, or role none with what is wrong. */
export async function tokenContext(token: string): Promise<AuthContext> {
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
  if (!check.ok) return { role: 'none', reason: check.reason, message: check.message };
  const c = check.caller;
  if (c.role === 'program') return { role: 'program', via: 'token', read_only: true };
  if (c.role === 'admin') return { role: 'admin', via: 'token', read_only: c.readOnly };
  return { role: 'site', iis_id: c.sites[0]!, sites: c.sites.join(' '), via: 'token', read_only: c.readOnly };
}
