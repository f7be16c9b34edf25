/** The ACK rules of the registry stand-in (local/standins/registry-ack.ts): what CAIR2 would answer to a VXU. */
import { describe, expect, it } from 'vitest';
import { classifyAck, parseAck } from '#codecs/hl7/index.ts';
import { ackText, judgeVxu } from '../../local/standins/registry-ack.ts';
import { NO_ADDRESS, SENT_AT, setField, vxu, withoutSegments } from './registry-vxu.ts';

const where = (errors: readonly { location: string; code: string; severity: string }[]) =>
  errors.map((e) => `${e.location} ${e.code} ${e.severity}`);

describe('registry stand-in ACK rules', () => {
  it('AA for a complete administered dose, with its summary', () => {
    const j = judgeVxu(vxu(), { expectedReceivingFacility: 'CAIRBA' });
    expect(j.errors).toEqual([]);
    expect(j.ackCode).toBe('AA');
    expect(j.messageControlId).toBe('MSG-0001');
    expect(j.doses).toEqual([{ vax_event_id: 'EVT-0001', action: 'A', iis_id: 'CAIRDEMO01' }]);
  });

  it.each([
    ['PID-3 patient id', { recip_id: undefined }, 'PID^1^3 101 E'],
    ['PID-5.1 last name', { recip_last_name: undefined }, 'PID^1^5^1^1 101 E'],
    ['PID-5.2 first name', { recip_first_name: undefined }, 'PID^1^5^1^2 101 E'],
    ['PID-7 date of birth', { recip_dob: undefined }, 'PID^1^7 101 E'],
    ['RXA-3 admin date', { admin_date: undefined }, 'RXA^1^3 101 E'],
    ['RXA-5 vaccine', { cvx: undefined, ndc: undefined }, 'RXA^1^5 101 E'],
    ['RXA-15 lot', { lot_number: undefined }, 'RXA^1^15 101 E'],
    ['RXR for an administered dose', { vax_route: undefined, vax_admin_site: undefined }, 'RXR^1 100 E'],
  ])('AE with an E when %s is missing', (_what, overrides, expected) => {
    const j = judgeVxu(vxu(overrides));
    expect(j.ackCode).toBe('AE');
    expect(where(j.errors)).toContain(expected);
    expect(classifyAck(j)).toBe('rejected');
  });

  it('AE with only W for a dose without address or dose number: CAIR2 keeps it', () => {
    const j = judgeVxu(vxu({ ...NO_ADDRESS, dose_num: undefined }));
    expect(j.ackCode).toBe('AE');
    expect(where(j.errors)).toEqual(['PID^1^11 101 W', 'RXA^1 101 W']);
    expect(classifyAck(j)).toBe('accepted-with-warnings');
  });

  it('no lot, RXR or dose number needed for a refusal or a historical dose; a delete still needs its lot', () => {
    const bare = {
      lot_number: undefined,
      vax_route: undefined,
      vax_admin_site: undefined,
      dose_num: undefined,
    };
    expect(judgeVxu(vxu({ ...bare, vax_refusal: 'YES' })).ackCode).toBe('AA');
    expect(judgeVxu(vxu(bare, { informationSource: '01' })).ackCode).toBe('AA');
    // Z22 asks for the lot of a new administration (RXA-9 00) whatever RXA-21 says; our deletes carry it.
    expect(judgeVxu(vxu({ ...bare, lot_number: '039K20A' }, { action: 'D' })).ackCode).toBe('AA');
    expect(where(judgeVxu(vxu(bare, { action: 'D' })).errors)).toContain('RXA^1^15 101 E');
  });

  it.each([
    ['another profile', (m: string) => setField(m, 'MSH', 21, 'Z23^CDCPHINVS'), 'MSH^1^21 200 E'],
    ['an empty profile', (m: string) => setField(m, 'MSH', 21, ''), 'MSH^1^21 101 E'],
    ['Z22 of another authority', (m: string) => setField(m, 'MSH', 21, 'Z22^OTHER'), 'MSH^1^21 200 E'],
    ['processing ID D', (m: string) => setField(m, 'MSH', 11, 'D'), 'MSH^1^11 202 E'],
    ['a QBP', (m: string) => setField(m, 'MSH', 9, 'QBP^Q11^QBP_Q11'), 'MSH^1^9 200 E'],
    ['a VXU^V03', (m: string) => setField(m, 'MSH', 9, 'VXU^V03'), 'MSH^1^9 201 E'],
    ['version 2.3.1', (m: string) => setField(m, 'MSH', 12, '2.3.1'), 'MSH^1^12 203 E'],
  ])('AR for %s, answering only the header', (_what, change, expected) => {
    // The lot is missing too: an AR does not read the content, so it does not say so.
    const j = judgeVxu(change(vxu({ lot_number: undefined })));
    expect(j.ackCode).toBe('AR');
    expect(where(j.errors)).toEqual([expected]);
  });

  it.each([
    ['a sex outside HL7 0001', (m: string) => setField(m, 'PID', 8, 'X'), 'PID^1^8 103 E'],
    ['an amount that is not a number', (m: string) => setField(m, 'RXA', 6, 'half'), 'RXA^1^6 102 E'],
    [
      'a lot number over 20 characters',
      (m: string) => setField(m, 'RXA', 15, 'L'.repeat(21)),
      'RXA^1^15 102 E',
    ],
  ])('refuses what the Z22 profile refuses: %s', (_what, change, expected) => {
    const m = vxu();
    expect(judgeVxu(m).ackCode).toBe('AA');
    const j = judgeVxu(change(m));
    expect(j.ackCode).not.toBe('AA');
    expect(where(j.errors)).toContain(expected);
  });

  it('AR for a message addressed to another registry (MSH-6), when the registry knows its code', () => {
    const m = vxu({}, { receivingFacility: 'SDIR' });
    expect(judgeVxu(m).ackCode).toBe('AA');
    const j = judgeVxu(m, { expectedReceivingFacility: 'cairba' });
    expect(j.ackCode).toBe('AR');
    expect(where(j.errors)).toEqual(['MSH^1^6 103 E']);
  });

  it('AR for text that is no HL7 message', () => {
    const j = judgeVxu('hello');
    expect(j.ackCode).toBe('AR');
    expect(j.doses).toEqual([]);
  });

  it('AE when the PID or the RXR segment is missing altogether', () => {
    expect(where(judgeVxu(withoutSegments(vxu(), 'PID')).errors)).toContain('PID^1 100 E');
    expect(where(judgeVxu(withoutSegments(vxu(), 'RXR')).errors)).toEqual(['RXR^1 100 E']);
  });

  it('the ACK text carries MSA-1, MSA-2 and every ERR, readable by the reporter', () => {
    const j = judgeVxu(vxu({ lot_number: undefined, recip_address_street: undefined }));
    const text = ackText(j, { registryName: 'CAIR2', controlId: 'CAIR2-ACK-000001', sentAt: SENT_AT });
    const ack = parseAck(text);
    expect(ack.ackCode).toBe('AE');
    expect(ack.messageControlId).toBe('MSG-0001');
    expect(ack.controlId).toBe('CAIR2-ACK-000001');
    expect(ack.errors).toEqual(j.errors);
    expect(text.split('\r')[0]).toMatch(
      /^MSH\|\^~\\&\|CAIR\|CAIRBA\|\|CAIRDEMO01\|\d{14}-0800\|\|ACK\^V04\^ACK\|/,
    );
  });
});

// ---- the SOAP server -------------------------------------------------------------------------------------------
