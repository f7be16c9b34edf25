import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DOSE_FIELDS } from '#doses/fields.ts';
import { normalizeDose } from '#doses/normalize.ts';
import { DoseInput } from '#doses/schema.ts';
import { contentHash } from '#platform/content-hash.ts';
import { parseDate } from '#platform/dates.ts';
import { modernaDose } from '../fixtures/doses.ts';

const isoDate = fc
  .date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString().slice(0, 10));

describe('normalizeDose', () => {
  it('normalizes codes, dates, NDC, ZIP and county on the way in', () => {
    // Prepare
    const input = modernaDose({
      recip_sex: ' f ',
      recip_dob: '07/22/1958',
      admin_date: '20210310',
      ndc: '80777-273-10',
      mvx: 'mod',
      recip_address_zip: '946121234',
      recip_address_county: 6001,
      cvx: 207,
      lot_number: ' 039k20a ',
    });
    // Act
    const { dose, findings } = normalizeDose(input);
    // Assess
    // What CDC would refuse and we read: warnings with CDC's codes, nothing rejected.
    expect(findings.map((f) => `${f.code}:${f.field}:${f.severity}`)).toEqual([
      'DATA009:recip_dob:warning',
      'DATA007:recip_address_county:warning',
      'DATA005:recip_address_zip:warning',
      'DATA001:admin_date:warning',
    ]);
    expect(dose).toMatchObject({
      recip_sex: 'F',
      recip_dob: '1958-07-22',
      admin_date: '2021-03-10',
      ndc: '80777-0273-10',
      mvx: 'MOD',
      recip_address_zip: '94612-1234',
      recip_address_county: '06001',
      cvx: '207',
      lot_number: '039K20A',
    });
  });

  it('reports wrong types, bad dates and unknown fields on their field, and drops the value', () => {
    const { dose, findings } = normalizeDose(
      modernaDose({
        recip_dob: '1958-02-30',
        admin_date: 'last tuesday',
        recip_id: { id: 1 },
        colour: 'blue',
      }),
    );
    expect(findings.map((f) => [f.code, f.field])).toEqual([
      ['DQ024', 'recip_id'],
      ['DATA001', 'recip_dob'],
      ['DATA001', 'admin_date'],
      ['DQ016', 'colour'],
    ]);
    expect(dose.recip_dob).toBeUndefined();
    expect(dose.admin_date).toBeUndefined();
    expect(dose.recip_id).toBeUndefined();
  });

  it('reports lengths as CDC does (DATA008 over its per-field limit) and the registries do (DQ025 over 199)', () => {
    const codes = (input: Record<string, unknown>) =>
      normalizeDose(input).findings.map((f) => `${f.code}:${f.field}`);
    expect(codes({ mvx: 'MODX' })).toEqual(['DATA008:mvx']);
    expect(codes({ recip_first_name: 'A'.repeat(256) })).toEqual(['DATA008:recip_first_name']);
    expect(codes({ recip_first_name: 'A'.repeat(200) })).toEqual(['DQ025:recip_first_name']);
    expect(codes({ lot_number: 'A'.repeat(300) })).toEqual(['DQ025:lot_number']);
    expect(codes({ recip_dob: '1958-07' })).toEqual(['DQ028:recip_dob']);
  });

  it('treats empty strings and null as absent and trims everything', () => {
    const { dose } = normalizeDose(modernaDose({ recip_middle_name: '  ', recip_address_street_2: null }));
    expect(dose.recip_middle_name).toBeUndefined();
    expect(dose.recip_address_street_2).toBeUndefined();
    expect(JSON.stringify(dose)).not.toContain('recip_middle_name');
  });

  it('is idempotent: normalizing a normalized dose changes nothing (property)', () => {
    fc.assert(
      fc.property(
        fc.record({
          recip_sex: fc.constantFrom('m', 'F', ' u '),
          admin_date: isoDate,
          recip_dob: isoDate.map((d) => `${d.slice(5, 7)}/${d.slice(8)}/${d.slice(0, 4)}`),
          lot_number: fc.stringMatching(/^[a-zA-Z0-9-]{1,20}$/),
          recip_first_name: fc.string({ maxLength: 40 }),
          cvx: fc.constantFrom('207', 208, '212'),
        }),
        (raw) => {
          const once = normalizeDose(raw).dose;
          const twice = normalizeDose(once).dose;
          expect(twice).toEqual(once);
        },
      ),
    );
  });

  it('agrees with the zod schema on which values have an acceptable type (property)', () => {
    const anyValue = fc.oneof(
      fc.string({ maxLength: 250 }),
      fc.integer(),
      fc.boolean(),
      fc.constant(null),
      fc.array(fc.integer(), { maxLength: 2 }),
      fc.object({ maxDepth: 1 }),
    );
    fc.assert(
      fc.property(fc.constantFrom(...DOSE_FIELDS), anyValue, (field, value) => {
        const zodOk = DoseInput.safeParse({ [field]: value }).success;
        const typeFindings = normalizeDose({ [field]: value }).findings.filter(
          // Type and HL7 length: the schema's limits (CDC's shorter per-field limits, DATA008, are not).
          (f) => f.code === 'DQ024' || f.code === 'DQ025',
        );
        expect(typeFindings.length === 0).toBe(zodOk);
      }),
    );
  });

  it('hashes content independently of key order, spacing and case', () => {
    fc.assert(
      fc.property(fc.shuffledSubarray(Object.keys(modernaDose())), (subset) => {
        const all = Object.keys(modernaDose());
        const keys = [...subset, ...all.filter((k) => !subset.includes(k))];
        const base = modernaDose();
        const reordered = Object.fromEntries(keys.map((k) => [k, base[k]]));
        const a = normalizeDose(base).dose;
        const b = normalizeDose({ ...reordered, mvx: ' mod ', recip_sex: 'f' }).dose;
        expect(contentHash(b)).toBe(contentHash(a));
      }),
    );
    expect(contentHash(normalizeDose(modernaDose({ lot_number: 'X1234' })).dose)).not.toBe(
      contentHash(normalizeDose(modernaDose()).dose),
    );
  });
});

describe('parseDate', () => {
  it('round-trips every real date in every accepted layout (property)', () => {
    fc.assert(
      fc.property(isoDate, (iso) => {
        const [y, m, d] = iso.split('-');
        for (const layout of [iso, `${y}${m}${d}`, `${m}/${d}/${y}`, `${iso}T13:45:00-08:00`]) {
          expect(parseDate(layout)).toMatchObject({ ok: true, iso });
        }
      }),
    );
  });

  it('tells impossible dates from unreadable ones', () => {
    expect(parseDate('2021-02-29')).toEqual({ ok: false, reason: 'calendar', layout: 'iso' });
    expect(parseDate('2020-02-29')).toEqual({ ok: true, iso: '2020-02-29', layout: 'iso' });
    expect(parseDate('2021-13-01')).toEqual({ ok: false, reason: 'calendar', layout: 'iso' });
    expect(parseDate('02/30/2021')).toEqual({ ok: false, reason: 'calendar', layout: 'us' });
    expect(parseDate('March 3rd')).toEqual({ ok: false, reason: 'format' });
  });
});
