/** Several registry stand-ins at once, and the three (CAIR2, RIDE, SDIR) that npm start runs. */
import { describe, expect, it } from 'vitest';
import { parseAck } from '#codecs/hl7/index.ts';
import { type IisCredentials, submitSingleMessage } from '#registry/soap-client.ts';
import { startRegistryStandin } from '../../local/standins/registry.ts';
import { registryPortsFromEnv, startLocalRegistries } from '../../local/standins/registry-local.ts';
import { vxu } from './registry-vxu.ts';

describe('registry stand-ins side by side', () => {
  it('each keeps its own messages, and stop() ends a request held by timeout', async () => {
    const ride = await startRegistryStandin({ name: 'RIDE', credentials: { username: 'r', password: 'p' } });
    const sdir = await startRegistryStandin({ name: 'SDIR', credentials: { username: 's', password: 'p' } });
    try {
      const out = await submitSingleMessage(
        ride.endpoint,
        { username: 'r', password: 'p', facilityID: 'X' },
        vxu(),
      );
      expect(out.kind).toBe('ack');
      expect(ride.received()).toHaveLength(1);
      expect(sdir.received()).toEqual([]);
      // With no facilityID configured, any facilityID is taken; ACK MSH-3 is the message's MSH-5.
      expect(ride.received()[0]!.ack.startsWith('MSH|^~\\&|CAIR|CAIRBA|')).toBe(true);

      sdir.faults.set({ timeout: true });
      const pending = submitSingleMessage(
        sdir.endpoint,
        { username: 's', password: 'p', facilityID: 'X' },
        vxu(),
        {
          timeoutMs: 3000,
        },
      );
      await new Promise((r) => setTimeout(r, 50));
      await sdir.stop();
      expect(await pending).toMatchObject({ kind: 'retry' });
      expect(sdir.received()).toEqual([]);
    } finally {
      await ride.stop();
      await sdir.stop();
    }
  });
});

describe('the local registries npm start runs', () => {
  it('start CAIR2, RIDE and SDIR with the REGISTRY_CREDENTIALS the reporter reads, each with its MSH-6', async () => {
    const local = await startLocalRegistries();
    try {
      const secret = JSON.parse(local.secretValue) as Record<string, IisCredentials & { endpoint: string }>;
      expect(Object.keys(secret)).toEqual(['CAIR2', 'RIDE', 'SDIR']);
      for (const [name, region] of [
        ['CAIR2', 'CAIRBA'],
        ['RIDE', 'RIDE'],
        ['SDIR', 'SDIR'],
      ] as const) {
        const creds = secret[name]!;
        expect(creds.endpoint).toBe(local.standins[name].endpoint);
        const out = await submitSingleMessage(creds.endpoint, creds, vxu({}, { receivingFacility: region }));
        expect(out.kind === 'ack' && parseAck(out.hl7).ackCode).toBe('AA');
        expect(local.standins[name].received()).toHaveLength(1);
      }
      // A dose routed to the wrong registry is refused by it, not silently kept.
      const sdir = secret.SDIR!;
      const wrong = await submitSingleMessage(sdir.endpoint, sdir, vxu({}, { receivingFacility: 'CAIRBA' }));
      expect(wrong.kind === 'ack' && parseAck(wrong.hl7).ackCode).toBe('AR');
    } finally {
      await local.stop();
    }
  });

  it('read fixed ports from CAIR2_STANDIN_PORT, RIDE_STANDIN_PORT and SDIR_STANDIN_PORT', () => {
    expect(
      registryPortsFromEnv({ CAIR2_STANDIN_PORT: '3101', RIDE_STANDIN_PORT: '', SDIR_STANDIN_PORT: '3103' }),
    ).toEqual({
      CAIR2: 3101,
      SDIR: 3103,
    });
    expect(() => registryPortsFromEnv({ RIDE_STANDIN_PORT: 'abc' })).toThrow(/RIDE_STANDIN_PORT/);
  });
});
