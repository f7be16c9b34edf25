import { describe, expect, it } from 'vitest';
import { MAX_STOCK_RECORDS_PER_REQUEST, objectBody, recordList } from '#stock/bodies.ts';

/** `status code field: message` of the HttpError a body is refused with, or the records it is read as. */
function answer(body: unknown): string | unknown[] {
  try {
    return recordList(body, 'wastage', 'wastage report');
  } catch (e) {
    const err = e as { statusCode: number; code: string; field: string; message: string };
    return `${err.statusCode} ${err.code} ${err.field}: ${err.message}`;
  }
}

const many = (n: number, item: unknown = {}) => Array.from({ length: n }, () => item);

describe('recordList', () => {
  it('reads one record object as a list of one, and a batch as its records, the same objects', () => {
    const one = { record_id: 'W-1' };
    expect(answer(one)).toEqual([one]);
    const batch = [{ record_id: 'W-1' }, { record_id: 'W-2' }];
    const read = answer({ wastage: batch }) as unknown[];
    expect(read).toEqual(batch);
    expect(read[1]).toBe(batch[1]);
    expect(answer({ wastage: many(MAX_STOCK_RECORDS_PER_REQUEST) })).toHaveLength(
      MAX_STOCK_RECORDS_PER_REQUEST,
    );
  });

  it.each([
    [[{}], '400 REQ005 body: Send one wastage report as a JSON object, or several as {"wastage": [ … ]}.'],
    [null, '400 REQ005 body: Send one wastage report as a JSON object, or several as {"wastage": [ … ]}.'],
    [{ wastage: null }, '400 REQ005 wastage: Invalid wastage: it must be a list of wastage report objects.'],
    [{ wastage: {} }, '400 REQ005 wastage: Invalid wastage: it must be a list of wastage report objects.'],
    [{ wastage: [] }, '400 REQ005 wastage: Invalid wastage: the list is empty.'],
    [
      { wastage: [{}, 1, []] },
      '400 REQ005 wastage.1: Invalid wastage.1: each entry of "wastage" must be a wastage report object.',
    ],
  ])('refuses %j', (body, told) => {
    expect(answer(body)).toBe(told);
  });

  it('a batch over the limit is 413, whatever its entries', () => {
    const told = '413 REQ005 wastage: Invalid wastage: at most 1000 records per request; split the batch.';
    expect(answer({ wastage: many(MAX_STOCK_RECORDS_PER_REQUEST + 1) })).toBe(told);
    expect(answer({ wastage: many(MAX_STOCK_RECORDS_PER_REQUEST + 1, 'x') })).toBe(told);
  });
});

describe('objectBody', () => {
  it('takes one JSON object and names the shape it wants otherwise', () => {
    expect(objectBody({ expiration: '2021-06-30' }, 'x')).toEqual({ expiration: '2021-06-30' });
    expect(() => objectBody(['2021-06-30'], '{"expiration": "YYYY-MM-DD"}')).toThrow(
      'Send one JSON object: {"expiration": "YYYY-MM-DD"}.',
    );
  });
});
