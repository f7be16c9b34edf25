import { X509Certificate } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateLocalTls, loadOrCreateLocalTls, localTlsFiles } from '../../local/standins/tls.ts';
import { tempDir } from './helpers.ts';

const dir = tempDir('clearinghouse-tls');
afterAll(() => dir.remove());

describe('the local Clearinghouse stand-in certificates', () => {
  it('makes a CA, a server certificate for 127.0.0.1 and localhost, and a client certificate it signed', () => {
    const m = generateLocalTls({ clientName: 'CAA-TEST' });
    const ca = new X509Certificate(m.ca);
    const server = new X509Certificate(m.serverCert);
    const client = new X509Certificate(m.clientCert);
    expect(ca.ca).toBe(true);
    expect(server.verify(ca.publicKey) && client.verify(ca.publicKey)).toBe(true);
    expect(server.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(server.checkHost('localhost')).toBe('localhost');
    expect(client.subject).toBe('CN=CAA-TEST');
    expect(server.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']);
    expect(client.keyUsage).toEqual(['1.3.6.1.5.5.7.3.2']);
  });

  it('keeps its files under the data directory, keys readable by the owner only, and reuses them', () => {
    const tlsDir = join(dir.path, 'clearinghouse-tls');
    const first = loadOrCreateLocalTls(tlsDir);
    const files = localTlsFiles(tlsDir);
    expect(readFileSync(files.clientKey, 'utf8')).toBe(first.clientKey);
    expect(statSync(tlsDir).mode & 0o777).toBe(0o700);
    for (const key of [files.serverKey, files.clientKey]) expect(statSync(key).mode & 0o777).toBe(0o600);
    expect(loadOrCreateLocalTls(tlsDir)).toEqual(first);
  });

  it('makes a new set when the stored one is about to expire or does not hang together', () => {
    const tlsDir = join(dir.path, 'renewed');
    // Made 800 days ago, valid for 825: 25 days left, under the 30-day margin.
    const made = loadOrCreateLocalTls(tlsDir, new Date(Date.now() - 800 * 86_400_000));
    expect(Date.parse(new X509Certificate(made.clientCert).validTo) - Date.now()).toBeLessThan(
      26 * 86_400_000,
    );
    const current = loadOrCreateLocalTls(tlsDir);
    expect(current.ca).not.toBe(made.ca);
    expect(loadOrCreateLocalTls(tlsDir)).toEqual(current);
    // A client key that is not the certificate's (a hand-edited file): replaced, not served.
    writeFileSync(localTlsFiles(tlsDir).clientKey, generateLocalTls().clientKey);
    expect(loadOrCreateLocalTls(tlsDir).ca).not.toBe(current.ca);
  });
});
