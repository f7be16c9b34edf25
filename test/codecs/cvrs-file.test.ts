import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  cdcEventId,
  cdcRecipientId,
  cvrsFileName,
  cvrsFileText,
  cvrsLine,
  cvrsRecord,
  REDACTED,
  splitIntoFiles,
} from '#codecs/cvrs/file.ts';
import { CVRS_FIELDS, IDENTIFYING_FIELDS, REFUSAL_EMPTY_FIELDS } from '#doses/fields.ts';
import { normalizeDose } from '#doses/normalize.ts';
import { modernaDose } from '../fixtures/doses.ts';

const SECRET = 'test-secret-for-recip-ids';
// Names that cannot occur in the file by chance (the header, codes), so finding one means it leaked.
const word = fc.stringMatching(/^Zq[a-z]{5,12}$/);
const patient = fc.record({
  recip_id: fc.stringMatching(/^[A-Z0-9-]{3,12}$/),
  recip_first_name: word,
  recip_middle_name: word,
  recip_last_name: word,
  recip_address_street: fc.tuple(fc.integer({ min: 1, max: 9999 }), word).map(([n, w]) => `${n} ${w} St`),
  recip_address_street_2: word.map((w) => `Apt ${w}`),
  recip_address_city: word,
});

describe('CVRS extract records (Redacted model)', () => {
  it('have the 45 variables in spec order, redacted, with ext_type D and no pprl_id', () => {
    const dose = { ...normalizeDose(modernaDose()).dose, iis_id: 'SITE1' };
    const rec = cvrsRecord(dose, SECRET);
    expect(rec).toHaveLength(45);
    const byName = Object.fromEntries(CVRS_FIELDS.map((f, i) => [f, rec[i]]));
    for (const f of IDENTIFYING_FIELDS) expect(byName[f]).toBe(REDACTED);
    expect(byName).toMatchObject({
      ext_type: 'D',
      pprl_id: '',
      cvx: '207',
      admin_date: '2021-03-10',
      recip_dob: '1958-07-22',
    });
  });

  it("spell values as CDC's value sets do: an HL7 route as its NCIt code, no UNK or POL after the first race", () => {
    const dose = normalizeDose(
      modernaDose({ vax_route: 'ID', recip_race_1: 'UNK', recip_race_2: 'UNK', recip_race_3: 'POL' }),
    ).dose;
    const record = cvrsRecord(dose, SECRET);
    const at = (f: (typeof CVRS_FIELDS)[number]) => record[CVRS_FIELDS.indexOf(f)];
    expect([at('vax_route'), at('recip_race_1'), at('recip_race_2'), at('recip_race_3')]).toEqual([
      'C38238',
      'UNK',
      '',
      '',
    ]);
    // IM is in CDC's ROUTE set as it is.
    expect(
      cvrsRecord(normalizeDose(modernaDose({ vax_route: 'IM' })).dose, SECRET)[
        CVRS_FIELDS.indexOf('vax_route')
      ],
    ).toBe('IM');
  });

  it('leave product, lot, expiration, site, route and dose fields empty for refusals', () => {
    const dose = { ...normalizeDose(modernaDose({ vax_refusal: 'YES' })).dose, iis_id: 'SITE1' };
    const byName = Object.fromEntries(CVRS_FIELDS.map((f, i) => [f, cvrsRecord(dose, SECRET)[i]]));
    for (const f of REFUSAL_EMPTY_FIELDS) expect(byName[f]).toBe('');
    expect(byName.vax_refusal).toBe('YES');
  });

  it('never carry a name, street or city of any patient, and keep recip_id stable per patient and distinct between patients (property)', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(patient, { minLength: 2, maxLength: 6, selector: (p) => p.recip_id }),
        (patients) => {
          const day1 = patients.map((p) =>
            cvrsRecord({ ...normalizeDose(modernaDose(p)).dose, iis_id: 'SITE1' }, SECRET),
          );
          const day2 = patients.map((p) =>
            cvrsRecord(
              {
                ...normalizeDose(modernaDose({ ...p, vax_event_id: 'OTHER', admin_date: '2021-04-07' })).dose,
                iis_id: 'SITE1',
              },
              SECRET,
            ),
          );
          const text = cvrsFileText([...day1, ...day2].map(cvrsLine));
          for (const p of patients)
            for (const f of IDENTIFYING_FIELDS)
              expect(text).not.toContain(String(p[f as keyof typeof p]).trim());
          const idCol = CVRS_FIELDS.indexOf('recip_id');
          expect(day1.map((r) => r[idCol])).toEqual(day2.map((r) => r[idCol]));
          expect(new Set(day1.map((r) => r[idCol])).size).toBe(patients.length);
        },
      ),
    );
  });

  it('make files with a header, tabs inside values replaced, named yyyymmdd_NN_AAA.txt, split at 200,000', () => {
    const dose = { ...normalizeDose(modernaDose()).dose, iis_id: 'SITE1', lot_number: 'a\tb\r\nc' };
    const text = cvrsFileText([cvrsLine(cvrsRecord(dose, SECRET))]);
    const lines = text.split('\n');
    expect(lines[0]).toBe(CVRS_FIELDS.join('\t'));
    expect(lines).toHaveLength(3);
    expect(lines[1]!.split('\t')).toHaveLength(45);
    expect(lines[1]!.split('\t')[CVRS_FIELDS.indexOf('lot_number')]).toBe('a b c');
    expect(cvrsFileName('2026-11-24', 1, 'CAA')).toBe('20261124_01_CAA.txt');
    expect(() => cvrsFileName('2026-11-24', 1, 'CAB')).toThrow();
    expect(splitIntoFiles(Array.from({ length: 450_000 }, (_, i) => i)).map((f) => f.length)).toEqual([
      200_000, 200_000, 50_000,
    ]);
    expect(cdcRecipientId(SECRET, 'S1', 'P1')).not.toBe(cdcRecipientId('other', 'S1', 'P1'));
  });

  it('carry a keyed vax_event_id: the same for a dose on every day, distinct for the same ID at two sites', () => {
    const at = (iis_id: string) =>
      cvrsRecord({ ...normalizeDose(modernaDose({ vax_event_id: 'EV-1' })).dose, iis_id }, SECRET)[
        CVRS_FIELDS.indexOf('vax_event_id')
      ];
    expect(at('SITE1')).toBe(cdcEventId(SECRET, 'SITE1', 'EV-1'));
    expect(at('SITE1')).toBe(at('SITE1'));
    expect(at('SITE1')).not.toBe(at('SITE2'));
    expect(at('SITE1')).not.toContain('EV-1');
  });
});
