/**
 * The few Java and Apache Commons behaviours CDC's validator leans on, reproduced where they differ from
 * JavaScript's: CDC's reports and verdicts depend on them (which values are "empty", how a header splits, when
 * "Redacted" matches, how a name is shortened in the text report).
 */

/** Java's `String.trim`: every char up to U+0020 counts as space, and nothing else does. */
export function javaTrim(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && s.charCodeAt(a) <= 0x20) a++;
  while (b > a && s.charCodeAt(b - 1) <= 0x20) b--;
  return a === 0 && b === s.length ? s : s.slice(a, b);
}

/** Java's `String.split`: a string without the separator is itself, and trailing empty strings are dropped. */
export function javaSplit(s: string, sep: string | RegExp): string[] {
  if (s === '') return [''];
  const parts = s.split(sep);
  let n = parts.length;
  while (n > 0 && parts[n - 1] === '') n--;
  parts.length = n;
  return parts;
}

/** `\s` of a Java regular expression (ASCII only, unlike JavaScript's). */
export function isJavaSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}

/** Chars a Java `.` does not match (no DOTALL). */
export function isJavaLineTerminator(c: number): boolean {
  return c === 0x0a || c === 0x0d || c === 0x85 || c === 0x2028 || c === 0x2029;
}

/** Java's `Character.toUpperCase`/`toLowerCase` are one char to one char; JavaScript may expand (ß → SS). */
function upperChar(c: string): string {
  const u = c.toUpperCase();
  return u.length === 1 ? u : c;
}
function lowerChar(c: string): string {
  const l = c.toLowerCase();
  return l.length === 1 ? l : c;
}

/** Java's `String.equalsIgnoreCase`, where `ſ` equals `s` and `K` (Kelvin) equals `k`; null equals nothing. */
export function javaEqualsIgnoreCase(a: string | null, b: string | null): boolean {
  if (a === null || b === null) return false;
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const cx = a.charCodeAt(i);
    const cy = b.charCodeAt(i);
    if (cx === cy) continue;
    if (cx < 0x80 && cy < 0x80) {
      // ASCII: equal ignoring case only as the two cases of one letter.
      if ((cx | 0x20) === (cy | 0x20) && (cx | 0x20) >= 0x61 && (cx | 0x20) <= 0x7a) continue;
      return false;
    }
    const x = a[i]!;
    const y = b[i]!;
    const ux = upperChar(x);
    const uy = upperChar(y);
    if (ux === uy || lowerChar(ux) === lowerChar(uy)) continue;
    return false;
  }
  return true;
}

/** Commons Lang `StringUtils.isEmpty`. */
export const isEmpty = (s: string | null | undefined): s is '' | null | undefined => s == null || s === '';

/** What Java's `%s` prints for a value. */
export const str = (s: string | null | undefined): string => (s == null ? 'null' : s);

/** `List.toString()`. */
export const javaList = (items: readonly (string | null)[]): string => `[${items.map(str).join(', ')}]`;

/** Commons Lang `StringUtils.abbreviateMiddle`. */
export function abbreviateMiddle(s: string | null, middle: string, length: number): string | null {
  if (s === null || s === '' || length >= s.length || length < middle.length + 2) return s;
  const target = length - middle.length;
  const start = Math.floor(target / 2) + (target % 2);
  const end = s.length - Math.floor(target / 2);
  return s.slice(0, start) + middle + s.slice(end);
}

/** `%-Ns`. */
export const padRight = (s: string | null, n: number): string => str(s).padEnd(n);

/** `%Nd`. */
export const padLeft = (n: number, width: number): string => String(n).padStart(width);

/**
 * Java's `String.hashCode` folded into CDC's record hash: for each value, add its hash (0 for null), then
 * multiply by 31, in int arithmetic.
 */
export function foldHash(acc: number, s: string | null): number {
  let h = 0;
  if (s !== null) for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
  return Math.imul((acc + h) | 0, 31);
}
