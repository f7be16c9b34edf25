import { describe, expect, it } from 'vitest';
import { HL7_0357, HL7_0533, RULE_CODE_SYSTEM } from '#codecs/hl7/errors.ts';
import { RULE_HL7 } from '#codecs/hl7/findings.ts';
import { buildVxu, cairFacilities, parseAck, parseMessage, value } from '#codecs/hl7/index.ts';
import { checkProfile } from '#codecs/hl7/profile/check.ts';
import type { Dose } from '#doses/fields.ts';
import type { DoseVersion } from '#doses/store.ts';
import { defaultDeps, type IntakeDeps } from '#doses/submit.ts';
import { groupSequences, hl7ConditionFor, hl7Location } from '#doses/vxu-errors.ts';
import { receiveVxu } from '#doses/vxu-intake.ts';
import { RULES, type RuleCode } from '#platform/findings.ts';
import type { Site } from '#sites/site.ts';
import { demoSite, modernaDose, refusalDose } from '../fixtures/doses.ts';

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

  it('maps rule codes to HL7 table 0357 by what they find wrong', () => {
    expect(hl7ConditionFor('REQD001')).toBe('101');
    expect(hl7ConditionFor('DATA007')).toBe('103');
    expect(hl7ConditionFor('DATA009')).toBe('102');
    expect(hl7ConditionFor('BUSR003')).toBe('103');
    expect(hl7ConditionFor('BUSR005')).toBe('102');
    expect(hl7ConditionFor('DQ017')).toBe('205');
  });

  it('gives every rule an ERR-3 code of 0357 and an ERR-5 code of 0533, and none says we failed (207)', () => {
    for (const code of Object.keys(RULES)) {
      const codes = RULE_HL7[code as RuleCode];
      expect(codes, code).toBeDefined();
      expect(HL7_0357[codes.condition], code).toBeDefined();
      expect(HL7_0533[codes.application], code).toBeDefined();
      expect(hl7ConditionFor(code), code).not.toBe('207');
    }
    expect(Object.keys(RULE_HL7).sort()).toEqual(Object.keys(RULES).sort());
  });

  it('writes ERR-5 as the 0533 code with our rule code as its alternate, in our local coding system', async () => {
    const out = await receiveVxu(
      vxu(modernaDose({ admin_date: '2021-03-10', recip_dob: '2021-03-11' })),
      { role: 'site', iis_id: demoSite.iis_id },
      new Date('2021-03-12T18:00:00Z'),
      offline,
    );
    const errs = parseMessage(out.ack).segments.filter((s) => s.id === 'ERR');
    const busr005 = errs.find((e) => value(e, 5, 4) === 'BUSR005');
    expect(busr005).toBeDefined();
    expect(value(busr005, 3, 1)).toBe('102');
    expect([1, 2, 3, 4, 5, 6].map((c) => value(busr005, 5, c))).toEqual([
      '1',
      'Illogical Date error',
      'HL70533',
      'BUSR005',
      'BUSR005',
      RULE_CODE_SYSTEM,
    ]);
    expect(RULE_CODE_SYSTEM).toMatch(/^99[A-Z0-9]{1,18}$/);
    for (const e of errs) expect(value(e, 8).length).toBeLessThanOrEqual(250);
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

/** Storage in memory, with the conditional put's answer: enough for adds, duplicates and conflicts. */
function memory(): IntakeDeps & { stored: Map<string, DoseVersion> } {
  const stored = new Map<string, DoseVersion>();
  return {
    ...offline,
    stored,
    getHead: async (iis, id) => stored.get(`${iis}#${id}`),
    insertVersion: async (v) => {
      const key = `${v.iis_id}#${v.vax_event_id}`;
      const existing = stored.get(key);
      if (existing) return { stored: false, existing };
      stored.set(key, v);
      return { stored: true };
    },
    writeIntents: async () => {},
    deleteIntents: async () => {},
    shrinkIntent: async () => {},
    publish: async () => new Map(),
  };
}

/** A message with some fields replaced (`SEG-n` → value, first segment of that name; MSH is not edited). */
function edit(text: string, fields: Record<string, string>, drop: (line: string) => boolean = () => false) {
  const lines = text.split('\r').filter((l) => l !== '' && !drop(l));
  for (const [at, v] of Object.entries(fields)) {
    const [seg, n] = at.split('-') as [string, string];
    const i = lines.findIndex((l) => l.startsWith(`${seg}|`));
    const parts = lines[i]!.split('|');
    while (parts.length <= Number(n)) parts.push('');
    parts[Number(n)] = v;
    lines[i] = parts.join('|');
  }
  return `${lines.join('\r')}\r`;
}

const site = { role: 'site', iis_id: demoSite.iis_id } as const;
const at = new Date('2021-03-12T18:00:00Z');
const ruleCodes = (ack: string) =>
  parseMessage(ack)
    .segments.filter((s) => s.id === 'ERR')
    .map((e) => `${value(e, 5, 4)} ${value(e, 4)}`);

describe('receiveVxu: what Z22 allows is accepted', () => {
  it('accepts a historical dose (RXA-9 01) without lot and expiration; a new administration (00) still needs them', async () => {
    const deps = memory();
    const noLot = (id: string) => {
      const { lot_number: _l, vax_expiration: _e, ...dose } = modernaDose({ vax_event_id: id });
      return dose;
    };
    const historical = edit(vxu(noLot('HIST-1')), {
      'RXA-9': '01^Historical information - source unspecified^NIP001',
    });
    const given = edit(vxu(noLot('NEW-1')), {
      'RXA-9': '00^New immunization record^NIP001',
    });
    const h = await receiveVxu(historical, site, at, deps);
    const g = await receiveVxu(given, site, at, deps);
    expect(h.counts).toMatchObject({ accepted: 1, rejected: 0 });
    expect(h.ackCode).toBe('AA');
    // Stored as historical, so the registry reporter sends it as one (RXA-9 01), not as a dose without a lot.
    expect(deps.stored.get(`${demoSite.iis_id}#HIST-1`)?.historical).toBe(true);
    expect(g.counts).toMatchObject({ accepted: 0, rejected: 1 });
    expect(ruleCodes(g.ack)).toEqual(expect.arrayContaining(['DQ006 E']));
  });

  it('keys a refusal sent with ORC-3 9999 by its content: a second refusal is new, the same one again a duplicate', async () => {
    const deps = memory();
    const refusal = (day: string) =>
      edit(vxu(refusalDose({ vax_event_id: 'X', admin_date: day })), {
        'ORC-2': '',
        'ORC-3': '9999^CAIRDEMO01',
        'RXA-18': '03^Patient decision^NIP002',
      });
    const first = await receiveVxu(refusal('2021-03-09'), site, at, deps);
    const second = await receiveVxu(refusal('2021-03-10'), site, at, deps);
    const again = await receiveVxu(refusal('2021-03-09'), site, at, deps);
    expect(first.counts).toMatchObject({ accepted: 1 });
    expect(second.counts).toMatchObject({ accepted: 1 });
    expect(again.counts).toMatchObject({ accepted: 0, duplicate: 1 });
    expect(first.eventIds[0]).toMatch(/^RE-[0-9A-F]{24}$/);
    expect(second.eventIds[0]).not.toBe(first.eventIds[0]);
    expect(again.eventIds).toEqual(first.eventIds);
    expect([...deps.stored.keys()].some((k) => k.endsWith('#9999'))).toBe(false);
  });

  it('accepts a dose with a body site (RXR-2) outside HL7 0163, with a warning, and stores it without one', async () => {
    const deps = memory();
    const text = edit(vxu(modernaDose({ vax_event_id: 'SITE-1' })), { 'RXR-2': 'XX^Elbow^HL70163' });
    const out = await receiveVxu(text, site, at, deps);
    expect(out.counts).toMatchObject({ accepted: 1, rejected: 0 });
    expect(out.ackCode).toBe('AE');
    const errs = parseAck(out.ack).errors;
    expect(errs).toEqual([expect.objectContaining({ location: 'RXR^1^2', code: '103', severity: 'W' })]);
    expect(ruleCodes(out.ack)).toEqual(['DATA007 W']);
    expect(deps.stored.get(`${demoSite.iis_id}#SITE-1`)!.dose.vax_admin_site).toBeUndefined();
  });

  it('accepts a message without race, ethnicity, dose number or series status, filling UNK as CDC’s converter does', async () => {
    const deps = memory();
    const text = edit(
      vxu(modernaDose({ vax_event_id: 'RE-FIELDS' })),
      { 'PID-10': '', 'PID-22': '' },
      (l) => l.includes('30973-2') || l.includes('59783-1'),
    );
    const out = await receiveVxu(text, site, at, deps);
    expect(out.counts).toMatchObject({ accepted: 1, rejected: 0 });
    expect(ruleCodes(out.ack).sort()).toEqual(['REQD001 W', 'REQD001 W', 'REQD001 W', 'REQD001 W']);
    expect(parseAck(out.ack).errors.every((e) => e.code === '101')).toBe(true);
    expect(deps.stored.get(`${demoSite.iis_id}#RE-FIELDS`)!.dose).toMatchObject({
      recip_race_1: 'UNK',
      recip_ethnicity: 'UNK',
      dose_num: 'UNK',
      vax_series_complete: 'UNK',
    });
  });

  it('reads RXA-11 as Z22 has it: HD.2 with HD.3 ISO is an OID, not a VTrckS PIN, and RXA-11.6 is HL7 0305, not admin_type', async () => {
    const deps = memory();
    const text = edit(vxu(modernaDose({ vax_event_id: 'LA2-1' })), {
      'RXA-11': `^^^${demoSite.iis_id}&2.16.840.1.113883.3.1&ISO^^C`,
    });
    const out = await receiveVxu(text, site, at, deps);
    expect(ruleCodes(out.ack)).toEqual([]);
    expect(out.counts).toMatchObject({ accepted: 1 });
    expect(deps.stored.get(`${demoSite.iis_id}#LA2-1`)!.dose).toMatchObject({
      vtrcks_prov_pin: demoSite.vtrcks_prov_pin,
      admin_type: demoSite.admin_type,
    });
  });

  it('answers a finding about the patient once, not once per dose', async () => {
    const { recip_address_county: _c, ...dose } = modernaDose({ vax_event_id: 'TWO-1' });
    const one = vxu(dose);
    const lines = one.split('\r').filter((l) => l !== '');
    const group = lines.filter((l) => /^(ORC|RXA|RXR|OBX)\|/.test(l));
    const second = group.map((l) => l.replace('TWO-1', 'TWO-2'));
    const out = await receiveVxu(`${[...lines, ...second].join('\r')}\r`, site, at, memory());
    expect(out.counts).toMatchObject({ doses: 2, accepted: 2 });
    expect(ruleCodes(out.ack)).toEqual(['BUSR009 W']);
  });

  it('answers every outcome (AA, AE with warnings, AE with errors, AR) with an ACK the Z23 profile accepts', async () => {
    const deps = memory();
    const acks = [
      await receiveVxu(vxu(modernaDose({ vax_event_id: 'Z23-AA' })), site, at, deps),
      await receiveVxu(edit(vxu(modernaDose({ vax_event_id: 'Z23-W' })), { 'RXR-2': 'XX' }), site, at, deps),
      await receiveVxu(vxu(modernaDose({ vax_event_id: 'Z23-E', cvx: '03' })), site, at, deps),
      await receiveVxu(vxu(modernaDose()).replace('VXU^V04^VXU_V04', 'ADT^A01^ADT_A01'), site, at, deps),
    ];
    expect(acks.map((a) => a.ackCode)).toEqual(['AA', 'AE', 'AE', 'AR']);
    for (const a of acks)
      expect(
        checkProfile(a.ack, 'ACK_Z23').filter((v) => v.severity === 'error'),
        a.ack,
      ).toEqual([]);
  });
});

describe('receiveVxu: a delete naming another site is no existence oracle (issue 12, defect 7)', () => {
  const other = { ...demoSite, iis_id: 'OTHERSITE1', sending_facility: undefined } as unknown as Site;
  const deps = () => {
    const d = memory();
    d.getSite = async (id) =>
      id === demoSite.iis_id ? (demoSite as unknown as Site) : id === other.iis_id ? other : undefined;
    return d;
  };
  const stored = (id: string, action: 'A' | 'D', version = 1) =>
    ({ iis_id: other.iis_id, vax_event_id: id, version, action }) as unknown as DoseVersion;
  const deleteAt = (iis: string, id: string) =>
    edit(vxu(modernaDose({ vax_event_id: id, iis_id: iis })), { 'RXA-21': 'D' });
  const answer = (out: Awaited<ReturnType<typeof receiveVxu>>) => {
    const ack = parseAck(out.ack);
    return { code: ack.ackCode, errors: ack.errors, counts: out.counts };
  };

  it('answers the same for an ID stored there, deleted there and never stored, as for one never stored at all', async () => {
    const d = deps();
    d.stored.set(`${other.iis_id}#THEIRS-1`, stored('THEIRS-1', 'A'));
    d.stored.set(`${other.iis_id}#THEIRS-2`, stored('THEIRS-2', 'D', 2));
    const read: string[] = [];
    const getHead = d.getHead;
    d.getHead = async (iis, id) => {
      read.push(`${iis}#${id}`);
      return getHead(iis, id);
    };
    const answers = [];
    for (const id of ['THEIRS-1', 'THEIRS-2', 'THEIRS-X'])
      answers.push(
        answer(
          await receiveVxu(deleteAt(other.iis_id, id).replaceAll(id, 'SAME-ID'), site, at, {
            ...d,
            getHead: async (iis, x) => d.getHead(iis, x === 'SAME-ID' ? id : x),
          }),
        ),
      );
    expect(answers[0]).toEqual(answers[2]);
    expect(answers[1]).toEqual(answers[2]);
    expect(answers[2]!.errors.map((e) => e.text).join(' ')).toContain(
      'No dose SAME-ID is stored for OTHERSITE1',
    );
    expect(read.filter((k) => k.startsWith(other.iis_id))).toEqual([]);
    expect(d.stored.get(`${other.iis_id}#THEIRS-1`)?.action).toBe('A');
  });
});
