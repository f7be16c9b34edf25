/** What the registry reporter hands the VXU builder: every registry choice from registries.json, with its source. */
import { describe, expect, it } from 'vitest';
import { get, parseMessage } from '#codecs/hl7/message.ts';
import { checkProfile } from '#codecs/hl7/profile/check.ts';
import { buildVxu } from '#codecs/hl7/vxu.ts';
import type { Dose } from '#doses/fields.ts';
import { fromItem, toItem } from '#doses/store.ts';
import { REGISTRIES, type RegistryConfig } from '#registry/config.ts';
import registries from '#registry/registries.json' with { type: 'json' };
import { vxuFor } from '#registry/vxu-input.ts';
import { demoSite, modernaDose } from '../fixtures/doses.ts';

const dose = { ...modernaDose(), ...demoSite } as Dose;
const cair2 = REGISTRIES.CAIR2!;
const send = (over: Partial<Parameters<typeof vxuFor>[0]> = {}) =>
  buildVxu(
    vxuFor({
      dose,
      action: 'A',
      config: cair2,
      facilityID: 'CADOSEPIPE',
      messageControlId: 'M-1',
      sentAt: new Date('2021-03-10T20:00:00Z'),
      ...over,
    }),
  );
const obx = (text: string, loinc: string) =>
  text.split('\r').find((l) => l.startsWith('OBX|') && l.split('|')[3]!.startsWith(`${loinc}^`));

describe('the VXU the reporter sends', () => {
  it('reports a historical record as one (RXA-9 01, no lot needed) and the site’s own dose as new (00)', () => {
    const historical = { ...dose, lot_number: undefined, vax_expiration: undefined } as Dose;
    const text = send({ dose: historical, historical: true });
    expect(get(parseMessage(text), 'RXA-9.1')).toBe('01');
    expect(checkProfile(text, 'VXU_Z22').filter((v) => v.severity === 'error')).toEqual([]);
    expect(get(parseMessage(send()), 'RXA-9.1')).toBe('00');
  });

  it('keeps the historical mark with the stored version (and only when set)', () => {
    const version = {
      iis_id: 'S1',
      vax_event_id: 'E1',
      version: 1,
      action: 'A' as const,
      content_hash: 'h',
      dose,
      findings: [],
      stored_at: '2021-03-10T20:00:00.000Z',
      submitted_by: 'S1',
    };
    expect(fromItem(toItem({ ...version, historical: true })).historical).toBe(true);
    expect('historical' in fromItem(toItem(version))).toBe(false);
  });

  it('carries eligibility (64994-7, IZ-23) and funding source (30963-3) for an administered dose', () => {
    const text = send();
    expect(obx(text, '64994-7')?.split('|')[5]).toBe('V01^Not VFC eligible^HL70064');
    expect(obx(text, '64994-7')?.split('|')[17]).toMatch(/^VXC40\^/);
    expect(obx(text, '30963-3')?.split('|')[5]).toBe('VXC50^Public^CDCPHINVS');
  });

  it('carries the product’s dose volume in RXA-6 with mL, from the CVX or from an NDC alone', () => {
    const text = send();
    expect(get(parseMessage(text), 'RXA-6')).toBe('0.5');
    expect(get(parseMessage(text), 'RXA-7.1')).toBe('mL');
    const pfizer = send({ dose: { ...dose, cvx: undefined, ndc: '59267-1000-01', mvx: 'PFR' } });
    expect(get(parseMessage(pfizer), 'RXA-6')).toBe('0.3');
    const unspecified = send({ dose: { ...dose, cvx: '213', ndc: undefined } });
    expect(get(parseMessage(unspecified), 'RXA-6')).toBe('999');
  });

  it('sends a refusal with 999, no eligibility or funding, and its ID in ORC-2 as configured', () => {
    const text = send({ dose: { ...dose, vax_refusal: 'YES' } });
    expect(get(parseMessage(text), 'RXA-6')).toBe('999');
    expect(obx(text, '64994-7')).toBeUndefined();
    expect(obx(text, '30963-3')).toBeUndefined();
    expect(get(parseMessage(text), 'ORC-3.1')).toBe('9999');
    expect(get(parseMessage(text), 'ORC-2.1')).toBe(dose.vax_event_id);
  });

  it('names the SOAP facilityID in MSH-4 and the site in MSH-22 and RXA-11.4 (CAIR2 role 3), whatever the site’s own sending facility', () => {
    for (const siteSendingFacility of [undefined, 'HIE-0042']) {
      const msg = parseMessage(send({ siteSendingFacility }));
      expect(get(msg, 'MSH-4')).toBe('CADOSEPIPE');
      expect(get(msg, 'MSH-22')).toBe('CAIRDEMO01');
      expect(get(msg, 'RXA-11.4.1')).toBe('CAIRDEMO01');
    }
  });

  it('names the site’s sending facility, else the site, in MSH-4 for a registry configured for roles 1 and 2', () => {
    const perSite: RegistryConfig = {
      ...cair2,
      hl7: { ...cair2.hl7, sendingFacility: { value: 'site-sending-facility', source: 'test' } },
    };
    expect(get(parseMessage(send({ config: perSite, siteSendingFacility: 'HIE-0042' })), 'MSH-4')).toBe(
      'HIE-0042',
    );
    expect(get(parseMessage(send({ config: perSite })), 'MSH-4')).toBe('CAIRDEMO01');
  });
});

describe('registries.json', () => {
  it('gives every registry every HL7 choice, each with the source it rests on', () => {
    for (const [name, r] of Object.entries(registries.registries)) {
      const { covid19, ...rest } = r.hl7;
      for (const choice of [...Object.values(rest), ...Object.values(covid19)]) {
        expect(choice, name).toHaveProperty('value');
        expect(choice.source.length, name).toBeGreaterThan(40);
      }
      expect(['soap-facility-id', 'site-sending-facility']).toContain(r.hl7.sendingFacility.value);
      expect(['ORC-2', 'none']).toContain(r.hl7.refusalIdAt.value);
    }
  });
});
