/**
 * GET /v1/health (docs/operations.md, Pipeline health) against the running pipeline: a registry whose stand-in
 * refuses our credentials shows paused with why and its parked messages, the alarm's condition is active,
 * queue and dead-letter depths are the stand-in's own counts, a site key is refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modernaDose } from '../fixtures/doses.ts';
import { ADMIN_KEY, type Client, client, enroll, type Runtime } from './harness.ts';
import { counties, start } from './registry-harness.ts';

describe('pipeline health', () => {
  let rt: Runtime;
  let api: Client;
  beforeAll(async () => {
    rt = await start();
    api = client(rt);
  });
  afterAll(async () => rt?.stop());

  it('shows a registry paused by a refusal of our credentials, its parked messages, and the queues', async () => {
    const site = await enroll(api, counties.sanJoaquin);
    const before = await api.call('GET', '/v1/health', { key: ADMIN_KEY });
    expect(before.status).toBe(200);
    expect(
      before.json.registries.map((r: { registry: string; state: string }) => [r.registry, r.state]),
    ).toEqual([
      ['CAIR2', 'sending'],
      ['RIDE', 'sending'],
      ['SDIR', 'sending'],
    ]);
    expect(
      before.json.alarms.find((a: { code: string }) => a.code === 'REGISTRY_CREDENTIALS_REFUSED'),
    ).toMatchObject({
      active: false,
    });

    rt.registries.RIDE!.faults.set({ securityFault: true });
    for (const id of ['HEALTH-1', 'HEALTH-2'])
      await api.call('POST', '/v1/doses', {
        key: site.api_key,
        body: modernaDose({ vax_event_id: id, recip_id: id }),
      });
    let health = before;
    const until = Date.now() + 20_000;
    while (Date.now() < until) {
      health = await api.call('GET', '/v1/health', { key: ADMIN_KEY });
      const ride = health.json.registries.find((r: { registry: string }) => r.registry === 'RIDE');
      if (ride.state === 'paused' && ride.parked === 2) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const ride = health.json.registries.find((r: { registry: string }) => r.registry === 'RIDE');
    expect(ride).toMatchObject({ state: 'paused', reason: 'security', parked: 2, parkedCapped: false });
    expect(Date.parse(ride.until)).toBeGreaterThan(Date.now());
    expect(
      health.json.alarms.find((a: { code: string }) => a.code === 'REGISTRY_CREDENTIALS_REFUSED'),
    ).toMatchObject({
      active: true,
      detail: expect.stringContaining('RIDE refused our credentials'),
    });

    // The queues as the stand-in counts them (each queue and its DLQ).
    const depths = await rt.queueDepths();
    const named = new Map(depths.map((d) => [d.queue, d.visible + d.inFlight]));
    expect(health.json.queues.map((q: { queue: string }) => q.queue).sort()).toEqual(
      ['cdc', 'ingestChunks', 'ingestFiles', 'persons', 'registry'].sort(),
    );
    for (const q of health.json.queues) {
      expect(
        Number.isInteger(q.waiting) && Number.isInteger(q.inFlight) && Number.isInteger(q.deadLetters),
      ).toBe(true);
    }
    expect(health.json.queues.find((q: { queue: string }) => q.queue === 'registry').deadLetters).toBe(
      named.get('registry-changes-dlq'),
    );
    expect(health.json.cdc).toHaveLength(7);
    expect(health.json.uploads).toMatchObject({
      by_status: { received: 0, processing: 0, completed: 0, failed: 0 },
      by_status_capped: false,
      stuck_after_minutes: 15,
      stuck: [],
      failed: [],
    });
    // Nothing has run overnight in a fresh world: no day, and ok only before the jobs' deadlines.
    for (const job of ['rollup', 'analytics'])
      expect(health.json.nightly[job]).toMatchObject({
        day: null,
        completed_at: null,
        ok: expect.any(Boolean),
      });
    // Nothing of a dose or a person in it.
    expect(JSON.stringify(health.json)).not.toMatch(/HEALTH-1|PAT-|recip_/);

    const refused = await api.call('GET', '/v1/health', { key: site.api_key });
    expect(refused.status).toBe(403);
    rt.registries.RIDE!.faults.clear();
  });
});
