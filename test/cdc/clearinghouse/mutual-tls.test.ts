import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClearinghouseClient } from '#cdc/clearinghouse/client.ts';
import { parseClearinghouseConfig } from '#cdc/clearinghouse/config.ts';
import { nodeSend } from '#cdc/clearinghouse/http.ts';
import { cvrsFileText } from '#codecs/cvrs/file.ts';
import {
  type ClearinghouseStandin,
  startClearinghouseStandin,
} from '../../../local/standins/clearinghouse.ts';
import { accepted, CLIENT, EVENT, localTls, record } from './helpers.ts';

describe('Data Clearinghouse client over mutual TLS', () => {
  const { own: TLS, other: OTHER_TLS } = localTls();
  let standin: ClearinghouseStandin;
  /** The stand-in's token clock and the client's, moved together. */
  let clock = Date.parse('2026-11-24T16:00:00Z');
  const logLines: string[] = [];
  const secret = (extra: Record<string, string | undefined>) =>
    parseClearinghouseConfig(JSON.stringify({ url: standin.url, ...CLIENT, ...extra }));
  const good = () => secret({ certificate: TLS.clientCert, privateKey: TLS.clientKey, ca: TLS.ca });

  beforeAll(async () => {
    standin = await startClearinghouseStandin({
      ...CLIENT,
      logger: (line) => logLines.push(line),
      now: () => new Date('2026-11-24T18:00:00Z'),
      clock: () => clock,
      tls: { key: TLS.serverKey, cert: TLS.serverCert, ca: TLS.ca, requireClientCert: true },
    });
  });
  afterAll(() => standin.stop());

  const counts = () => ({
    gen: standin.tokenRequests(),
    refresh: standin.refreshRequests(),
    received: standin.received().length,
  });

  it('serves HTTPS and takes a file from the client presenting the certificate its CA signed', async () => {
    expect(standin.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const client = new ClearinghouseClient(good(), { now: () => clock });
    const rec = record(1000);
    const receipt = accepted(await client.upload('20261124_20_CAA.txt', 'new', cvrsFileText([rec])));
    expect(receipt.processingErrors).toEqual([]);
    expect(standin.holds(rec[EVENT]!)).toBe(true);
    // 1,012 bytes: under CDC's sender's threshold, so sent as is.
    expect(standin.received().at(-1)).toMatchObject({ id: receipt.id, contentEncoding: 'identity' });
  });

  it('is refused without a client certificate, and says so', async () => {
    const before = counts();
    const outcome = await new ClearinghouseClient(secret({ ca: TLS.ca })).upload(
      '20261124_21_CAA.txt',
      'new',
      cvrsFileText([record(1001)]),
    );
    expect(outcome).toEqual({
      kind: 'refused',
      reason: expect.stringMatching(
        /^Token request: CDC Clearinghouse refused the TLS client certificate \(TLS alert "certificate required"\): none is configured/,
      ),
    });
    expect(counts()).toEqual(before);
    expect(standin.holds(record(1001)[EVENT]!)).toBe(false);
    expect(logLines.at(-1)).toMatch(/TLS handshake refused/);
  });

  it('is refused with a certificate another CA signed, and says so', async () => {
    const before = counts();
    const stranger = secret({
      certificate: OTHER_TLS.clientCert,
      privateKey: OTHER_TLS.clientKey,
      ca: TLS.ca,
    });
    const outcome = await new ClearinghouseClient(stranger).upload(
      '20261124_22_CAA.txt',
      'new',
      cvrsFileText([record(1002)]),
    );
    expect(outcome.kind).not.toBe('accepted');
    expect(outcome.kind !== 'accepted' && outcome.reason).toMatch(
      /^Token request: CDC Clearinghouse refused the TLS client certificate.*check that "certificate" and "privateKey"/,
    );
    expect(counts()).toEqual(before);
  });

  it('does not trust the server without the CA that signed its certificate', async () => {
    const outcome = await new ClearinghouseClient(
      secret({ certificate: TLS.clientCert, privateKey: TLS.clientKey }),
    ).upload('20261124_23_CAA.txt', 'new', cvrsFileText([record(1003)]));
    expect(outcome).toEqual({
      kind: 'refused',
      reason: expect.stringContaining("Clearinghouse's server certificate is not trusted"),
    });
  });

  it('refreshes a token that expires between two uploads, and generates one after 24 hours', async () => {
    const client = new ClearinghouseClient(good(), { now: () => clock });
    const before = counts();
    accepted(await client.upload('20261124_24_CAA.txt', 'new', cvrsFileText([record(1100)])));
    expect(counts().gen - before.gen).toBe(1);

    clock += 16 * 60_000; // past the 15 minutes
    const second = accepted(await client.upload('20261124_25_CAA.txt', 'new', cvrsFileText([record(1101)])));
    expect(second.processingErrors).toEqual([]);
    expect(counts()).toEqual({
      gen: before.gen + 1,
      refresh: before.refresh + 1,
      received: before.received + 2,
    });

    // Refreshed every 15 minutes for a day: still one generated token…
    for (let i = 0; i < 3; i++) {
      clock += 15 * 60_000;
      accepted(await client.upload(`20261124_3${i}_CAA.txt`, 'new', cvrsFileText([record(1110 + i)])));
    }
    expect(counts().gen - before.gen).toBe(1);
    expect(counts().refresh - before.refresh).toBe(4);
    // …until 24 hours after it was generated: a new one, without trying a refresh the stand-in would refuse.
    clock += 24 * 3_600_000;
    accepted(await client.upload('20261125_01_CAA.txt', 'new', cvrsFileText([record(1120)])));
    expect(counts().gen - before.gen).toBe(2);
    expect(counts().refresh - before.refresh).toBe(4);
  });

  it('refuses a refresh of an unknown token, or of one past its 24 hours', async () => {
    const send = nodeSend({ certificate: TLS.clientCert, privateKey: TLS.clientKey, ca: TLS.ca });
    const post = (path: string, headers: Record<string, string>, body = '') =>
      send({ url: `${standin.url}${path}`, headers, body: Buffer.from(body) }, AbortSignal.timeout(5_000));
    const gen = await post(
      '/v0/token/gen',
      { 'content-type': 'application/json' },
      JSON.stringify({ clientID: CLIENT.clientId, clientSecret: CLIENT.clientSecret, scopes: ['UPLOAD'] }),
    );
    const first = JSON.parse(gen.body) as { token: string; expiration: number };
    expect(first.expiration).toBe(Math.floor(clock / 1000) + 900);
    expect((await post('/v0/token/refresh', { authorization: 'nonsense' })).status).toBe(401);

    clock += 23 * 3_600_000 + 50 * 60_000; // 10 minutes of the window left
    const refreshed = await post('/v0/token/refresh', { authorization: first.token });
    expect(refreshed.status).toBe(200);
    const second = JSON.parse(refreshed.body) as { token: string; expiration: number };
    expect(second.token).not.toBe(first.token);
    // Never past the window: 10 minutes, not 15.
    expect(second.expiration).toBe(Math.floor(clock / 1000) + 600);
    // The refreshed token replaces the old one.
    expect((await post('/v0/token/refresh', { authorization: first.token })).status).toBe(401);

    clock += 11 * 60_000;
    expect((await post('/v0/token/refresh', { authorization: second.token })).status).toBe(401);
  });

  it('gzips a file over 1 KiB; the stand-in reads it, and refuses a body that is not gzip', async () => {
    const client = new ClearinghouseClient(good(), { now: () => clock });
    const records = [record(1200), record(1201), record(1202)];
    const receipt = accepted(await client.upload('20261125_02_CAA.txt', 'new', cvrsFileText(records)));
    expect(receipt.validationErrors).toEqual([]);
    expect(standin.received().at(-1)).toMatchObject({
      id: receipt.id,
      contentEncoding: 'gzip',
      records: 3,
      eventIds: records.map((r) => r[EVENT]),
    });

    const send = nodeSend({ certificate: TLS.clientCert, privateKey: TLS.clientKey, ca: TLS.ca });
    const gen = await send(
      {
        url: `${standin.url}/v0/token/gen`,
        headers: { 'content-type': 'application/json' },
        body: Buffer.from(
          JSON.stringify({
            clientID: CLIENT.clientId,
            clientSecret: CLIENT.clientSecret,
            scopes: ['UPLOAD'],
          }),
        ),
      },
      AbortSignal.timeout(5_000),
    );
    const { token } = JSON.parse(gen.body) as { token: string };
    const upload = (headers: Record<string, string>, body: Uint8Array) =>
      send(
        {
          url: `${standin.url}/v0/upload/cvrs/batch`,
          headers: { authorization: token, 'content-type': 'text/plain', ...headers },
          body,
        },
        AbortSignal.timeout(5_000),
      );
    const before = standin.received().length;
    const broken = await upload({ 'content-encoding': 'gzip' }, Buffer.from(cvrsFileText([record(1203)])));
    expect(broken.status).toBe(400);
    expect(JSON.parse(broken.body)).toEqual({
      message: 'The body is not valid gzip (Content-Encoding: gzip)',
    });
    const truncated = gzipSync(cvrsFileText([record(1204), record(1205)])).subarray(0, 200);
    expect((await upload({ 'content-encoding': 'gzip' }, truncated)).status).toBe(400);
    expect((await upload({ 'content-encoding': 'br' }, Buffer.from('x'))).status).toBe(415);
    expect(standin.received().length).toBe(before);
    for (const r of [record(1203), record(1204)]) expect(standin.holds(r[EVENT]!)).toBe(false);
  });
});
