/** CDC's date checks are Java SimpleDateFormat round trips; these pin where Java's answer is not the obvious one. */
import { describe, expect, it } from 'vitest';
import { isValidCdcDate, looksLikeUsDate } from '#cdc/validator/dates.ts';

describe('valid dates (non-lenient parse, formatted back to the same text)', () => {
  it.each([
    ['2020-02-29', true],
    ['2021-02-29', false],
    ['1900-02-29', false],
    ['1500-02-29', true], // Julian calendar before 1582: every fourth year is a leap year
    ['1582-10-10', false], // the ten days Pope Gregory removed
    ['1582-10-15', true],
    ['0001-01-01', true],
    ['0000-01-01', false],
    ['10000-01-01', true], // five digits of year format back as five
    ['02020-01-01', false],
    ['2020-1-01', false],
    ['2020-01-01 ', false],
    [' 2020-01-01', false],
    ['２０２０-01-01', false],
  ])('%s → %s', (v, ok) => expect(isValidCdcDate(v, false)).toBe(ok));

  it('a year and month only where the format allows it', () => {
    expect(isValidCdcDate('2021-07', true)).toBe(true);
    expect(isValidCdcDate('2021-07', false)).toBe(false);
    expect(isValidCdcDate('2021-13', true)).toBe(false);
    expect(isValidCdcDate('2021-02-30', true)).toBe(false);
  });
});

describe('"incorrectly formatted" (DATA009): a lenient MM/dd/yyyy, cut to the value’s length, parses it', () => {
  it.each([
    ['10/24/2020', true],
    ['1/2/2020', true],
    ['7', true],
    ['-3', true],
    [' 12/ 1/99', true],
    ['NaN/1/1', true],
    ['1E2/3/2021', true],
    ['٣/٤/٢٠٢١', true], // any Unicode decimal digits
    ['2021', false],
    ['12', true],
    ['12-', false], // three characters: "MM/" wants a slash after the month
    ['12-1', false],
    ['abc', false],
    ['', false],
  ])('%j → %s', (v, us) => expect(looksLikeUsDate(v)).toBe(us));
});
