/** fast-check generators shared by the analytics tests. */
import fc from 'fast-check';
import { AGE_BANDS, CA_COUNTIES, ETHNICITY_GROUPS, RACE_GROUPS, SEX_GROUPS } from '#analytics/bands.ts';
import { type Cell, OUT_OF_STATE, UNKNOWN_COUNTY } from '#analytics/cells.ts';

export const arbCell: fc.Arbitrary<Cell> = fc.record({
  county: fc.constantFrom(...CA_COUNTIES, OUT_OF_STATE, UNKNOWN_COUNTY),
  age: fc.constantFrom(...AGE_BANDS, 'UNK' as const),
  race: fc.constantFrom(...RACE_GROUPS),
  ethnicity: fc.constantFrom(...ETHNICITY_GROUPS),
  sex: fc.constantFrom(...SEX_GROUPS),
});
