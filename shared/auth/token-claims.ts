/**
 * The `dp_*` claims Cognito's pre-token-generation trigger puts into access tokens (docs/sign-in.md): pure, from
 * what the trigger event says. A person's role and access come from their groups, their sites from the
 * `custom:dp_sites` attribute (which only administrators can write); a machine client's from its registration
 * (topology.signIn.machineClients, handed to the function by the stack). Whoever fits none gets no `dp_role`, and
 * the API refuses the token (401 AUTH001).
 */
import type { TokenRole } from './verify-token.ts';

export type Access = 'read' | 'write';

/** The user pool's groups, highest first: a person in several gets the role of the first. */
export const SIGN_IN_GROUPS = [
  { group: 'admin', role: 'admin', access: 'write', description: 'Administrators: what the admin key may' },
  { group: 'program', role: 'program', access: 'read', description: 'Program staff: statewide reads' },
  {
    group: 'site-write',
    role: 'site',
    access: 'write',
    description: 'Site staff, read-write, for the sites of their custom:dp_sites',
  },
  {
    group: 'site-read',
    role: 'site',
    access: 'read',
    description: 'Site staff, read-only, for the sites of their custom:dp_sites',
  },
] as const satisfies readonly { group: string; role: TokenRole; access: Access; description: string }[];

/** The user attribute holding a person's CAIR Org Codes, space-separated. */
export const SITES_ATTRIBUTE = 'custom:dp_sites';

/** The trigger source of a client credentials grant (V3_0 events only). */
export const CLIENT_CREDENTIALS = 'TokenGeneration_ClientCredentials';

/** A CAIR Org Code as enrollment takes it (shared/sites/site.ts). */
const ORG_CODE = /^[A-Za-z0-9-]{1,20}$/;

export interface DpClaims {
  dp_role: TokenRole;
  /** Space-separated CAIR Org Codes (site role only). */
  dp_sites?: string;
  dp_access: Access;
}

/** A machine client's registration, as the stack writes it into the function's environment. */
export interface MachineClientClaims {
  client_id: string;
  sites: string[];
  access: Access;
}

/**
 * The Org Codes of a `custom:dp_sites` value: split on spaces (or commas, a likely slip), duplicates dropped, in
 * order. A value that is not an Org Code is left out, never passed on.
 */
export function parseSites(value: string | undefined): string[] {
  const sites = (value ?? '').split(/[\s,]+/).filter((site) => ORG_CODE.test(site));
  return [...new Set(sites)];
}

/** A person's claims from their groups and attributes; undefined when they are in no sign-in group. */
export function personClaims(
  groups: readonly string[],
  attributes: Readonly<Record<string, string>>,
): DpClaims | undefined {
  const match = SIGN_IN_GROUPS.find((g) => groups.includes(g.group));
  if (!match) return undefined;
  if (match.role !== 'site') return { dp_role: match.role, dp_access: match.access };
  const sites = parseSites(attributes[SITES_ATTRIBUTE]);
  // A site person without a site acts for nobody: no claims, so the API refuses the token.
  if (sites.length === 0) return undefined;
  return { dp_role: 'site', dp_sites: sites.join(' '), dp_access: match.access };
}

/** A machine client's claims from its registration; undefined for a client not registered. */
export function machineClaims(
  clientId: string,
  clients: readonly MachineClientClaims[],
): DpClaims | undefined {
  const client = clients.find((c) => c.client_id === clientId);
  if (!client) return undefined;
  const sites = client.sites.filter((site) => ORG_CODE.test(site));
  if (sites.length === 0) return undefined;
  return {
    dp_role: 'site',
    dp_sites: sites.join(' '),
    dp_access: client.access === 'write' ? 'write' : 'read',
  };
}

/** The parts of a V2_0/V3_0 pre-token-generation event the claims come from. */
export interface TokenClaimsInput {
  triggerSource: string;
  callerContext: { clientId: string };
  request: {
    userAttributes?: Record<string, string> | null;
    groupConfiguration?: { groupsToOverride?: string[] | null } | null;
  };
}

/** The claims for the access token Cognito is about to issue. */
export function tokenClaims(
  event: TokenClaimsInput,
  clients: readonly MachineClientClaims[],
): DpClaims | undefined {
  if (event.triggerSource === CLIENT_CREDENTIALS) return machineClaims(event.callerContext.clientId, clients);
  return personClaims(
    event.request.groupConfiguration?.groupsToOverride ?? [],
    event.request.userAttributes ?? {},
  );
}

/** The machine clients from the function's environment value; a value that is not the stack's is an error. */
export function parseMachineClients(value: string | undefined): MachineClientClaims[] {
  if (!value) return [];
  const parsed: unknown = JSON.parse(value);
  if (!Array.isArray(parsed)) throw new Error('the machine clients are not a JSON array');
  return parsed.map((entry: unknown, i) => {
    const c = entry as Partial<MachineClientClaims> | null;
    if (
      typeof c?.client_id !== 'string' ||
      !Array.isArray(c.sites) ||
      !c.sites.every((s) => typeof s === 'string') ||
      (c.access !== 'read' && c.access !== 'write')
    )
      throw new Error(`machine client ${i} is not { client_id, sites, access }`);
    return { client_id: c.client_id, sites: c.sites, access: c.access };
  });
}
