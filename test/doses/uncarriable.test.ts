/**
 * Issue 18, item 1: characters no outbound format carries are refused at intake (DQ029), by field, character and
 * position, over JSON, files (both through submitDoses) and VXU; tabs and line breaks in free text become spaces.
 */
import { describe, expect, it } from 'vitest';
import { buildVxu, cairFacilities, parseAck } from '#codecs/hl7/index.ts';
import { buildSubmitSingleMessageResponse } from '#codecs/soap/cdc-iis.ts';
import type { Dose } from '#doses/fields.ts';
import { firstUncarriable, normalizeDose } from '#doses/normalize.ts';
import { submitDoses } from '#doses/submit.ts';
import { receiveVxu } from '#doses/vxu-intake.ts';
import { RULES } from '#platform/findings.ts';
import { demoSite, modernaDose } from '../fixtures/doses.ts';
import { capturing } from '../fixtures/intake.ts';

const NOW = new Date('2021-03-12T18:00:00Z');
const caller = { role: 'site' as const, iis_id: demoSite.iis_id };

/** One character of each class intake refuses. */
const REFUSED: [string, string][] = [
  ['NUL', '\u0000'],
  ['SOH', '\u0001'],
  ['BS', '\u0008'],
  ['ESC', '\u001b'],
  ['US', '\u001f'],
  ['DEL', '\u007f'],
  ['C1 PAD', '\u0080'],
  ['C1 APC', '\u009f'],
  ['U+FFFE', '\ufffe'],
  ['U+FFFF', '\uffff'],
  ['U+FDD0', '\ufdd0'],
  ['U+1FFFF', '\u{1ffff}'],
  ['lone high surrogate', '\ud83d'],
  ['lone low surrogate', '\udc89'],
];

describe('DQ029: characters no outbound format carries', () => {
  it.each(REFUSED)(
    'refuses %s in a name, naming field, code point and position but not the value',
    (_, c) => {
      const { dose, findings } = normalizeDose(modernaDose({ recip_first_name: `Ma${c}ria` }));
      expect(findings).toHaveLength(1);
      const [f] = findings;
      expect(f).toMatchObject({ code: 'DQ029', field: 'recip_first_name', severity: 'error' });
      expect(f!.message).toContain(`U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`);
      expect(f!.message).toContain('position 3');
      expect(f!.message).not.toContain('Ma');
      expect(dose.recip_first_name).toBeUndefined();
    },
  );

  it.each(REFUSED)('refuses %s in a code, a date and an event ID as well', (_, c) => {
    for (const field of ['cvx', 'recip_dob', 'vax_event_id', 'lot_number', 'iis_id'])
      expect(
        normalizeDose({ [field]: `20${c}7` }).findings.map((f) => `${f.code}:${f.field}`),
        field,
      ).toEqual([`DQ029:${field}`]);
  });

  it('turns tabs and line breaks in free text into one space (TAB LF VT FF CR NEL LS PS)', () => {
    const { dose, findings } = normalizeDose(
      modernaDose({
        recip_address_street: '12 Main St\r\n\tApt 4',
        recip_address_city: 'San\u000bJose',
        recip_last_name: 'Page\u000cOne\u0085Two\u2028Three\u2029Four',
        recip_middle_name: '\u2028',
      }),
    );
    expect(findings).toEqual([]);
    expect(dose.recip_address_street).toBe('12 Main St Apt 4');
    expect(dose.recip_address_city).toBe('San Jose');
    expect(dose.recip_last_name).toBe('Page One Two Three Four');
    expect(dose.recip_middle_name).toBeUndefined();
  });

  it("takes HL7's explicit null `\"\"` as no value, as VXU intake does: a registry would read it as 'clear this'", () => {
    const { dose, findings } = normalizeDose(
      modernaDose({ recip_middle_name: '""', recip_address_street_2: ' "" ' }),
    );
    expect(findings).toEqual([]);
    expect(dose.recip_middle_name).toBeUndefined();
    expect(dose.recip_address_street_2).toBeUndefined();
  });

  it('keeps what every format carries: accents, CJK, emoji, U+FEFF, U+FFFD, private use, HL7 delimiters', () => {
    const name = 'Zoë 中村 💉 a\ufeffb \ufffd \ue000 |^~\\& "x"';
    const { dose, findings } = normalizeDose(modernaDose({ recip_first_name: name }));
    expect(findings).toEqual([]);
    expect(dose.recip_first_name).toBe(name);
    expect(firstUncarriable(name)).toBeUndefined();
  });

  it('is documented in the rule list', () => {
    expect(RULES.DQ029.severity).toBe('error');
  });

  it('JSON intake: a NUL in a name is rejected, not stored (it used to be stored and fail at the registry)', async () => {
    const { deps, stored } = capturing();
    const out = await submitDoses([modernaDose({ recip_last_name: 'Gon\u0000zalez' })], caller, NOW, deps);
    if (!out.ok) throw new Error('refused');
    expect(out.results[0]).toMatchObject({ status: 'rejected' });
    // The value is left out, so the name counts as missing too (as a date that cannot be read does).
    expect(out.results[0]!.issues.map((f) => f.code)).toEqual(['DQ029', 'DQ027']);
    expect(stored).toEqual([]);
  });

  it('VXU intake: a raw NUL in PID-5 is answered AE with DQ029 at PID-5, not AA, and the ACK travels in SOAP', async () => {
    const hl7 = buildVxu({
      messageControlId: 'M1',
      sentAt: NOW,
      ...cairFacilities(demoSite.iis_id),
      processingId: 'P',
      action: 'A',
      dose: {
        iis_id: demoSite.iis_id,
        ...modernaDose({ recip_first_name: 'Ma\u0000ria' }),
      } as unknown as Dose,
    });
    expect(hl7).toContain('Ma\u0000ria');
    const { deps, stored } = capturing();
    const out = await receiveVxu(hl7, caller, NOW, deps);
    expect(out.ackCode).toBe('AE');
    expect(stored).toEqual([]);
    const err = parseAck(out.ack).errors.find((e) => e.rule === 'DQ029');
    expect(err?.location).toBe('PID^1^5^1^2');
    expect(() => buildSubmitSingleMessageResponse(out.ack)).not.toThrow();
  });
});
