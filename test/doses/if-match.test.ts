import { describe, expect, it } from 'vitest';
import { ifMatchCondition, parseIfMatch } from '#platform/http/request.ts';
import { HttpError } from '#platform/http/response.ts';

describe('If-Match per RFC 9110 (issue 12, defect 8)', () => {
  it('reads * and lists of entity-tags, keeping only strong tags we could have issued', () => {
    expect(parseIfMatch('*')).toBe('*');
    expect(parseIfMatch('"3"')).toEqual([3]);
    expect(parseIfMatch('"1", "2"')).toEqual([1, 2]);
    expect(parseIfMatch(' "1" ,\t"2" ')).toEqual([1, 2]);
    expect(parseIfMatch('"1",,"2",')).toEqual([1, 2]); // empty list elements are ignored (§5.6.1.2)
    expect(parseIfMatch('"a,b", "4"')).toEqual([4]); // a comma inside an opaque-tag is part of it
  });

  it('a well-formed tag that cannot match is an empty list (412), not a malformed header', () => {
    expect(parseIfMatch('"stale-version"')).toEqual([]);
    expect(parseIfMatch('W/"2"')).toEqual([]); // weak tags never match for If-Match
    expect(parseIfMatch('W/"2", "3"')).toEqual([3]);
    expect(parseIfMatch('"03"')).toEqual([]); // strong comparison is character by character
    expect(parseIfMatch('""')).toEqual([]);
  });

  it('refuses what is not * or a list of entity-tags', () => {
    for (const bad of [
      '3',
      'stale',
      '"1',
      '1"',
      '"1" "2"',
      'w/"2"',
      '*, "1"',
      ',',
      '"a"b"',
      '"é"'.replace('é', '\u0100'),
    ])
      expect(parseIfMatch(bad), bad).toBeUndefined();
  });

  it('answers 428 when missing and 400 REQ006 when malformed', () => {
    const call = (h?: string) => () =>
      ifMatchCondition({ headers: h === undefined ? {} : { 'if-match': h } } as never);
    expect(call()).toThrow(expect.objectContaining({ statusCode: 428, code: 'REQ006' }));
    expect(call('3')).toThrow(expect.objectContaining({ statusCode: 400, code: 'REQ006' }));
    expect(call('"stale-version"')()).toEqual([]);
    expect(call('3')).toThrow(HttpError);
  });
});

describe('If-Match cases of issue 18 (item 7), as ifMatchCondition answers them', () => {
  const condition = (h: string) => () => ifMatchCondition({ headers: { 'if-match': h } } as never);

  it('* is the current version, a list any of its strong members: neither is 400', () => {
    expect(condition('*')()).toBe('*');
    expect(condition(' * ')()).toBe('*');
    expect(condition('"1", "2"')()).toEqual([1, 2]);
    expect(condition('"1","2",W/"3"')()).toEqual([1, 2]);
  });

  it('a weak tag is well-formed but never matches (412 downstream), alone or in a list', () => {
    expect(condition('W/"1"')()).toEqual([]);
    expect(condition('W/"1", W/"2"')()).toEqual([]);
  });

  it('unbalanced or misplaced quotes and malformed weak prefixes are 400 REQ006', () => {
    for (const bad of ['"1', '1"', '"1""', 'W/1', 'W/"1', 'W/ "1"', 'w/"1"', '"1" W/"2"', '"1";"2"', '**'])
      expect(condition(bad), bad).toThrow(expect.objectContaining({ statusCode: 400, code: 'REQ006' }));
  });
});
