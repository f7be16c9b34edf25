import { describe, expect, it } from 'vitest';
import { ackCodeFor } from '#codecs/hl7/ack.ts';
import { parseVxu } from '#codecs/hl7/vxu.ts';

const MSH =
  'MSH|^~\\&|EHR|DE-000001||CAIRBA|20210310093015-0800||VXU^V04^VXU_V04|M-1|P|2.5.1|||ER|AL|||||Z22^CDCPHINVS|DE-000001';
const PID = 'PID|1||PA1^^^DE-000001^MR||Doe^Jane^^^^^L||19800101|F';
const ORC = 'ORC|RE||EVT-1^DE-000001';
const RXA =
  'RXA|0|1|20210310||207^Moderna^CVX|999|||00^New^NIP001||^^^DE-000001||||LOT123|20210630|MOD^Moderna^MVX|||CP|A';

/** A message from segments, with one RXA field replaced (`RXA-n` → value). */
function vxu(
  parts: { msh?: string; pid?: string | null; groups?: string[][]; rxa?: Record<number, string> } = {},
) {
  const rxa = RXA.split('|');
  for (const [n, v] of Object.entries(parts.rxa ?? {})) rxa[Number(n)] = v;
  const groups = parts.groups ?? [[ORC, rxa.join('|')]];
  return [parts.msh ?? MSH, ...(parts.pid === null ? [] : [parts.pid ?? PID]), ...groups.flat()].join('\r');
}
const errorsOf = (text: string) => parseVxu(text).errors.map((e) => `${e.location} ${e.code} ${e.severity}`);

