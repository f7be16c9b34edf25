import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_ENCODING, type Encoding, escapeHl7, unescapeHl7 } from '#codecs/hl7/escape.ts';

const DELIMITERS = ['|', '^', '~', '\\', '&', '\r', '\n'];
/** Strings rich in what matters: delimiters, line breaks, escape-lookalikes, and any Unicode. */
const tricky = fc.string({
  unit: fc.oneof(
    fc.constantFrom(...DELIMITERS, 'F', 'S', 'R', 'E', 'T', 'X', '0', 'D', 'H', 'N'),
    fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }),
    fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
  ),
  maxLength: 40,
});
const OTHER: Encoding = { field: '#', component: '$', repetition: '*', escape: '!', subcomponent: '%' };

describe('escapeHl7 / unescapeHl7', () => {
  it('round-trips any string with the default delimiters', () => {
    fc.assert(
      fc.property(tricky, (s) => {
        expect(unescapeHl7(escapeHl7(s))).toBe(s);
      }),
      { numRuns: 2000 },
    );
  });

  it('round-trips any string with other delimiters declared in MSH-1/MSH-2', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...'#$*!%|^~\\&\r\nab'), maxLength: 30 }), (s) => {
        expect(unescapeHl7(escapeHl7(s, OTHER), OTHER)).toBe(s);
      }),
    );
  });

  it('leaves no delimiter or line break in an escaped value, only whole escape sequences', () => {
    fc.assert(
      fc.property(tricky, (s) => {
        const out = escapeHl7(s);
        expect(out).not.toMatch(/[|^~&\r\n]/);
        // Every escape character opens or closes one of the sequences escapeHl7 writes.
        expect(out.replace(/\\(?:F|S|R|E|T|X0D|X0A)\\/g, '')).not.toContain('\\');
      }),
    );
  });

  it('writes the standard sequences and hex for line breaks', () => {
    expect(escapeHl7('A|B^C~D\\E&F')).toBe('A\\F\\B\\S\\C\\R\\D\\E\\E\\T\\F');
    expect(escapeHl7('line1\r\nline2')).toBe('line1\\X0D\\\\X0A\\line2');
    expect(escapeHl7("O'Brien-Núñez")).toBe("O'Brien-Núñez");
  });

  it('reads hex as UTF-8 and drops highlighting, as other senders write them', () => {
    expect(unescapeHl7('Jos\\XC3A9\\')).toBe('José');
    expect(unescapeHl7('a\\X0D0A\\b')).toBe('a\r\nb');
    expect(unescapeHl7('\\H\\Important\\N\\ note')).toBe('Important note');
  });

  it('keeps unknown, malformed and unterminated sequences literally', () => {
    expect(unescapeHl7('a\\Zlocal\\b')).toBe('a\\Zlocal\\b');
    expect(unescapeHl7('\\XZZ\\')).toBe('\\XZZ\\');
    expect(unescapeHl7('\\XC3\\')).toBe('\\XC3\\'); // half a UTF-8 character
    expect(unescapeHl7('C:\\temp')).toBe('C:\\temp');
    expect(unescapeHl7('a\\F\\b\\')).toBe('a|b\\');
  });

  it('returns the same string when there is nothing to do', () => {
    const s = 'plain value';
    expect(escapeHl7(s)).toBe(s);
    expect(unescapeHl7(s, DEFAULT_ENCODING)).toBe(s);
  });
});
