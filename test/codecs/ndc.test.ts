import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalizeNdc } from '#codecs/codesets/ndc.ts';

const CANONICAL = /^\d{5}-\d{4}-\d{2}$/;
const digits = (n: number) =>
  fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: n, maxLength: n });

/** The three 10-digit layouts and which segment is short (the one that gets the zero). */
const LAYOUTS = [
  { name: '4-4-2', lengths: [4, 4, 2], short: 0 },
  { name: '5-3-2', lengths: [5, 3, 2], short: 1 },
  { name: '5-4-1', lengths: [5, 4, 1], short: 2 },
] as const;

describe('normalizeNdc', () => {
  for (const layout of LAYOUTS) {
    it(`pads the short segment of a ${layout.name} NDC with exactly one leading zero`, () => {
      fc.assert(
        fc.property(fc.tuple(...layout.lengths.map(digits)), (segments) => {
          // Prepare
          const raw = segments.join('-');

          // Act
          const out = normalizeNdc(raw);

          // Assess
          expect(out).toMatch(CANONICAL);
          const outSegments = out!.split('-');
          segments.forEach((s, i) => {
            expect(outSegments[i]).toBe(i === layout.short ? `0${s}` : s);
          });
          expect(out!.replaceAll('-', '')).toHaveLength(raw.replaceAll('-', '').length + 1);
        }),
      );
    });
  }

  it('keeps an 11-digit 5-4-2 NDC, hyphenated or bare, in the same digit order', () => {
    fc.assert(
      fc.property(digits(5), digits(4), digits(2), (a, b, c) => {
        // Prepare
        const hyphenated = `${a}-${b}-${c}`;

        // Act
        const fromHyphenated = normalizeNdc(hyphenated);
        const fromBare = normalizeNdc(`${a}${b}${c}`);

        // Assess
        expect(fromHyphenated).toBe(hyphenated);
        expect(fromBare).toBe(hyphenated);
      }),
    );
  });

  it('is idempotent on its own output', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...'0123456789- '), maxLength: 16 }), (raw) => {
        // Act
        const once = normalizeNdc(raw);

        // Assess
        if (once !== undefined) {
          expect(once).toMatch(CANONICAL);
          expect(normalizeNdc(once)).toBe(once);
        }
      }),
    );
  });

  it('refuses a bare 10-digit string: the short segment cannot be known', () => {
    fc.assert(
      fc.property(digits(10), (raw) => {
        // Act / Assess
        expect(normalizeNdc(raw)).toBeUndefined();
      }),
    );
  });

  it('refuses any character other than digits, hyphens and surrounding white space', () => {
    const junk = fc.string({ minLength: 1 }).filter((s) => /[^0-9\- \t\r\n]/.test(s));
    fc.assert(
      fc.property(digits(5), digits(4), digits(2), junk, fc.nat(13), (a, b, c, j, at) => {
        // Prepare
        const ndc = `${a}-${b}-${c}`;
        const raw = ndc.slice(0, at) + j + ndc.slice(at);

        // Act / Assess
        expect(normalizeNdc(raw)).toBeUndefined();
      }),
    );
  });

  it('refuses segment layouts other than 5-4-2, 4-4-2, 5-3-2 and 5-4-1', () => {
    const allowed = new Set(['5-4-2', '4-4-2', '5-3-2', '5-4-1']);
    const layout = fc
      .tuple(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 6 }))
      .filter((l) => !allowed.has(l.join('-')));
    fc.assert(
      fc.property(
        layout.chain((l) => fc.tuple(...l.map(digits))),
        (segments) => {
          // Act / Assess
          expect(normalizeNdc(segments.join('-'))).toBeUndefined();
        },
      ),
    );
  });

  it('normalizes the Moderna vial in both of its published layouts', () => {
    // Act / Assess
    expect(normalizeNdc('80777-273-10')).toBe('80777-0273-10');
    expect(normalizeNdc('80777-0273-10')).toBe('80777-0273-10');
    expect(normalizeNdc('80777027310')).toBe('80777-0273-10');
    expect(normalizeNdc(' 0069-2025-01 ')).toBe('00069-2025-01');
    expect(normalizeNdc('59267-1000-1')).toBe('59267-1000-01');
  });

  it('refuses empty, hyphen-only and over-long inputs', () => {
    // Act / Assess
    for (const raw of ['', '--', '80777--10', '80777-0273-10-1', '80777-0273-100', '807770273100']) {
      expect(normalizeNdc(raw)).toBeUndefined();
    }
  });
});
