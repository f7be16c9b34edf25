import { describe, expect, it } from 'vitest';
import type { Dose } from '../../shared/domain/fields.ts';
import type { Site } from '../../shared/domain/site.ts';
import { buildVxu, cairFacilities, parseAck } from '../../shared/hl7/index.ts';
import { defaultDeps, type IntakeDeps } from '../../shared/intake/submit.ts';
import { groupSequences, hl7ConditionFor, hl7Location, receiveVxu } from '../../shared/intake/vxu-intake.ts';
import { demoSite, modernaDose } from '../fixtures/doses.ts';

const group = { rxa: 2, orc: 2, rxr: 2, obx: new Map([['30973-2', 7]]) };

function vxu(dose: Record<string, unknown>): string {
  return buildVxu({
    messageControlId: 'M1',
    sentAt: new Date('2021-03-10T18:00:00Z'),
    ...cairFacilities(demoSite.iis_id),
    processingId: 'P',
    action: 'A',
    dose: { iis_id: demoSite.iis_id, ...dose } as unknown as Dose,
  });
}

/** No storage: only the site lookup a validation needs. */
const offline: IntakeDeps = {
  ...defaultDeps,
  getSite: async (id) => (id === demoSite.iis_id ? (demoSite as unknown as Site) : undefined),
  getHead: async () => undefined,
  recipientDoses: async () => [],
  insertVersion: async () => {
    throw new Error('nothing may be stored');
  },
};

describe('CVRS findings → HL7 ERR', () => {
  it('places fields by the mapping table', () => {
    expect(hl7Location('lot_number', group)).toBe('RXA^2^15');
    expect(hl7Location('cvx', group)).toBe('RXA^2^5');
    expect(hl7Location('recip_last_name', group)).toBe('PID^1^5^1^1');
    expect(hl7Location('iis_id', group)).toBe('RXA^2^11^1^4');
    expect(hl7Location('vax_event_id', group)).toBe('ORC^2^3^1^1');
    expect(hl7Location('vax_route', group)).toBe('RXR^2^1');
    expect(hl7Location('recip_race_2', group)).toBe('PID^1^10^2');
    expect(hl7Location('dose_num', group)).toBe('OBX^7^5');
    expect(hl7Location('admin_name', group)).toBe('RXA^2');
  });

  it('maps rule codes to HL7 table 0357', () => {
    expect(hl7ConditionFor('REQD001')).toBe('101');
    expect(hl7ConditionFor('DATA007')).toBe('103');
    expect(hl7ConditionFor('DATA009')).toBe('102');
    expect(hl7ConditionFor('BUSR003')).toBe('207');
  });

  it('finds each RXA group’s ORC, RXR and OBX sequences', () => {
    const seqs = groupSequences(vxu(modernaDose()));
    expect(seqs.get(1)).toMatchObject({ rxa: 1, orc: 1, rxr: 1 });
    expect(seqs.get(1)!.obx.get('30973-2')).toBeGreaterThan(0);
  });
});

describe('receiveVxu', () => {
  it('answers AE with one ERR at RXA^1^5 for a missing RXA-5, storing nothing', async () => {
    const { cvx: _c, ndc: _n, ...dose } = modernaDose();
    const out = await receiveVxu(vxu(dose), { role: 'site', iis_id: demoSite.iis_id }, new Date(), offline);
    const ack = parseAck(out.ack);
    expect(ack.ackCode).toBe('AE');
    expect(ack.errors.filter((e) => e.location.startsWith('RXA^1^5'))).toEqual([
      expect.objectContaining({ location: 'RXA^1^5', code: '101', severity: 'E' }),
    ]);
    expect(out.counts).toMatchObject({ doses: 1, rejected: 1, accepted: 0 });
  });

  it('answers AR without reading doses when the message type is wrong', async () => {
    const text = vxu(modernaDose()).replace('VXU^V04^VXU_V04', 'ADT^A01^ADT_A01');
    const out = await receiveVxu(text, { role: 'site', iis_id: demoSite.iis_id }, new Date(), offline);
    expect(out.ackCode).toBe('AR');
    expect(parseAck(out.ack).errors[0]).toMatchObject({ location: 'MSH^1^9', code: '200' });
  });
});
