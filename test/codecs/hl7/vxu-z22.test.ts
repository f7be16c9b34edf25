/**
 * What the NIST Z22 profile (CDC IG R1.5) asks of the VXU we build, one rule per test, each as a registry's
 * validator would find it in the message text.
 */
import { describe, expect, it } from 'vitest';
import { doseVolumeMl, hdOf } from '#codecs/hl7/codes.ts';
import { get, parseMessage, repetitions, type Segment } from '#codecs/hl7/message.ts';
import { buildVxu, cairFacilities, type VxuInput } from '#codecs/hl7/vxu.ts';
import type { Dose } from '#doses/fields.ts';
import { demoSite, modernaDose } from '../../fixtures/doses.ts';

const dose = { ...modernaDose(), ...demoSite } as Dose;
const base: VxuInput = {
  messageControlId: 'M-1',
  sentAt: new Date('2021-03-10T20:00:00Z'),
  sendingApplication: 'CA-COVID-PIPELINE',
  receivingApplication: 'CAIR',
  receivingFacility: 'CAIRBA',
  processingId: 'P',
  action: 'A',
  dose,
  ...cairFacilities('CAIRDEMO01', 'CADOSEPIPE'),
};
const segs = (text: string, id: string): Segment[] => parseMessage(text).segments.filter((s) => s.id === id);
const field = (text: string, path: string) => get(parseMessage(text), path);

describe('HD fields (HD_IZ): HD.2 an OID with HD.3 ISO, or both left out', () => {
  it('writes MSH-3..6, PID-3.4 and RXA-11.4 with HD.1 alone, never a PIN as HD.2 or L as HD.3', () => {
    const text = buildVxu(base);
    expect(text).not.toContain('A1B2C3');
    expect(text).not.toMatch(/&L[|^]/);
    expect(field(text, 'RXA-11.4.1')).toBe('CAIRDEMO01');
    expect(field(text, 'RXA-11.4.2')).toBe('');
    expect(field(text, 'RXA-11.4.3')).toBe('');
    expect(field(text, 'MSH-4')).toBe('CADOSEPIPE');
    expect(field(text, 'MSH-4.2')).toBe('');
  });

  it('writes HD.2 and HD.3 ISO only for an OID the registry assigned', () => {
    const text = buildVxu({
      ...base,
      hdOids: { CAIRDEMO01: '2.16.840.1.113883.3.72.5.9', CADOSEPIPE: 'PIPE' },
    });
    expect(field(text, 'RXA-11.4.2')).toBe('2.16.840.1.113883.3.72.5.9');
    expect(field(text, 'RXA-11.4.3')).toBe('ISO');
    expect(field(text, 'PID-3.4.3')).toBe('ISO');
    // Not an OID: left out rather than sent under another type.
    expect(field(text, 'MSH-4.2')).toBe('');
    expect(field(text, 'MSH-4.3')).toBe('');
    expect(hdOf('X', '1.2.3')).toEqual(['X', '1.2.3', 'ISO']);
    expect(hdOf('X', '1.02.3')).toEqual(['X']);
  });

  it('leaves admin_type out of RXA-11.6 (HL7 0305 is not CVRS’s location types)', () => {
    expect(field(buildVxu(base), 'RXA-11.6')).toBe('');
  });
});

describe('dose number (OBX 30973-2)', () => {
  it('is NM with OBX-6 units, as an NM observation must have', () => {
    const text = buildVxu(base);
    const line = text.split('\r').find((l) => l.includes('30973-2'))!;
    expect(line.split('|')[2]).toBe('NM');
    expect(line.split('|')[5]).toBe('1');
    expect(line.split('|')[6]).toBe('NA^Not applicable^HL70353');
  });

  it('is not sent for UNK or INV rather than coded outside HL7 0396', () => {
    for (const dose_num of ['UNK', 'INV']) {
      const text = buildVxu({ ...base, dose: { ...dose, dose_num } });
      expect(text).not.toContain('30973-2');
      expect(text).not.toContain('DCHDOSE');
    }
  });
});

