import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modernaDose } from '../fixtures/doses.ts';
import { type Client, client, enroll, type Runtime } from './harness.ts';
import { counties, reported, start } from './registry-harness.ts';

describe('reporting to the regional registries (today’s routing)', () => {
  let rt: Runtime;
  let api: Client;
  beforeAll(async () => {
    rt = await start();
    api = client(rt);
  });
  afterAll(async () => rt?.stop());

  it('routes Sacramento and San Diego to CAIR2 and San Joaquin to RIDE, each accepted', async () => {
    for (const [place, county] of Object.entries(counties)) {
      const site = await enroll(api, { ...county, admin_name: `${place} clinic` });
      const id = `ROUTE-${place}`;
      const post = await api.call('POST', '/v1/doses', {
        key: site.api_key,
        body: modernaDose({ vax_event_id: id }),
      });
      expect(post.json.results[0].status).toBe('accepted');
      const dose = await reported(api, site.api_key, id);
      const expected = place === 'sanJoaquin' ? 'RIDE' : 'CAIR2';
      expect(dose.reports.registry).toMatchObject({ registry: expected, status: 'accepted', sent_as: 'A' });
      const got = rt.registries[expected as 'CAIR2' | 'RIDE']!.received().filter((m) =>
        m.parsed.doses.some((d) => d.vax_event_id === id),
      );
      expect(got).toHaveLength(1);
      expect(got[0]!.ackCode).toBe('AA');
    }
    expect(rt.registries.SDIR!.received()).toEqual([]);
  });

  it('keeps an AE with only warnings as accepted with warnings and never resends it; an AE with an error is rejected with the registry’s words', async () => {
    const site = await enroll(api);
    const noAddress = modernaDose({
      vax_event_id: 'WARN-1',
      recip_address_street: null,
      recip_address_city: null,
      recip_address_zip: null,
      recip_address_county: null,
      recip_address_state: null,
    });
    await api.call('POST', '/v1/doses', { key: site.api_key, body: noAddress });
    const warned = await reported(api, site.api_key, 'WARN-1');
    expect(warned.reports.registry.status).toBe('accepted-with-warnings');
    expect(warned.reports.registry.issues).toEqual([expect.objectContaining({ severity: 'warning' })]);

    await api.call('POST', '/v1/doses', {
      key: site.api_key,
      body: modernaDose({ vax_event_id: 'NORXR-1', vax_route: null, vax_admin_site: null }),
    });
    const rejected = await reported(api, site.api_key, 'NORXR-1');
    expect(rejected.reports.registry.status).toBe('rejected');
    expect(rejected.reports.registry.issues[0]).toMatchObject({
      severity: 'error',
      field: expect.stringMatching(/^RXR/),
    });

    // An update of the accepted-with-warnings dose goes as U; the version already settled is not sent again.
    await api.call('PUT', '/v1/doses/WARN-1', {
      key: site.api_key,
      headers: { 'if-match': '"1"' },
      body: { ...noAddress, lot_number: '060B21A' },
    });
    const updated = await reported(api, site.api_key, 'WARN-1');
    expect(updated.reports.registry).toMatchObject({ sent_as: 'U' });
    const sent = rt.registries
      .CAIR2!.received()
      .filter((m) => m.parsed.doses.some((d) => d.vax_event_id === 'WARN-1'));
    expect(sent.map((m) => m.parsed.doses[0]!.action)).toEqual(['A', 'U']);
  });

  it('with the registry answering HTTP 500 for a while, the dose still arrives exactly once after it recovers', async () => {
    const site = await enroll(api);
    rt.registries.CAIR2!.faults.failNext(3);
    await api.call('POST', '/v1/doses', {
      key: site.api_key,
      body: modernaDose({ vax_event_id: 'FLAKY-1' }),
    });
    const dose = await reported(api, site.api_key, 'FLAKY-1');
    expect(dose.reports.registry.status).toBe('accepted');
    const got = rt.registries
      .CAIR2!.received()
      .filter((m) => m.parsed.doses.some((d) => d.vax_event_id === 'FLAKY-1'));
    expect(got).toHaveLength(1);
  });
});
