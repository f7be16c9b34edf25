/**
 * Key material for running the Clearinghouse stand-in with mutual TLS, as CDC's production Clearinghouse
 * requires: a private CA, a server certificate for 127.0.0.1 and localhost, and a client certificate, all made at
 * run time so that no key is ever committed and `npm start` needs nothing installed by hand.
 *
 * Node can create keys but not X.509 certificates, so node-forge (pure JavaScript, a dev dependency: only the
 * local stack and the tests make certificates) assembles and signs them; the keys come from Node's own
 * generator, which is far faster than forge's.
 */
import {
  createPrivateKey,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
  X509Certificate,
} from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import forge from 'node-forge';

/** PEM strings. The CA's key is not kept: it signs the two certificates and is dropped. */
export interface LocalTlsMaterial {
  ca: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
}

export interface GenerateOptions {
  /** Common name of the client certificate (CDC issues one per submitter). */
  clientName?: string;
  /** Validity in days from now; default 825 (what browsers still accept for a server certificate). */
  days?: number;
  /** Issue time; default now. Tests back-date it to make an expired certificate. */
  notBefore?: Date;
}

const DEFAULT_DAYS = 825;
/** A stored set is replaced when it expires within this many days, so a long-lived DATA_DIR never fails a handshake. */
const RENEW_DAYS = 30;
const FILES: Record<keyof LocalTlsMaterial, string> = {
  ca: 'ca.pem',
  serverCert: 'server.pem',
  serverKey: 'server-key.pem',
  clientCert: 'client.pem',
  clientKey: 'client-key.pem',
};

/** A new CA with a server and a client certificate signed by it. */
export function generateLocalTls(options: GenerateOptions = {}): LocalTlsMaterial {
  const notBefore = options.notBefore ?? new Date();
  const notAfter = new Date(notBefore.getTime() + (options.days ?? DEFAULT_DAYS) * 86_400_000);
  const caKeys = rsaKeys();
  const ca = certificate({
    subject: 'Local Clearinghouse stand-in CA',
    publicKey: caKeys.publicKey,
    issuer: undefined,
    signer: caKeys.privateKey,
    notBefore,
    notAfter,
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
      { name: 'subjectKeyIdentifier' },
    ],
  });
  const caSubject = ca.subject.attributes;
  const leaf = (subject: string, extensions: object[]) => {
    const keys = rsaKeys();
    const cert = certificate({
      subject,
      publicKey: keys.publicKey,
      issuer: caSubject,
      signer: caKeys.privateKey,
      notBefore,
      notAfter,
      extensions: [
        { name: 'basicConstraints', cA: false },
        { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
        ...extensions,
      ],
    });
    return { cert: forge.pki.certificateToPem(cert), key: keys.privateKeyPem };
  };
  const server = leaf('127.0.0.1', [
    { name: 'extKeyUsage', serverAuth: true },
    {
      name: 'subjectAltName',
      altNames: [
        { type: 7, ip: '127.0.0.1' },
        { type: 2, value: 'localhost' },
      ],
    },
  ]);
  const client = leaf(options.clientName ?? 'CAA-LOCAL', [{ name: 'extKeyUsage', clientAuth: true }]);
  return {
    ca: forge.pki.certificateToPem(ca),
    serverCert: server.cert,
    serverKey: server.key,
    clientCert: client.cert,
    clientKey: client.key,
  };
}

/**
 * The material kept in `dir` (one PEM file each, private keys readable by the owner only), made anew when a file
 * is missing, unreadable, does not chain to the CA, does not match its key, or expires within 30 days.
 */
export function loadOrCreateLocalTls(dir: string, now: Date = new Date()): LocalTlsMaterial {
  const stored = readStored(dir);
  if (stored && usable(stored, now)) return stored;
  const made = generateLocalTls({ notBefore: new Date(now.getTime() - 60_000) });
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  for (const [field, file] of Object.entries(FILES) as [keyof LocalTlsMaterial, string][])
    writeFileSync(join(dir, file), made[field], { mode: field.endsWith('Key') ? 0o600 : 0o644 });
  return made;
}

/** The paths of the files `loadOrCreateLocalTls` writes, for telling a person how to curl the stand-in. */
export function localTlsFiles(dir: string): Record<keyof LocalTlsMaterial, string> {
  return Object.fromEntries(Object.entries(FILES).map(([k, f]) => [k, join(dir, f)])) as Record<
    keyof LocalTlsMaterial,
    string
  >;
}

function readStored(dir: string): LocalTlsMaterial | undefined {
  const paths = localTlsFiles(dir);
  if (!Object.values(paths).every((p) => existsSync(p))) return undefined;
  return {
    ca: readFileSync(paths.ca, 'utf8'),
    serverCert: readFileSync(paths.serverCert, 'utf8'),
    serverKey: readFileSync(paths.serverKey, 'utf8'),
    clientCert: readFileSync(paths.clientCert, 'utf8'),
    clientKey: readFileSync(paths.clientKey, 'utf8'),
  };
}

function usable(m: LocalTlsMaterial, now: Date): boolean {
  try {
    const ca = new X509Certificate(m.ca);
    const renewBy = now.getTime() + RENEW_DAYS * 86_400_000;
    return [
      [m.serverCert, m.serverKey],
      [m.clientCert, m.clientKey],
    ].every(([certPem, keyPem]) => {
      const cert = new X509Certificate(certPem!);
      return (
        cert.verify(ca.publicKey) &&
        cert.checkPrivateKey(createPrivateKey(keyPem!)) &&
        Date.parse(cert.validFrom) <= now.getTime() &&
        Date.parse(cert.validTo) > renewBy &&
        Date.parse(ca.validTo) > renewBy
      );
    });
  } catch {
    return false;
  }
}

function rsaKeys(): {
  publicKey: forge.pki.PublicKey;
  privateKey: forge.pki.rsa.PrivateKey;
  privateKeyPem: string;
} {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const privateKeyPem = pem(privateKey, 'pkcs8');
  return {
    publicKey: forge.pki.publicKeyFromPem(pem(publicKey, 'spki')),
    privateKey: forge.pki.privateKeyFromPem(privateKeyPem),
    privateKeyPem,
  };
}

const pem = (key: KeyObject, type: 'pkcs8' | 'spki'): string =>
  key.export({ type, format: 'pem' }).toString();

function certificate(spec: {
  subject: string;
  publicKey: forge.pki.PublicKey;
  issuer: forge.pki.CertificateField[] | undefined;
  signer: forge.pki.rsa.PrivateKey;
  notBefore: Date;
  notAfter: Date;
  extensions: object[];
}): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = spec.publicKey;
  // Positive (high bit clear) and unique per certificate, as RFC 5280 asks.
  cert.serialNumber = `01${randomBytes(15).toString('hex')}`;
  cert.validity.notBefore = spec.notBefore;
  cert.validity.notAfter = spec.notAfter;
  const subject = [{ name: 'commonName', value: spec.subject }];
  cert.setSubject(subject);
  cert.setIssuer(spec.issuer ?? subject);
  cert.setExtensions(spec.extensions);
  cert.sign(spec.signer, forge.md.sha256.create());
  return cert;
}
