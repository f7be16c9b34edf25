/**
 * The local runtime's sign-in provider (issue 16, docs/sign-in.md#locally): the OpenID provider stand-in with the
 * demo users and one machine client per demo site, and the environment that points the API's authorizer at it.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AUTH_ENV } from '#platform/env-names.ts';
import { demoSite } from './demo.ts';
import { portFromEnv } from './listen.ts';
import type { Logger } from './log.ts';
import type { LocalRuntimeOptions, LocalTopology } from './runtime-types.ts';
import {
  API_RESOURCE,
  CONSOLE_CLIENT_ID,
  type OidcMachineClient,
  type OidcStandin,
  type OidcUser,
  startOidcStandin,
} from './standins/oidc.ts';

export interface LocalOidc {
  standin: OidcStandin;
  /** OIDC_ISSUER and OIDC_AUDIENCE for the authorizer. */
  env: Record<string, string>;
  users: OidcUser[];
  clients: OidcMachineClient[];
  consoleClientId: string;
  redirectUris: string[];
}

/** The demo users `npm start` offers (passwords made per data directory), one per role of docs/sign-in.md. */
function demoUsers(passwords: Record<string, string>): OidcUser[] {
  const site = demoSite.iis_id;
  const users: Omit<OidcUser, 'password'>[] = [
    {
      username: 'site-writer',
      name: 'Site staff (read-write)',
      dp_role: 'site',
      dp_sites: site,
      dp_access: 'write',
    },
    {
      username: 'site-reader',
      name: 'Site staff (read-only)',
      dp_role: 'site',
      dp_sites: site,
      dp_access: 'read',
    },
    { username: 'program', name: 'Program staff', dp_role: 'program', dp_access: 'read' },
    { username: 'admin', name: 'Administrator', dp_role: 'admin', dp_access: 'write' },
  ];
  return users.map((u) => ({ ...u, password: passwords[u.username]! }));
}

function demoClients(secrets: Record<string, string>): OidcMachineClient[] {
  const clientId = `site-${demoSite.iis_id}`;
  return [
    {
      clientId,
      clientSecret: secrets[clientId]!,
      dp_role: 'site',
      dp_sites: demoSite.iis_id,
      dp_access: 'write',
    },
  ];
}

const DEMO_NAMES = ['site-writer', 'site-reader', 'program', 'admin', `site-${demoSite.iis_id}`];

/**
 * Passwords and client secrets of the demo: made once and kept in `${dir}/demo.json` (owner-only), so they stay
 * the same across restarts of a data directory; made anew per runtime without one.
 */
function demoSecrets(dir: string | undefined): Record<string, string> {
  const file = dir ? join(dir, 'demo.json') : undefined;
  let stored: Record<string, string> = {};
  if (file && existsSync(file)) {
    try {
      stored = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
    } catch {
      stored = {};
    }
  }
  const missing = DEMO_NAMES.filter((n) => typeof stored[n] !== 'string' || !stored[n]);
  for (const name of missing) stored[name] = randomBytes(12).toString('base64url');
  if (dir && file && missing.length > 0) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    chmodSync(dir, 0o700);
    writeFileSync(file, `${JSON.stringify(stored, null, 2)}\n`, { mode: 0o600 });
  }
  return stored;
}

/**
 * The OpenID provider, when wanted (see LocalRuntimeOptions.oidc): when the topology has the API's authorizer,
 * unless `oidc: false` or an issuer is given (OIDC_ISSUER in extraEnv or the environment: the authorizer then uses
 * that provider).
 */
export async function startOidcIfWanted(
  topo: LocalTopology,
  options: LocalRuntimeOptions,
  dataDir: string | undefined,
  apiUrl: string,
  logger: Logger,
): Promise<LocalOidc | undefined> {
  if (options.oidc === false || !topo.functions[topo.api.authorizer]) return undefined;
  if (options.extraEnv?.[AUTH_ENV.issuer] ?? process.env[AUTH_ENV.issuer]) return undefined;
  const o = options.oidc ?? {};
  const dir = dataDir ? join(dataDir, 'oidc') : undefined;
  const secrets = o.users && o.clients ? {} : demoSecrets(dir);
  const users = o.users ?? demoUsers(secrets);
  const clients = o.clients ?? demoClients(secrets);
  const redirectUris = o.redirectUris ?? [`${apiUrl}/callback`];
  const standin = await startOidcStandin({
    port: o.port ?? portFromEnv('OIDC_STANDIN_PORT'),
    logger,
    users,
    clients,
    console: { redirectUris, postLogoutRedirectUris: o.postLogoutRedirectUris ?? [`${apiUrl}/`] },
    accessTokenTtlSeconds: o.accessTokenTtlSeconds,
    keyDir: dir,
  });
  const env = {
    [AUTH_ENV.issuer]: standin.issuer,
    [AUTH_ENV.audience]: options.extraEnv?.[AUTH_ENV.audience] ?? API_RESOURCE,
  };
  return { standin, env, users, clients, consoleClientId: CONSOLE_CLIENT_ID, redirectUris };
}
