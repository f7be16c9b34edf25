import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type Cell,
  cellKey,
  cellOf,
  compareCells,
  OUT_OF_STATE,
  parseCellKey,
  residence,
  UNKNOWN_COUNTY,
} from '#analytics/cells.ts';
import { arbCell } from './arbitraries.ts';

describe('cells (issue 15)', () => {
  it('places a recipient by the dose: age on the admin day, county of residence, the declared groups', () => {
    const d = {
      recip_dob: '1990-06-15',
      recip_sex: 'F',
      recip_address_county: '06037',
      recip_address_state: 'CA',
      recip_race_1: '2028-9',
      recip_ethnicity: '2186-5',
    };
    expect(cellOf(d, '2021-06-14')).toEqual({
      county: '06037',
      age: '25-39',
      race: 'ASIAN',
      ethnicity: 'NOT_HISPANIC',
      sex: 'F',
    });
    // Turning 12 on the day of the dose: 12-17.
    expect(cellOf({ recip_dob: '2009-05-13' }, '2021-05-13').age).toBe('12-17');
    expect(cellOf({ recip_dob: '2009-05-13' }, '2021-05-12').age).toBe('<12');
    expect(cellOf({}, '2021-05-12')).toEqual({
      county: 'UNK',
      age: 'UNK',
      race: 'UNK',
      ethnicity: 'UNK',
      sex: 'UNK',
    });
    expect(cellOf({ recip_race_1: '2106-3', recip_race_2: '2054-5' }, '2021-01-01').race).toBe('MULTIPLE');
  });

  it('tells a California county from out of state and unknown', () => {
    expect(residence('06001', 'CA')).toBe('06001');
    expect(residence('06001', undefined)).toBe('06001');
    expect(residence('32003', 'NV')).toBe(OUT_OF_STATE);
    expect(residence('32003', undefined)).toBe(OUT_OF_STATE);
    expect(residence(undefined, 'NV')).toBe(OUT_OF_STATE);
    expect(residence(undefined, 'CA')).toBe(UNKNOWN_COUNTY);
    expect(residence(undefined, undefined)).toBe(UNKNOWN_COUNTY);
    // 06002 is no county (California's FIPS are odd): unknown, not out of state.
    expect(residence('06002', 'CA')).toBe(UNKNOWN_COUNTY);
  });

  it('writes a key that reads back to the same cell, and refuses keys it could not have written', () => {
    fc.assert(
      fc.property(arbCell, (c) => {
        expect(parseCellKey(cellKey(c))).toEqual(c);
      }),
    );
    expect(cellKey({ county: '06037', age: '<12', race: 'WHITE', ethnicity: 'HISPANIC', sex: 'M' })).toBe(
      '06037|<12|WHITE|HISPANIC|M',
    );
    for (const bad of [
      '',
      '06037',
      '06037|<12|WHITE|HISPANIC',
      '06037|<12|WHITE|HISPANIC|M|x',
      '06002|<12|WHITE|HISPANIC|M',
      '06037|13-17|WHITE|HISPANIC|M',
    ])
      expect(parseCellKey(bad)).toBeUndefined();
  });

  it('orders cells by county (FIPS, then out of state, then unknown) and the groups in their declared order', () => {
    const cells: Cell[] = [
      { county: UNKNOWN_COUNTY, age: '<12', race: 'AIAN', ethnicity: 'HISPANIC', sex: 'F' },
      { county: '06003', age: '75+', race: 'AIAN', ethnicity: 'HISPANIC', sex: 'F' },
      { county: OUT_OF_STATE, age: '<12', race: 'AIAN', ethnicity: 'HISPANIC', sex: 'F' },
      { county: '06003', age: '<12', race: 'WHITE', ethnicity: 'HISPANIC', sex: 'F' },
      { county: '06003', age: 'UNK', race: 'AIAN', ethnicity: 'HISPANIC', sex: 'F' },
      { county: '06001', age: '75+', race: 'UNK', ethnicity: 'UNK', sex: 'UNK' },
    ];
    expect([...cells].sort(compareCells).map(cellKey)).toEqual([
      '06001|75+|UNK|UNK|UNK',
      '06003|<12|WHITE|HISPANIC|F',
      '06003|75+|AIAN|HISPANIC|F',
      '06003|UNK|AIAN|HISPANIC|F',
      'OUT_OF_STATE|<12|AIAN|HISPANIC|F',
      'UNK|<12|AIAN|HISPANIC|F',
    ]);
    fc.assert(
      fc.property(arbCell, arbCell, (a, b) => {
        expect(Math.sign(compareCells(a, b)) + Math.sign(compareCells(b, a))).toBe(0);
        expect(compareCells(a, b) === 0).toBe(cellKey(a) === cellKey(b));
      }),
    );
  });
});
