/**
 * Most characters of a submitted value a finding repeats (issue 18): a longer one is cut here and the message
 * says how long it was, so a finding stays small however large the input; a field name of 200 KB must not make
 * a 400 KB stored item. Identifying values are never repeated at all (fields.ts NOT_ECHOED_FIELDS).
 */
export const MAX_ECHO = 64;

/**
 * Any submitted text as it may appear in a finding: characters no outbound format carries (controls,
 * noncharacters, lone surrogates; see DQ029), and tabs and line breaks, shown as `\uXXXX`; at most MAX_ECHO
 * characters of it, then `…`. Never cuts a surrogate pair in half.
 */
export function shown(value: string): string {
  let out = '';
  let count = 0;
  for (const ch of value) {
    if (count === MAX_ECHO) return `${out}…`;
    out += displayable(ch);
    count++;
  }
  return out;
}

/** `"value"` for a message, cut as `shown` cuts it; a cut value says its whole length. */
export function echo(value: string): string {
  let length = 0;
  for (const _ of value) length++;
  return length > MAX_ECHO ? `"${shown(value)}" (${length} characters)` : `"${shown(value)}"`;
}

function displayable(ch: string): string {
  const c = ch.codePointAt(0)!;
  const hidden =
    c < 0x20 ||
    (c >= 0x7f && c <= 0x9f) ||
    c === 0x2028 ||
    c === 0x2029 ||
    (c >= 0xd800 && c <= 0xdfff) ||
    isNoncharacter(c);
  if (!hidden) return ch;
  const hex = c.toString(16).toUpperCase();
  return c > 0xffff ? `\\u{${hex}}` : `\\u${hex.padStart(4, '0')}`;
}

/** Unicode's 66 noncharacters: U+FDD0–U+FDEF and the last two code points of every plane. */
export function isNoncharacter(c: number): boolean {
  return (c >= 0xfdd0 && c <= 0xfdef) || (c & 0xfffe) === 0xfffe;
}
