import { describe, expect, it } from 'vitest';
import { parseProcessingError, parseValidationError } from '#cdc/clearinghouse/answers.ts';

describe('Data Clearinghouse answers', () => {
  it('splits CDC error strings into their parts', () => {
    expect(parseValidationError('line#12 field=vax_route message=Invalid value XX')).toEqual({
      line: 12,
      field: 'vax_route',
      message: 'Invalid value XX',
    });
    expect(parseValidationError('something else')).toEqual({ message: 'something else' });
    expect(parseProcessingError('VaxEventId=E1 RecipId=R1 message=Record already exists')).toEqual({
      vaxEventId: 'E1',
      message: 'Record already exists',
    });
    expect(parseProcessingError('odd')).toEqual({ message: 'odd' });
  });
});
