import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modernaDose } from '../fixtures/doses.ts';
import { client, enroll, type Runtime } from './harness.ts';
import { counties, reported, start } from './registry-harness.ts';

// Its own file: a runtime per test process, since handler modules keep their SDK clients across runtimes.
describe('reporting with the routing table read as of 2021', () => {
  let rt: Runtime;
  beforeAll(async () => {
    rt = await start({ REGISTRY_ROUTING_AS_OF: '2021-06-01' });
  });
  afterAll(async () => rt?.stop());

  it('sends a San Diego dose to SDIR', async () => {
    const api = client(rt);
    const site = await enroll(api, counties.sanDiego);
    await api.call('POST', '/v1/doses', {
      key: site.api_key,
      body: modernaDose({ vax_event_id: 'SD-2021' }),
    });
    const dose = await reported(api, site.api_key, 'SD-2021');
    expect(dose.reports.registry).toMatchObject({ registry: 'SDIR', status: 'accepted' });
    expect(rt.registries.SDIR!.received()).toHaveLength(1);
  });
});
