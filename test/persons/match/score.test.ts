import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareDob, compareFirst, compareLast } from '#persons/match/compare.ts';
import { LINK, REVIEW } from '#persons/match/decide.ts';
import { areNicknames, nicknamePairCount } from '#persons/match/nicknames.ts';
import { score } from '#persons/match/score.ts';
import { jaroWinkler } from '#persons/match/strings.ts';
import type { Demographics } from '#persons/types.ts';

const base: Demographics = {
  first: 'WILLIAM',
  last: 'GARCIA LOPEZ',
  dob: '1980-03-12',
  sex: 'M',
  zip: '90001',
};

const name = fc.stringMatching(/^[A-Z]{2,10}( [A-Z]{2,8})?$/);
const demographics: fc.Arbitrary<Demographics> = fc.record(
  {
    first: name,
    middle: fc.stringMatching(/^[A-Z]{1,6}$/),
    last: name,
    dob: fc
      .date({ min: new Date('1920-01-01'), max: new Date('2020-12-31'), noInvalidDate: true })
      .map((d) => d.toISOString().slice(0, 10)),
    sex: fc.constantFrom('F', 'M'),
    zip: fc.stringMatching(/^9[0-6]\d{3}$/),
    street: fc.stringMatching(/^\d{1,4} [A-Z]{3,8} (ST|AVE)$/),
    site_patient: fc.record({ iis_id: fc.constantFrom('A', 'B'), recip_id: fc.stringMatching(/^\d{1,3}$/) }),
  },
  { requiredKeys: ['first', 'last', 'dob'] },
);

describe('name and DOB comparison', () => {
  it('knows nicknames both ways, but not two formal names through a shared nickname', () => {
    expect(areNicknames('BILL', 'WILLIAM')).toBe(true);
    expect(areNicknames('WILLIAM', 'BILL')).toBe(true);
    expect(areNicknames('LIZ', 'ELIZABETH')).toBe(true);
    expect(areNicknames('PEPE', 'JOSE')).toBe(true);
    expect(areNicknames('ALAN', 'ALBERT')).toBe(false);
    expect(nicknamePairCount()).toBeGreaterThan(300);
  });

  it('grades first names: exact, alias (nickname, a shared part, a prefix), close (typo), disagree', () => {
    const f = (a: string, b: string) => compareFirst({ ...base, first: a }, { ...base, first: b });
    expect(f('BOB', 'BOB')).toBe('exact');
    expect(f('BOB', 'ROBERT')).toBe('alias');
    expect(f('MARIA', 'MARIA ELENA')).toBe('alias');
    expect(f('CHRIS', 'CHRISTOPHER')).toBe('alias');
    expect(f('JENNIFER', 'JENNIUFER')).toBe('close');
    expect(f('MICHAEL', 'DAVID')).toBe('disagree');
  });

  it('grades hyphenated last names as alias to either part', () => {
    const l = (a: string, b: string) => compareLast({ ...base, last: a }, { ...base, last: b });
    expect(l('GARCIA LOPEZ', 'GARCIA')).toBe('alias');
    expect(l('GARCIA LOPEZ', 'LOPEZ')).toBe('alias');
    expect(l('HERNANDEZ', 'HERNANEDZ')).toBe('close');
    expect(l('SMITH', 'NGUYEN')).toBe('disagree');
  });

  it('grades DOBs: transposed day/month, one digit off', () => {
    expect(compareDob('1980-03-12', '1980-12-03')).toBe('transposed');
    expect(compareDob('1980-03-12', '1980-03-13')).toBe('close');
    expect(compareDob('1980-03-12', '1981-03-12')).toBe('close');
    expect(compareDob('1980-03-12', '1975-07-01')).toBe('disagree');
  });

  it('Jaro–Winkler is 1 for equal strings and symmetric', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (a, b) => {
        expect(jaroWinkler(a, a)).toBe(1);
        expect(jaroWinkler(a, b)).toBe(jaroWinkler(b, a));
      }),
    );
  });
});

describe('score', () => {
  it('is symmetric', () => {
    fc.assert(
      fc.property(demographics, demographics, (a, b) => {
        expect(score(a, b)).toBeCloseTo(score(b, a), 9);
      }),
    );
  });

  it('a record always matches itself', () => {
    fc.assert(
      fc.property(demographics, (a) => {
        expect(score(a, a)).toBeGreaterThanOrEqual(LINK);
      }),
    );
  });

  it('survives one common error above LINK when the rest agrees', () => {
    const full: Demographics = { ...base, middle: 'J', street: '12 MAIN ST' };
    for (const variant of [
      { first: 'BILL' },
      { first: 'WILIAM' },
      { last: 'GARCIA' },
      { first: 'GARCIA LOPEZ', last: 'WILLIAM' },
      { dob: '1980-12-03' },
      { dob: '1980-03-13' },
      { zip: '94110', street: '9 OAK AVE' },
      { sex: undefined, street: undefined, zip: undefined, middle: undefined },
    ]) {
      expect(score(full, { ...full, ...variant }), JSON.stringify(variant)).toBeGreaterThanOrEqual(LINK);
    }
  });

  it('keeps twins (same surname, DOB and home, another given name) below LINK', () => {
    const a: Demographics = { ...base, first: 'DANIEL', street: '12 MAIN ST', middle: 'J' };
    expect(score(a, { ...a, first: 'GABRIEL', middle: 'R' })).toBeLessThan(LINK);
    expect(score(a, { ...a, first: 'SOFIA', sex: 'F', middle: undefined })).toBeLessThan(REVIEW);
  });
});
