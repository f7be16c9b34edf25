import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildVxu, cairFacilities } from '#codecs/hl7/index.ts';
import type { Dose } from '#doses/fields.ts';
import { modernaDose } from '../fixtures/doses.ts';
import { drain, startWithSite } from './harness.ts';

const { rt, api, site } = await startWithSite();

beforeAll(async () => {
  await drain(rt.env.REGISTRY_QUEUE_URL!);
  await drain(rt.env.CDC_QUEUE_URL!);
});
afterAll(async () => rt?.stop());

function vxu(n: number, overrides: Record<string, unknown> = {}): string {
  const dose = {
    ...modernaDose({ vax_event_id: `HL7-${n}`, recip_id: `HR-${n}`, ...overrides }),
    iis_id: site.iis_id,
  };
  return buildVxu({
    messageControlId: `M${n}`,
    sentAt: new Date('2021-03-11T10:00:00Z'),
    ...cairFacilities(site.iis_id),
    receivingFacility: 'CAIRBA',
    processingId: 'P',
    action: 'A',
    dose: dose as Dose,
  });
}

describe('an HL7 batch file dropped in S3', () => {
  it('is processed like a CVRS file: valid messages stored and published once, one results row per message', async () => {
    const batch = [
      'FHS|^~\\&|EHR|CLINIC|||20210311',
      'BHS|^~\\&|EHR|CLINIC|||20210311',
      vxu(1).trimEnd(),
      vxu(2, { cvx: null, ndc: null }).trimEnd(),
      vxu(3).trimEnd(),
      'BTS|3',
      'FTS|1',
      '',
    ].join('\r');
    const start = await api.call('POST', '/v1/uploads', {
      key: site.api_key,
      body: { name: 'day.hl7', content_type: 'text/plain' },
    });
    expect(
      (await fetch(start.json.url, { method: 'PUT', headers: start.json.headers, body: batch })).status,
    ).toBe(200);
    let done: any;
    const until = Date.now() + 30_000;
    while (!done && Date.now() < until) {
      const res = await api.call('GET', `/v1/uploads/${start.json.upload_id}`, { key: site.api_key });
      if (res.json.status === 'completed' || res.json.status === 'failed') done = res.json;
      else await new Promise((r) => setTimeout(r, 100));
    }
    expect(done).toMatchObject({
      status: 'completed',
      summary: { rows: 3, accepted: 2, rejected: 1, duplicates: 0 },
    });
    const lines = (await (await fetch(done.results_url)).text()).trimEnd().split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[1]).toMatch(/^1,HL7-1,accepted,/);
    expect(lines[2]).toMatch(/^2,HL7-2,rejected,HL7-101/);
    expect(lines[2]).toContain('RXA^1^5');
    const reg = await drain(rt.env.REGISTRY_QUEUE_URL!);
    expect(reg.map((m) => m.vax_event_id).sort()).toEqual(['HL7-1', 'HL7-3']);
    expect((await drain(rt.env.CDC_QUEUE_URL!)).length).toBe(2);
    expect((await api.call('GET', '/v1/doses/HL7-3', { key: site.api_key })).status).toBe(200);
  });
});
