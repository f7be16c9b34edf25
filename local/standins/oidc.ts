/**
 * The local OpenID Connect provider (issue 16, docs/sign-in.md): a real, certified implementation (oidc-provider)
 * on 127.0.0.1, so that the console and the API's authorizer run against real OpenID Connect, not a stub.
 *
 * - People: authorization code with PKCE (S256, always) for the public client `console`, a sign-in form for
 *   the users given, automatic consent (the console is first-party), RP-initiated logout.
 * - Machines: client credentials for confidential clients, each registered with its `dp_*` claims.
 * - Access tokens: JWTs signed RS256 for the API's resource indicator (`aud`), short-lived, carrying `dp_role`,
 *   `dp_sites` and `dp_access` from the user or the client.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import Provider, { type ClientMetadata, type Configuration, errors, type Interaction } from 'oidc-provider';
import { listenLoopback, readBody } from '../listen.ts';
import { describeError, type Logger } from '../log.ts';
import { errorPage, loginPage, logoutPage, PAGE_HEADERS, signedOutPage } from './oidc-pages.ts';
import { memoryAdapter, signingKey } from './oidc-store.ts';

/** The API's resource indicator: the `aud` of every access token the local provider issues. */
export const API_RESOURCE = 'https://api.dose-pipeline.local';
/** The console's client id (a public client: no secret, PKCE). */
export const CONSOLE_CLIENT_ID = 'console';
/** Scope of the API resource (the authorizer reads the `dp_*` claims, not scopes). */
export const API_SCOPE = 'api';
const DEFAULT_ACCESS_TOKEN_TTL = 15 * 60;

export type DpRole = 'site' | 'program' | 'admin';

/** The claims that say who the caller is to the API (docs/sign-in.md). */
export interface DpClaims {
  dp_role: DpRole;
  /** For `site`: the CAIR Org Codes, space-separated; the first is the caller's own. */
  dp_sites?: string;
  /** Absent: read. */
  dp_access?: 'read' | 'write';
}

export interface OidcUser extends DpClaims {
  username: string;
  password: string;
  /** Display name (the ID token's `name`). */
  name: string;
}

export interface OidcMachineClient extends DpClaims {
  clientId: string;
  clientSecret: string;
  /** How the client authenticates at the token endpoint (default client_secret_basic). */
  authMethod?: 'client_secret_basic' | 'client_secret_post';
  /** Lifetime of this client's access tokens in seconds (default: the provider's), e.g. 1 to make one expire. */
  accessTokenTtlSeconds?: number;
}

export interface OidcStandinOptions {
  /** Port on 127.0.0.1 (0 or omitted: a free one). */
  port?: number;
  logger?: Logger;
  users: OidcUser[];
  clients?: OidcMachineClient[];
  /** The console (public, PKCE): where it may be sent back after sign-in and sign-out. Omitted: no console client. */
  console?: { redirectUris: string[]; postLogoutRedirectUris?: string[] };
  /** Lifetime of access tokens in seconds (default 900). */
  accessTokenTtlSeconds?: number;
  /** Directory the signing key is kept in (made when missing); omitted: one key per process. */
  keyDir?: string;
}

export interface OidcStandin {
  /** Issuer and base URL, http://127.0.0.1:<port> (discovery at /.well-known/openid-configuration). */
  issuer: string;
  /** The `aud` of its access tokens: API_RESOURCE. */
  audience: string;
  tokenEndpoint: string;
  /** The signing key's id, as in the JWKS and each token's header. */
  kid: string;
  stop(): Promise<void>;
}

