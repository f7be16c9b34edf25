/**
 * Adversarial building blocks shared by the fuzz targets (issue 12): characters and strings every parser has
 * to survive, distinctive "marker" values for identifying fields (so an echo is found by a plain search), and
 * a valid dose to start from, so that mutated inputs get past the first check and reach deep code.
 */
import fc from 'fast-check';
import { modernaDose } from '../fixtures/doses.ts';

export { modernaDose };

/** Characters some parser or encoder treats specially or cannot carry. */
export const NASTY_CHARS: readonly string[] = [
  ...'\u0000\u0001\u0007\u0008\u000b\u000c\u000e\u001b\u001f\t\r\n',
  '\u007f',
  '\u0080',
  '\u0085',
  '\u009f',
  '\u00a0',
  '\u00e9',
  '\u2028',
  '\u2029',
  '\ufeff',
  '\ufdd0',
  '\ufffd',
  '\ufffe',
  '\uffff',
  '\ud800',
  '\udbff',
  '\udc00',
  '\udfff',
  '\u{1fffe}',
  '\u{1f489}',
  ...'|^~\\&"\',;=+-@<>]#%/? ',
  '""',
  ']]>',
  '&amp;',
  '&#0;',
  '\\X0D\\',
  '\\F\\',
  '\\',
  '\r\n',
];

const letters = fc.constantFrom(...'abcXYZ019éÑß中 -.');

/** Short text mixing letters with characters parsers trip on. */
export const nastyText = fc.string({
  unit: fc.oneof(
    { weight: 4, arbitrary: letters },
    { weight: 3, arbitrary: fc.constantFrom(...NASTY_CHARS) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
    {
      weight: 1,
      arbitrary: fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)),
    },
  ),
  maxLength: 24,
});

/**
 * A long string no answer contains by chance: a distinctive pattern with a counter, so every window of 65
 * characters is unique. `length` characters (UTF-16 units), e.g. 50,000 for the big cells.
 */
export function longText(length: number, seed: number, alphabet = 'abcdefghjkmnpqrstuvwxyz'): string {
  let out = `L${seed.toString(36)}:`;
  let i = 0;
  while (out.length < length) {
    out += `${alphabet[i % alphabet.length]}${(i * 7919 + seed).toString(36)}.`;
    i++;
  }
  return out.slice(0, length);
}

export const longString = fc
  .tuple(fc.constantFrom(65, 200, 256, 1_000, 50_000), fc.nat())
  .map(([n, seed]) => longText(n, seed));

/**
 * A value for an identifying field that no answer holds by chance: "Qz", distinctive letters, and now and
 * then a character the parsers treat specially. Long enough (≥ 8) that finding it in an answer means an echo.
 */
export const marker = fc
  .tuple(
    fc.string({ unit: fc.constantFrom(...'bdfhkmnpqrtvwxyz2345789'), minLength: 6, maxLength: 14 }),
    fc.oneof(
      { weight: 3, arbitrary: fc.constant(null) },
      { weight: 1, arbitrary: fc.constantFrom(...NASTY_CHARS) },
    ),
    fc.nat(20),
  )
  .map(([s, c, at]) => {
    const base = `Qz${s}`;
    return c === null ? base : base.slice(0, at) + c + base.slice(at);
  });

/** What "the marker appears" means: its trimmed text, or a distinctive 8-character stretch of it. */
export function markerForms(value: string): string[] {
  const v = value.trim();
  const forms = [v];
  for (let i = 0; i + 8 <= v.length; i += 4) forms.push(v.slice(i, i + 8));
  return forms.filter((f) => f.length >= 8 && /^[A-Za-z0-9]{8,}$/.test(f) && /[Qq]z|\d/.test(f));
}

/** A date of birth no message holds by chance (far from any product or rule date). */
export const markerDate = fc
  .date({ min: new Date('1901-01-01T00:00:00Z'), max: new Date('1939-12-31T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString().slice(0, 10));

/** A JSON value of the wrong type for a dose field. */
export const wrongType: fc.Arbitrary<unknown> = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constant([]),
  fc.constant({}),
  fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 3 }),
  fc.nat(50).map((n) => nest(n, 'x')),
);

/** `depth` arrays around `leaf`. */
export function nest(depth: number, leaf: unknown): unknown {
  let v = leaf;
  for (let i = 0; i < depth; i++) v = [v];
  return v;
}

/** JSON text of `depth` nested arrays or objects, as text (deeper than JSON.stringify would go happily). */
export function deepJson(depth: number, kind: 'array' | 'object'): string {
  return kind === 'array'
    ? `${'['.repeat(depth)}1${']'.repeat(depth)}`
    : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
}

/** Identifying fields (never echoed) and the markers put in them. */
export const IDENTIFYING = [
  'recip_id',
  'recip_first_name',
  'recip_middle_name',
  'recip_last_name',
  'recip_address_street',
  'recip_address_street_2',
  'recip_address_city',
  'pprl_id',
] as const;

/** Keys with a special meaning to JavaScript objects. */
export const PROTO_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf'];

/** Every string in a JSON-like value, keys included. */
export function stringsOf(v: unknown, out: string[] = [], depth = 0): string[] {
  if (depth > 64) return out;
  if (typeof v === 'string') out.push(v);
  else if (Array.isArray(v)) for (const x of v) stringsOf(x, out, depth + 1);
  else if (v && typeof v === 'object')
    for (const [k, x] of Object.entries(v)) {
      out.push(k);
      stringsOf(x, out, depth + 1);
    }
  return out;
}

/**
 * Windows of `s` longer than `max` characters (code points): if an answer holds one, it repeats more of `s`
 * than it may. Three windows (start, middle, end) find a cut that was not made.
 */
export function overlongWindows(s: string, max: number): string[] {
  const cps = [...s];
  if (cps.length <= max) return [];
  const w = max + 1;
  const at = [0, Math.floor((cps.length - w) / 2), cps.length - w];
  return [...new Set(at.map((i) => cps.slice(i, i + w).join('')))].filter((x) => x.trim().length > 8);
}

/** Shows a counterexample value briefly: long strings cut, control characters escaped. */
export function brief(v: unknown, max = 600): string {
  const s = JSON.stringify(v, (_k, x) =>
    typeof x === 'string' && x.length > 120 ? `${x.slice(0, 60)}…(${x.length} chars)…${x.slice(-20)}` : x,
  );
  return s === undefined ? String(v) : s.length > max ? `${s.slice(0, max)}…` : s;
}
