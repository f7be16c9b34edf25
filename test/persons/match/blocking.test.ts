import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { blockingKeys } from '#persons/match/blocking.ts';
import type { Demographics } from '#persons/types.ts';

const shareKey = (a: Demographics, b: Demographics) => {
  const keys = new Set(blockingKeys(a));
  return blockingKeys(b).some((k) => keys.has(k));
};

const person = fc.record({
  first: fc.constantFrom('WILLIAM', 'MARIA', 'JOSE', 'NGOC', 'JENNIFER', 'SENOLULO'),
  last: fc.constantFrom('GARCIA', 'NGUYEN', 'SMITH', 'HERNANDEZ LOPEZ', 'OBRIEN'),
  dob: fc
    .date({ min: new Date('1920-01-01'), max: new Date('2020-12-31'), noInvalidDate: true })
    .map((d) => d.toISOString().slice(0, 10)),
  zip: fc.constantFrom('90001', '94110', undefined),
});

describe('blockingKeys', () => {
  it('a record with its DOB day and month transposed still shares a key', () => {
    fc.assert(
      fc.property(person, (d) => {
        const [y, m, day] = d.dob.split('-');
        expect(shareKey(d, { ...d, dob: `${y}-${day}-${m}` })).toBe(true);
      }),
    );
  });

  it('survives the other common errors one at a time', () => {
    fc.assert(
      fc.property(person, fc.integer({ min: 0, max: 9 }), (d, digit) => {
        expect(shareKey(d, { ...d, first: d.last, last: d.first })).toBe(true);
        expect(shareKey(d, { ...d, first: `${d.first}X` })).toBe(true);
        expect(shareKey(d, { ...d, last: 'ZZTOP' })).toBe(true);
        expect(shareKey(d, { ...d, last: d.last.split(' ')[0]! })).toBe(true);
        expect(shareKey(d, { ...d, first: 'QQ', zip: '95000' })).toBe(true);
        expect(shareKey(d, { ...d, dob: `${d.dob.slice(0, 9)}${digit}` })).toBe(true);
      }),
    );
  });

  it('finds the same site patient whatever else changed', () => {
    const a: Demographics = {
      first: 'A',
      last: 'B',
      dob: '2000-01-01',
      site_patient: { iis_id: 'X', recip_id: '1' },
    };
    expect(
      shareKey(a, { first: 'C', last: 'D', dob: '1999-09-09', site_patient: { iis_id: 'X', recip_id: '1' } }),
    ).toBe(true);
  });

  it('never keys on a birth year or a DOB alone (blocks would hold thousands)', () => {
    fc.assert(
      fc.property(person, (d) => {
        for (const k of blockingKeys(d)) expect(k.split(':').length).toBeGreaterThanOrEqual(3);
      }),
    );
  });
});
