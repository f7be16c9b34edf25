import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modernaDose } from '../fixtures/doses.ts';
import { type Client, client, enroll, type Runtime } from './harness.ts';
import { counties, reported, start } from './registry-harness.ts';

// Its own file: a runtime per test process, since handler modules keep their SDK clients across runtimes.
describe('a registry refusing our credentials', () => {
  let rt: Runtime;
  let api: Client;
  beforeAll(async () => {
    rt = await start();
    api = client(rt);
  });
  afterAll(async () => rt?.stop());

  it('parks its messages instead of burning them into the DLQ, and sends each exactly once when it takes them again', async () => {
    const site = await enroll(api, counties.sanJoaquin);
    rt.registries.RIDE!.faults.set({ securityFault: true });
    for (const id of ['SEC-1', 'SEC-2'])
      await api.call('POST', '/v1/doses', {
        key: site.api_key,
        body: modernaDose({ vax_event_id: id, recip_id: id }),
      });
    // Both are parked (the first after the fault, the second because the registry is paused).
    const until = Date.now() + 20_000;
    while (Date.now() < until) {
      const depths = await rt.queueDepths();
      const reg = depths.find((d) => d.queue === 'registry-changes')!;
      if (reg.visible + reg.inFlight === 0) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const dlq = (await rt.queueDepths()).find((d) => d.queue === 'registry-changes-dlq')!;
    expect(dlq.visible + dlq.inFlight).toBe(0);
    expect(rt.registries.RIDE!.received()).toEqual([]);

    // Credentials fixed; the pause runs out; the schedule releases the parked messages and the reporter probes.
    rt.registries.RIDE!.faults.clear();
    const { pauseRegistry } = await import('#registry/control.ts');
    await pauseRegistry('RIDE', new Date(Date.now() - 1000).toISOString(), 'security');
    await rt.invoke('outboxSweeper', { olderThanSeconds: 900 });
    for (const id of ['SEC-1', 'SEC-2']) {
      const dose = await reported(api, site.api_key, id);
      expect(dose.reports.registry).toMatchObject({ registry: 'RIDE', status: 'accepted' });
    }
    const ids = rt.registries.RIDE!.received().flatMap((m) => m.parsed.doses.map((d) => d.vax_event_id));
    expect(ids.sort()).toEqual(['SEC-1', 'SEC-2']);
  });
});
