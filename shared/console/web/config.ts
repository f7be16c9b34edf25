/** The console's settings, written by the server next to the bundle (`config.json`): where to sign in. */
export interface ConsoleConfig {
  /** The OpenID provider's issuer: discovery at `<issuer>/.well-known/openid-configuration`. */
  issuer: string;
  /** The console's public client id (authorization code with PKCE, no secret). */
  clientId: string;
  /** OAuth scopes asked for (default `openid profile`). */
  scope?: string;
  /**
   * Cognito's sign-out (`https://<domain>/logout`), which its discovery does not list as end_session_endpoint:
   * called with client_id and logout_uri. Omitted where discovery has end_session_endpoint (locally).
   */
  logoutEndpoint?: string;
}

export interface Discovery {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  end_session_endpoint?: string;
}

let config: Promise<ConsoleConfig> | undefined;
let discovery: Promise<Discovery> | undefined;

async function json<T>(url: string, what: string): Promise<T> {
  const res = await fetch(url, { headers: { accept: 'application/json' }, cache: 'no-store' });
  if (!res.ok) throw new Error(`Could not read ${what} (${res.status}).`);
  return (await res.json()) as T;
}

export function loadConfig(): Promise<ConsoleConfig> {
  config ??= json<ConsoleConfig>('/config.json', 'the console’s settings');
  return config;
}

/** The provider's endpoints, from its discovery document (checked to be for the configured issuer). */
export function loadDiscovery(): Promise<Discovery> {
  discovery ??= loadConfig().then(async (c) => {
    const d = await json<Discovery>(
      `${c.issuer.replace(/\/$/, '')}/.well-known/openid-configuration`,
      'the sign-in provider’s settings',
    );
    if (d.issuer !== c.issuer) throw new Error('The sign-in provider answered for another issuer.');
    return d;
  });
  return discovery;
}
