import { describe, expect, it } from 'vitest';
import { parseClearinghouseConfig } from '#cdc/clearinghouse/config.ts';
import { localTls } from './helpers.ts';

describe('Data Clearinghouse configuration', () => {
  const { own: TLS, other: OTHER_TLS } = localTls();

  it('reads its configuration without ever quoting the secret', () => {
    expect(
      parseClearinghouseConfig('{"url":"https://dch.example.test","clientId":"a","clientSecret":"b"}'),
    ).toEqual({ url: 'https://dch.example.test', clientId: 'a', clientSecret: 'b' });
    expect(() => parseClearinghouseConfig('{"url":"https://dch.example.test","clientId":"a"}')).toThrow(
      'Clearinghouse config is missing "clientSecret"',
    );
    expect(() => parseClearinghouseConfig('{"clientSecret":"hunter2-secret" oops')).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining('hunter2') }),
    );
    expect(() =>
      parseClearinghouseConfig('{"url":"http://dch.example.test","clientId":"a","clientSecret":"b"}'),
    ).toThrow(/https/);
    expect(
      parseClearinghouseConfig('{"url":"http://127.0.0.1:4000","clientId":"a","clientSecret":"b"}').url,
    ).toBe('http://127.0.0.1:4000');
  });

  it('reads the client certificate, its key and a CA, naming what is wrong without quoting it', () => {
    const base = { url: 'https://dch.example.test', clientId: 'a', clientSecret: 'b' };
    const parse = (extra: Record<string, unknown>) =>
      parseClearinghouseConfig(JSON.stringify({ ...base, ...extra }));
    const pair = { certificate: TLS.clientCert, privateKey: TLS.clientKey };
    expect(parse({ ...pair, ca: TLS.ca })).toEqual({ ...base, ...pair, ca: TLS.ca });
    expect(parse({ ...pair, ca: '' })).toEqual({ ...base, ...pair });
    expect(() => parse({ certificate: TLS.clientCert })).toThrow(
      'Clearinghouse config has "certificate" without "privateKey"',
    );
    expect(() => parse({ privateKey: TLS.clientKey })).toThrow(
      'Clearinghouse config has "privateKey" without "certificate"',
    );
    expect(() => parse({ ...pair, privateKey: OTHER_TLS.clientKey })).toThrow(
      'Clearinghouse config "privateKey" is not the key of "certificate"',
    );
    const garbled = '-----BEGIN PRIVATE KEY-----\nhunter2\n-----END PRIVATE KEY-----\n';
    expect(() => parse({ ...pair, privateKey: garbled })).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining('hunter2') }),
    );
    expect(() => parse({ ...pair, privateKey: garbled })).toThrow(
      'Clearinghouse config "privateKey" is not an unencrypted PEM private key',
    );
    expect(() => parse({ ...pair, certificate: 'hunter2' })).toThrow(
      'Clearinghouse config "certificate" is not a PEM certificate',
    );
    expect(() => parse({ ca: 'not a cert' })).toThrow('Clearinghouse config "ca" is not a PEM certificate');
    expect(() => parse({ ...pair, url: 'http://127.0.0.1:4000' })).toThrow(
      'Clearinghouse config "url" must be https when a certificate or ca is given',
    );
    expect(() => parse({ certificate: 42, privateKey: TLS.clientKey })).toThrow(
      'Clearinghouse config "certificate" must be a string',
    );
  });
});