export async function startOidcStandin(options: OidcStandinOptions): Promise<OidcStandin> {
  const log: Logger = options.logger ?? (() => {});
  const ttl = options.accessTokenTtlSeconds ?? DEFAULT_ACCESS_TOKEN_TTL;
  const users = new Map(options.users.map((u) => [u.username, u]));
  const machines = new Map((options.clients ?? []).map((c) => [c.clientId, c]));
  const key = await signingKey(options.keyDir);

  let provider: Provider | undefined;
  let handle: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  const server = createServer((req, res) => {
    if (!provider || !handle) {
      res.writeHead(503).end();
      return;
    }
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path.startsWith('/interaction/')) {
      interaction(provider, req, res, path).catch((err: unknown) => {
        log(`[oidc] interaction failed: ${describeError(err)}`);
        if (!res.headersSent) res.writeHead(400, PAGE_HEADERS);
        res.end(errorPage('invalid_request', 'This sign-in has expired or is not valid: start again.'));
      });
      return;
    }
    handle(req, res);
  });
  const port = await listenLoopback(server, options.port ?? 0);
  const issuer = `http://127.0.0.1:${port}`;

  const clients: ClientMetadata[] = [...machines.values()].map((c) => ({
    client_id: c.clientId,
    client_secret: c.clientSecret,
    grant_types: ['client_credentials'],
    response_types: [],
    redirect_uris: [],
    token_endpoint_auth_method: c.authMethod ?? 'client_secret_basic',
  }));
  if (options.console)
    clients.push({
      client_id: CONSOLE_CLIENT_ID,
      client_name: 'Dose pipeline console',
      application_type: 'web',
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      redirect_uris: options.console.redirectUris,
      post_logout_redirect_uris: options.console.postLogoutRedirectUris ?? [],
    });

  const claimsOf = (c: DpClaims | undefined) =>
    c
      ? {
          dp_role: c.dp_role,
          ...(c.dp_sites ? { dp_sites: c.dp_sites } : {}),
          ...(c.dp_access ? { dp_access: c.dp_access } : {}),
        }
      : undefined;

  const configuration: Configuration = {
    adapter: memoryAdapter(),
    clients,
    jwks: { keys: [key as never] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    claims: {
      openid: ['sub'],
      profile: ['name', 'preferred_username'],
      dp: ['dp_role', 'dp_sites', 'dp_access'],
    },
    scopes: ['openid', 'offline_access', 'profile', 'dp'],
    pkce: { required: () => true },
    // As Cognito does for the code flow: a refresh token whenever the client may use one, without asking for
    // offline_access (oidc-provider's default), so the console renews its 15-minute access tokens the same way
    // against both. Public clients get a new refresh token at each use (rotation, oidc-provider's default).
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: async (ctx, form) => {
          ctx.type = 'html';
          ctx.body = logoutPage(form);
        },
        postLogoutSuccessSource: async (ctx) => {
          ctx.type = 'html';
          ctx.body = signedOutPage();
        },
      },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => API_RESOURCE,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx, indicator, client) => {
          if (indicator !== API_RESOURCE) throw new errors.InvalidTarget();
          return {
            scope: API_SCOPE,
            audience: API_RESOURCE,
            accessTokenTTL: machines.get(client.clientId)?.accessTokenTtlSeconds ?? ttl,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: 'RS256' } },
          };
        },
      },
    },
    extraTokenClaims: (_ctx, token) =>
      token.kind === 'ClientCredentials'
        ? claimsOf(machines.get(token.clientId ?? ''))
        : claimsOf(users.get(token.accountId ?? '')),
    findAccount: (_ctx, sub) => {
      const user = users.get(sub);
      if (!user) return undefined;
      return {
        accountId: sub,
        claims: () => ({ sub, name: user.name, preferred_username: user.username, ...claimsOf(user) }),
      };
    },
    // The console's own origin may call the token endpoint from the browser; nothing else may.
    clientBasedCORS: (_ctx, origin, client) =>
      client.clientAuthMethod === 'none' && client.redirectUris!.some((u) => URL.parse(u)?.origin === origin),
    renderError: async (ctx, out) => {
      ctx.type = 'html';
      ctx.body = errorPage(out.error, out.error_description);
    },
    ttl: {
      AccessToken: ttl,
      ClientCredentials: (_ctx, _token, client) =>
        machines.get(client.clientId)?.accessTokenTtlSeconds ?? ttl,
      AuthorizationCode: 60,
      IdToken: ttl,
      RefreshToken: 8 * 60 * 60,
      Interaction: 10 * 60,
      Session: 8 * 60 * 60,
      Grant: 8 * 60 * 60,
    },
  };

  try {
    provider = new Provider(issuer, configuration);
  } catch (err) {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    throw err;
  }
  provider.on('server_error', (_ctx, err) => log(`[oidc] server error: ${describeError(err)}`));
  handle = provider.callback();
  log(`[oidc] OpenID provider at ${issuer} (users: ${users.size}, machine clients: ${machines.size})`);

  return {
    issuer,
    audience: API_RESOURCE,
    tokenEndpoint: `${issuer}/token`,
    kid: String(key.kid),
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };

  /** The sign-in form (GET), its submission (POST …/login), and the automatic consent for first-party clients. */
  async function interaction(
    p: Provider,
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
  ): Promise<void> {
    const details = await p.interactionDetails(req, res);
    const clientName =
      (await p.Client.find(String(details.params.client_id)))?.clientName ?? 'the application';
    if (req.method === 'POST' && path === `/interaction/${details.uid}/login`) {
      const form = new URLSearchParams((await readBody(req, 16 * 1024)) ?? '');
      const username = (form.get('username') ?? '').trim();
      const user = users.get(username);
      if (
        details.prompt.name !== 'login' ||
        !user ||
        !samePassword(form.get('password') ?? '', user.password)
      ) {
        res.writeHead(200, PAGE_HEADERS);
        res.end(loginPage({ uid: details.uid, clientName, username, error: 'Wrong username or password.' }));
        return;
      }
      log(`[oidc] sign-in: ${user.username} (${user.dp_role})`);
      await p.interactionFinished(
        req,
        res,
        { login: { accountId: user.username } },
        { mergeWithLastSubmission: false },
      );
      return;
    }
    if (req.method !== 'GET' || path !== `/interaction/${details.uid}`) {
      res.writeHead(405, PAGE_HEADERS).end(errorPage('invalid_request', 'Not a step of this sign-in.'));
      return;
    }
    if (details.prompt.name === 'login') {
      res.writeHead(200, PAGE_HEADERS);
      res.end(loginPage({ uid: details.uid, clientName }));
      return;
    }
    if (details.prompt.name === 'consent') {
      await p.interactionFinished(
        req,
        res,
        { consent: { grantId: await consent(p, details) } },
        { mergeWithLastSubmission: true },
      );
      return;
    }
    res
      .writeHead(400, PAGE_HEADERS)
      .end(errorPage('invalid_request', `Unsupported prompt ${details.prompt.name}.`));
  }
}

/** Grants what the client asked for: the console is the pipeline's own application, so nobody is asked. */
async function consent(p: Provider, details: Interaction): Promise<string> {
  const accountId = details.session?.accountId;
  const clientId = String(details.params.client_id);
  const grant = details.grantId
    ? ((await p.Grant.find(details.grantId)) ?? new p.Grant({ accountId, clientId }))
    : new p.Grant({ accountId, clientId });
  const missing = details.prompt.details as {
    missingOIDCScope?: string[];
    missingOIDCClaims?: string[];
    missingResourceScopes?: Record<string, string[]>;
  };
  if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
  if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
  for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {}))
    grant.addResourceScope(indicator, scopes.join(' '));
  return grant.save();
}

function samePassword(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
