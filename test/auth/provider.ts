import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';

/** A tiny OpenID provider for tests: discovery and its keys over HTTP on loopback, and a token signer. */
export const AUD = 'https://api.dose-pipeline.local';

export interface TestProvider {
  issuer: string;
  /** A signed access token: a site-write token for SITEA and SITEB unless claims say otherwise. */
  token(
    claims?: Record<string, unknown>,
    opts?: { forged?: boolean; exp?: number; iss?: string },
  ): Promise<string>;
  stop(): Promise<void>;
}

export async function startTestProvider(): Promise<TestProvider> {
  const pair = await generateKeyPair('RS256');
  const other = (await generateKeyPair('RS256')).privateKey;
  const jwk: JWK = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
  let issuer = '';
  const server: Server = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    if (req.url === '/oidc/.well-known/openid-configuration')
      res.end(JSON.stringify({ issuer, jwks_uri: `${issuer}/jwks` }));
    else if (req.url === '/oidc/jwks') res.end(JSON.stringify({ keys: [jwk] }));
    else res.writeHead(404).end('{}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}/oidc`;
  return {
    issuer,
    token: (claims = {}, opts = {}) =>
      new SignJWT({ aud: AUD, dp_role: 'site', dp_sites: 'SITEA SITEB', dp_access: 'write', ...claims })
        .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
        .setIssuer(opts.iss ?? issuer)
        .setSubject('user-1')
        .setIssuedAt()
        .setExpirationTime(opts.exp ?? Math.floor(Date.now() / 1000) + 900)
        .sign(opts.forged ? other : pair.privateKey),
    stop: () => new Promise<void>((r) => server.close(() => r())),
  };
}