describe('refusals (RXA-20 RE)', () => {
  const refusal = { ...dose, vax_refusal: 'YES', vax_event_id: 'REF-77' } as Dose;

  it('carry 9999 in ORC-3.1 (IZ-45) and our ID in ORC-2 by default', () => {
    const text = buildVxu({ ...base, dose: refusal });
    expect(field(text, 'ORC-3.1')).toBe('9999');
    expect(field(text, 'ORC-2.1')).toBe('REF-77');
    expect(field(text, 'ORC-2.2')).toBe('CAIRDEMO01');
  });

  it('carry no ID of ours when the registry wants none', () => {
    const text = buildVxu({ ...base, dose: refusal, refusalIdAt: 'none' });
    expect(field(text, 'ORC-3.1')).toBe('9999');
    expect(text).not.toContain('REF-77');
  });

  it('keep the event ID in ORC-3 for a dose that was given', () => {
    expect(field(buildVxu(base), 'ORC-3.1')).toBe('EVT-0001');
    expect(field(buildVxu(base), 'ORC-2')).toBe('');
  });
});

describe('RXR', () => {
  it('is left out when the dose has no route, even with a body site (RXR-1 is required)', () => {
    const text = buildVxu({ ...base, dose: { ...dose, vax_route: undefined } });
    expect(segs(text, 'RXR')).toEqual([]);
  });
});

describe('PID-8, PID-10, PID-22', () => {
  it('writes sex as F, M or U only', () => {
    for (const [sex, sent] of [
      ['F', 'F'],
      ['M', 'M'],
      ['U', 'U'],
      ['O', 'U'],
      ['X', 'U'],
    ]) {
      expect(field(buildVxu({ ...base, dose: { ...dose, recip_sex: sex } }), 'PID-8')).toBe(sent);
    }
  });

  it('codes race only in CDCREC and leaves UNK, POL and legacy letters out', () => {
    const text = buildVxu({
      ...base,
      dose: { ...dose, recip_race_1: 'POL', recip_race_2: '2028-9', recip_race_3: 'UNK', recip_race_4: 'W' },
    });
    const pid = segs(text, 'PID')[0]!;
    const races = repetitions(pid, 10).map((rep) => rep.map((c) => c[0]).join('^'));
    expect(races).toEqual(['2028-9^Asian^CDCREC']);
    const none = buildVxu({ ...base, dose: { ...dose, recip_race_1: 'UNK' } });
    expect(field(none, 'PID-10')).toBe('');
    expect(none).not.toContain('NULLFL^');
  });

  it('leaves ethnicity empty for UNK and POL', () => {
    for (const recip_ethnicity of ['UNK', 'POL', 'H']) {
      const text = buildVxu({ ...base, dose: { ...dose, recip_ethnicity } });
      expect(field(text, 'PID-22')).toBe('');
    }
    const pid = buildVxu(base).split('\r')[1]!;
    expect(pid.split('|')[22]).toBe('2135-2^Hispanic or Latino^CDCREC');
  });
});

describe('RXA-6 administered amount', () => {
  it('is the COVID-19 product’s dose volume in mL where the code sets state one', () => {
    expect(doseVolumeMl('207')).toBe('0.5');
    expect(doseVolumeMl('208')).toBe('0.3');
    expect(doseVolumeMl('228')).toBe('0.25');
    expect(doseVolumeMl('225')).toBe('0.5');
    expect(doseVolumeMl('213')).toBeUndefined();
    expect(doseVolumeMl('510')).toBeUndefined();
  });

  it('is 999 with no unit only when the amount is unknown', () => {
    const unknown = buildVxu(base);
    expect(field(unknown, 'RXA-6')).toBe('999');
    expect(field(unknown, 'RXA-7')).toBe('');
    const known = buildVxu({ ...base, administeredAmount: '0.5' });
    expect(field(known, 'RXA-6')).toBe('0.5');
    expect(field(known, 'RXA-7.1')).toBe('mL');
  });
});