describe('parseVxu errors', () => {
  it('reads a complete message without error', () => {
    expect(parseVxu(vxu()).errors).toEqual([]);
    expect(ackCodeFor([])).toBe('AA');
  });

  it('reports a missing RXA-5 at RXA^1^5 as required (AE)', () => {
    const out = parseVxu(vxu({ rxa: { 5: '' } }));
    expect(out.errors).toEqual([
      {
        location: 'RXA^1^5',
        code: '101',
        severity: 'E',
        text: 'RXA-5 (vaccine given) is empty; send the CVX code.',
      },
    ]);
    expect(ackCodeFor(out.errors)).toBe('AE');
    expect(out.doses).toHaveLength(1);
    expect(out.doses[0]!.errors).toEqual(out.errors);
  });

  it('keeps patient errors out of each dose’s own list: they concern every dose', () => {
    const out = parseVxu(vxu({ pid: 'PID|1||||Doe^Jane||19800101|F' }));
    expect(out.errors.map((e) => e.location)).toEqual(['PID^1^3']);
    expect(out.doses[0]!.errors).toEqual([]);
  });

  it.each([
    ['PID-3', 'PID|1||||Doe^Jane^^^^^L||19800101|F', 'PID^1^3 101 E'],
    ['PID-5', 'PID|1||PA1^^^X^MR||||19800101|F', 'PID^1^5 101 E'],
    ['PID-5.1', 'PID|1||PA1^^^X^MR||^Jane||19800101|F', 'PID^1^5^1^1 101 E'],
    ['PID-5.2', 'PID|1||PA1^^^X^MR||Doe||19800101|F', 'PID^1^5^1^2 101 E'],
    ['PID-7', 'PID|1||PA1^^^X^MR||Doe^Jane||""|F', 'PID^1^7 101 E'],
    ['a bad PID-7', 'PID|1||PA1^^^X^MR||Doe^Jane||19800231|F', 'PID^1^7 102 E'],
  ])('reports %s', (_name, pid, expected) => {
    expect(errorsOf(vxu({ pid }))).toEqual([expected]);
  });

  it.each([
    ['an empty RXA-3', { 3: '' }, 'RXA^1^3 101 E'],
    ['a bad RXA-3', { 3: '2021031' }, 'RXA^1^3 102 E'],
    ['a missing lot for an administered dose', { 15: '' }, 'RXA^1^15 101 E'],
    ['a bad expiration (kept as a warning, value left out)', { 16: '06/2021' }, 'RXA^1^16 102 W'],
    ['an NDC that is not one', { 5: '207^Moderna^CVX^12345^X^NDC' }, 'RXA^1^5^1^4 102 W'],
    ['RXA-20 NA', { 20: 'NA' }, 'RXA^1^20 103 E'],
    ['an unknown RXA-20', { 20: 'XX' }, 'RXA^1^20 103 E'],
    ['an unknown RXA-21', { 21: 'X' }, 'RXA^1^21 103 E'],
  ])('reports %s', (_name, rxa, expected) => {
    expect(errorsOf(vxu({ rxa }))).toEqual([expected]);
  });

  it('does not ask for a lot on a refusal, a historical dose or a delete', () => {
    expect(
      errorsOf(vxu({ rxa: { 15: '', 16: '', 17: '', 18: '00^Parental decision^NIP002', 20: 'RE' } })),
    ).toEqual([]);
    expect(errorsOf(vxu({ rxa: { 15: '', 9: '01^Historical^NIP001' } }))).toEqual([]);
    expect(errorsOf(vxu({ rxa: { 15: '', 21: 'D' } }))).toEqual([]);
  });

  it('reads an empty RXA-20 as completed and an empty RXA-21 as an add, as HL7 defaults them', () => {
    const [dose] = parseVxu(vxu({ rxa: { 20: '', 21: '' } })).doses;
    expect(dose).toMatchObject({ action: 'A', dose: { vax_refusal: 'NO' } });
  });

  it('finds the CVX from an NDC sent alone', () => {
    const out = parseVxu(vxu({ rxa: { 5: '59267-1000-01^Pfizer^NDC' } }));
    expect(out.errors).toEqual([]);
    expect(out.doses[0]!.dose).toMatchObject({ cvx: '208', ndc: '59267-1000-01' });
  });

  it('reads a bare CVX without coding system, and a 10-digit NDC layout normalized', () => {
    const out = parseVxu(vxu({ rxa: { 5: '207^^^80777-273-10^^NDC' } }));
    expect(out.doses[0]!.dose).toMatchObject({ cvx: '207', ndc: '80777-0273-10' });
  });

  it('places each error of a second dose at that dose’s own RXA and ORC', () => {
    const text = vxu({
      groups: [
        [ORC, RXA],
        ['ORC|RE||', RXA.replace('LOT123', '')],
      ],
    });
    const out = parseVxu(text);
    expect(out.errors.map((e) => e.location)).toEqual(['ORC^2^3', 'RXA^2^15']);
    expect(out.doses.map((d) => d.rxaIndex)).toEqual([1, 2]);
    expect(out.doses.map((d) => d.errors.map((e) => e.location))).toEqual([[], ['ORC^2^3', 'RXA^2^15']]);
    expect(out.doses[0]!.dose.vax_event_id).toBe('EVT-1');
  });

  it.each([
    [
      'a message type other than VXU',
      { msh: MSH.replace('VXU^V04^VXU_V04', 'ADT^A01^ADT_A01') },
      'MSH^1^9 200 E',
    ],
    ['an event other than V04', { msh: MSH.replace('VXU^V04^VXU_V04', 'VXU^V99') }, 'MSH^1^9 201 E'],
  ])('rejects %s without reading its content', (_name, parts, expected) => {
    const out = parseVxu(vxu(parts));
    expect(errorsOf(vxu(parts))).toEqual([expected]);
    expect(out.doses).toEqual([]);
    expect(ackCodeFor(out.errors)).toBe('AR');
  });

  it.each([
    ['processing ID D', MSH.replace('|P|2.5.1|', '|D|2.5.1|'), 'MSH^1^11 202 E'],
    ['version 2.3.1', MSH.replace('|2.5.1|', '|2.3.1|'), 'MSH^1^12 203 E'],
    ['another profile', MSH.replace('Z22^CDCPHINVS', 'Z31^CDCPHINVS'), 'MSH^1^21 200 E'],
    ['no control ID', MSH.replace('|M-1|', '||'), 'MSH^1^10 101 E'],
  ])('answers %s with AR', (_name, msh, expected) => {
    const out = parseVxu(vxu({ msh }));
    expect(errorsOf(vxu({ msh }))).toEqual([expected]);
    expect(ackCodeFor(out.errors)).toBe('AR');
  });

  it('reports structure: no PID, no order group, an RXA without ORC, a second PID or MSH', () => {
    expect(errorsOf(vxu({ pid: null }))).toEqual(expect.arrayContaining(['PID^1 100 E']));
    expect(errorsOf(vxu({ groups: [] }))).toEqual(['ORC^1 100 E']);
    expect(errorsOf(vxu({ groups: [[RXA]] }))).toEqual(['RXA^1 100 E']);
    expect(parseVxu(vxu({ groups: [[RXA]] })).doses[0]!.errors).toHaveLength(1);
    expect(errorsOf(vxu({ groups: [[PID, ORC, RXA]] }))).toEqual(['PID^2 100 E']);
    expect(errorsOf(`${vxu()}\r${MSH}`)).toEqual(['MSH^2 100 E']);
  });

  it('answers text that is no HL7 message with a single error and no control ID', () => {
    const out = parseVxu('<soap:Envelope/>');
    expect(out.errors).toEqual([{ location: 'MSH^1', code: '100', severity: 'E', text: expect.any(String) }]);
    expect(out.messageControlId).toBe('');
    expect(ackCodeFor(out.errors)).toBe('AR');
  });

  it('warns on an observation answer it cannot read, and leaves it out', () => {
    const text = vxu({ groups: [[ORC, RXA, 'OBX|1|CE|59783-1^Status^LN|1|MAYBE^Maybe^L||||||F']] });
    const out = parseVxu(text);
    expect(errorsOf(text)).toEqual(['OBX^1^5 103 W']);
    expect(out.doses[0]!.dose).not.toHaveProperty('vax_series_complete');
  });

  it('reads series status as other senders write it', () => {
    const series = (answer: string) =>
      parseVxu(vxu({ groups: [[ORC, RXA, `OBX|1|CE|59783-1^Status^LN|1|${answer}||||||F`]] })).doses[0]!.dose
        .vax_series_complete;
    expect(series('LA13421-5^Complete^LN')).toBe('YES');
    expect(series('YES')).toBe('YES');
    expect(series('LA13423-1^Overdue^LN')).toBe('NO');
    expect(series('UNK^Unknown^NullFlavor')).toBe('UNK');
  });

  it('keeps more than six races out with a warning, and picks the MR identifier and the legal name', () => {
    const pid =
      'PID|1||SS1^^^SSA^SS~PA1^^^DE-000001^MR||Smith^Al^^^^^A~Doe^Jane^^^^^L||19800101|F||1002-5~2028-9~2054-5~2076-8~2106-3~2131-1~UNK';
    const out = parseVxu(vxu({ pid }));
    expect(errorsOf(vxu({ pid }))).toEqual(['PID^1^10 102 W']);
    expect(out.doses[0]!.dose).toMatchObject({
      recip_id: 'PA1',
      recip_last_name: 'Doe',
      recip_first_name: 'Jane',
      recip_race_6: '2131-1',
    });
  });
});
