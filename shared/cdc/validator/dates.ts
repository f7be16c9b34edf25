/**
 * CDC's date checks, which are Java SimpleDateFormat round trips:
 *   - valid (no DATA001/DATA009) when parsing the value non-leniently and formatting it back gives the value
 *     again. For "yyyy-MM-dd" that means four digits of year (or more, without a leading zero: 10000-01-01 is
 *     a date to Java), two of month and two of day, naming a day that exists on Java's calendar (Julian before
 *     15 October 1582, so 1500-02-29 exists and 1582-10-10 does not). "yyyy-MM-dd|yyyy-MM" also accepts a
 *     year and month;
 *   - an invalid value is "incorrectly formatted" (DATA009 rather than DATA001) when a lenient
 *     SimpleDateFormat with the first n characters of "MM/dd/yyyy" (n = the value's length, at most 10) can
 *     parse a prefix of it: numbers (leading blanks or tabs skipped, a minus sign, any Unicode decimal digits,
 *     an exponent, NaN or ∞) separated by slashes. So "10/24/2020" and "1/2/2020" are DATA009, and so, as in
 *     CDC's tool, is "7".
 */

const MAX_JAVA_YEAR = 292_278_994;

function isJulianLeap(y: number): boolean {
  return y % 4 === 0;
}

function daysIn(y: number, m: number): number {
  if (m === 2) {
    const gregorian = y > 1582;
    const leap = gregorian ? (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 : isJulianLeap(y);
    return leap ? 29 : 28;
  }
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

/**
 * The year in v[0, end) as Java formats it back: at least four digits, no other leading zeros, 1 to Java's
 * maximum.
 */
function javaYear(v: string, end: number): number | undefined {
  if (end < 4 || (end > 4 && v.charCodeAt(0) === 0x30)) return undefined;
  let y = 0;
  for (let i = 0; i < end; i++) {
    const c = v.charCodeAt(i) - 0x30;
    if (c < 0 || c > 9) return undefined;
    y = y * 10 + c;
  }
  return y >= 1 && y <= MAX_JAVA_YEAR ? y : undefined;
}

function twoDigits(s: string, at: number): number | undefined {
  const a = s.charCodeAt(at) - 0x30;
  const b = s.charCodeAt(at + 1) - 0x30;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : undefined;
}

/** "yyyy-MM-dd" round-trips. */
export function isJavaDate(v: string): boolean {
  const dash = v.indexOf('-');
  if (dash < 4 || v.length !== dash + 6 || v[dash + 3] !== '-') return false;
  const y = javaYear(v, dash);
  const m = twoDigits(v, dash + 1);
  const d = twoDigits(v, dash + 4);
  if (y === undefined || m === undefined || d === undefined || m < 1 || m > 12 || d < 1) return false;
  if (y === 1582 && m === 10 && d >= 5 && d <= 14) return false;
  return d <= daysIn(y, m);
}

/** "yyyy-MM" round-trips. */
export function isJavaYearMonth(v: string): boolean {
  const dash = v.indexOf('-');
  if (dash < 4 || v.length !== dash + 3) return false;
  const m = twoDigits(v, dash + 1);
  return javaYear(v, dash) !== undefined && m !== undefined && m >= 1 && m <= 12;
}

/** CDC's formats: "yyyy-MM-dd|yyyy-MM" (the default) or "yyyy-MM-dd" (admin_date). */
export function isValidCdcDate(v: string, yearMonthToo: boolean): boolean {
  return isJavaDate(v) || (yearMonthToo && isJavaYearMonth(v));
}

const DIGIT = /^\p{Nd}$/u;
const isDigit = (s: string, i: number) => i < s.length && DIGIT.test(s[i]!);

/** Where a DecimalFormat integer parse starting at `i` ends, or -1 when there is no number there. */
function javaNumberEnd(s: string, i: number): number {
  while (i < s.length && (s[i] === ' ' || s[i] === '\t')) i++;
  if (i >= s.length) return -1;
  if (s.startsWith('NaN', i)) return i + 3;
  if (s[i] === '-') i++;
  if (s[i] === '∞') return i + 1;
  const start = i;
  while (isDigit(s, i)) i++;
  if (i === start) return -1;
  if (s[i] === 'E') {
    let j = i + 1;
    if (s[j] === '-') j++;
    const digits = j;
    while (isDigit(s, j)) j++;
    if (j > digits) i = j;
  }
  return i;
}

/** The DATA009 test: a lenient parse with the value's length of "MM/dd/yyyy" as the pattern succeeds. */
export function looksLikeUsDate(v: string): boolean {
  const n = Math.min(v.length, 10);
  // Numbers are fields M (n ≥ 1), d (n ≥ 4), y (n ≥ 7); slashes are literals at pattern positions 3 and 6.
  let i = javaNumberEnd(v, 0);
  if (i < 0) return false;
  if (n < 3) return true;
  if (v[i] !== '/') return false;
  if (n === 3) return true;
  i = javaNumberEnd(v, i + 1);
  if (i < 0) return false;
  if (n < 6) return true;
  if (v[i] !== '/') return false;
  if (n === 6) return true;
  return javaNumberEnd(v, i + 1) >= 0;
}
