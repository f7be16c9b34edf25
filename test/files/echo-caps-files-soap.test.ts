import { describe, expect, it } from 'vitest';
import { parseSoapRequest } from '#codecs/soap/cdc-iis.ts';
import { DOSE_FIELDS } from '#doses/fields.ts';
import { readHeader, sniff } from '#files/format.ts';

// Found by the fuzzer (test/fuzz/known.ts): each answered with the site's whole text, or misread a CR-only file.
describe('a file header', () => {
  it('of a CR-only CSV (Excel "CSV (Macintosh)") is its first CR-ended line, so a tab in a later row is no CVRS', () => {
    const file = Buffer.from(`${DOSE_FIELDS.join(',')}\rF-0,\t,x\r`);
    expect(sniff(file)).toEqual({ format: 'csv' });
  });

  it('names an unknown column cut at 64 characters, and at most five of them', () => {
    const long = `col_${'x'.repeat(5000)}`;
    const h = readHeader([...DOSE_FIELDS, long, 'a', 'b', 'c', 'd', 'e', 'f'], 'csv');
    if (!('notes' in h)) throw new Error('expected a header');
    const message = h.notes[0]!.message;
    expect(message).toContain('(5004 characters)');
    expect(message).toContain('2 more');
    expect(message.length).toBeLessThan(300);
  });
});

describe('a SOAP fault about the root element', () => {
  it('cuts the element name the caller sent at 64 characters', () => {
    const name = `n${'a'.repeat(5000)}`;
    const xml = `<soap:${name} xmlns:soap="http://www.w3.org/2003/05/soap-envelope"/>`;
    let message = '';
    try {
      parseSoapRequest(xml);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain('(5001 characters)');
    expect(message.length).toBeLessThan(300);
  });
});
