import { createPrivateKey, X509Certificate } from 'node:crypto';

export interface ClearinghouseConfig {
  /** Base URL, e.g. `https://…/dch`; the `/v0/...` paths are appended. */
  url: string;
  clientId: string;
  clientSecret: string;
  /** PEM client certificate CDC issued, presented on every request (mutual TLS); needs `privateKey`. */
  certificate?: string;
  /** PEM private key of `certificate`, unencrypted. */
  privateKey?: string;
  /** PEM CA certificate(s) trusted instead of Node's bundled roots: only for a private CA (the local stand-in's). */
  ca?: string;
}

/**
 * Reads the client configuration (JSON with url, clientId, clientSecret, and optionally certificate, privateKey
 * and ca); errors name keys, never values.
 */
export function parseClearinghouseConfig(json: string): ClearinghouseConfig {
  let input: unknown;
  try {
    input = JSON.parse(json);
  } catch {
    // JSON.parse's message quotes the text around the error, which may be the secret.
    throw new Error('Clearinghouse config is not valid JSON');
  }
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    throw new Error('Clearinghouse config must be a JSON object with url, clientId and clientSecret');
  const o = input as Record<string, unknown>;
  const optional = (key: keyof ClearinghouseConfig): string | undefined => {
    const v = o[key];
    if (v === undefined || v === null || v === '') return undefined;
    if (typeof v !== 'string') throw new Error(`Clearinghouse config "${key}" must be a string`);
    return v;
  };
  const str = (key: keyof ClearinghouseConfig): string => {
    const v = optional(key);
    if (v === undefined) throw new Error(`Clearinghouse config is missing "${key}"`);
    return v;
  };
  const url = str('url');
  const clientId = str('clientId');
  const clientSecret = str('clientSecret');
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error('Clearinghouse config "url" is not a URL');
  }
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(parsed.hostname);
  if (parsed.protocol !== 'https:' && !(parsed.protocol === 'http:' && loopback))
    throw new Error('Clearinghouse config "url" must be https (http only for 127.0.0.1 or localhost)');
  if (parsed.username || parsed.password)
    throw new Error('Clearinghouse config "url" must not carry credentials');
  const tls = readTls(optional('certificate'), optional('privateKey'), optional('ca'));
  if (Object.keys(tls).length > 0 && parsed.protocol !== 'https:')
    throw new Error('Clearinghouse config "url" must be https when a certificate or ca is given');
  return { url, clientId, clientSecret, ...tls };
}

/** Checks the PEMs now, so a bad secret fails with its key named instead of as a vague handshake error later. */
function readTls(
  certificate: string | undefined,
  privateKey: string | undefined,
  ca: string | undefined,
): Pick<ClearinghouseConfig, 'certificate' | 'privateKey' | 'ca'> {
  if ((certificate === undefined) !== (privateKey === undefined))
    throw new Error(
      `Clearinghouse config has "${certificate ? 'certificate' : 'privateKey'}" without "${certificate ? 'privateKey' : 'certificate'}"`,
    );
  const x509 = (key: 'certificate' | 'ca', pem: string): X509Certificate => {
    try {
      return new X509Certificate(pem);
    } catch {
      throw new Error(`Clearinghouse config "${key}" is not a PEM certificate`);
    }
  };
  if (ca !== undefined) x509('ca', ca);
  if (certificate === undefined || privateKey === undefined) return ca === undefined ? {} : { ca };
  const cert = x509('certificate', certificate);
  let key: ReturnType<typeof createPrivateKey>;
  try {
    key = createPrivateKey(privateKey);
  } catch {
    throw new Error('Clearinghouse config "privateKey" is not an unencrypted PEM private key');
  }
  if (!cert.checkPrivateKey(key))
    throw new Error('Clearinghouse config "privateKey" is not the key of "certificate"');
  return { certificate, privateKey, ...(ca === undefined ? {} : { ca }) };
}
