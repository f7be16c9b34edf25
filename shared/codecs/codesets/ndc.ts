/**
 * National Drug Codes arrive as 10-digit labeler-product-package layouts (4-4-2, 5-3-2, 5-4-1) or as the 11-digit
 * 5-4-2 billing form. Only the hyphens say which segment is short, so a bare 10-digit string is ambiguous and is
 * refused rather than guessed.
 */

const HYPHEN = 45;
const ZERO = 48;
const NINE = 57;

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13;
}

/** Returns `NNNNN-NNNN-NN`, or undefined when `raw` cannot be an NDC. Canonical input is returned as is. */
export function normalizeNdc(raw: string): string | undefined {
  if (typeof raw !== 'string') return undefined;
  let start = 0;
  let end = raw.length;
  while (start < end && isSpace(raw.charCodeAt(start))) start++;
  while (end > start && isSpace(raw.charCodeAt(end - 1))) end--;
  const len = end - start;
  if (len < 11 || len > 13) return undefined;

  // Positions of the two hyphens, if any; any other non-digit disqualifies.
  let h1 = -1;
  let h2 = -1;
  for (let i = start; i < end; i++) {
    const c = raw.charCodeAt(i);
    if (c === HYPHEN) {
      if (h1 < 0) h1 = i;
      else if (h2 < 0) h2 = i;
      else return undefined;
    } else if (c < ZERO || c > NINE) return undefined;
  }

  if (h1 < 0) {
    if (len !== 11) return undefined;
    return `${raw.slice(start, start + 5)}-${raw.slice(start + 5, start + 9)}-${raw.slice(start + 9, end)}`;
  }
  if (h2 < 0) return undefined;

  const a = h1 - start;
  const b = h2 - h1 - 1;
  const c = end - h2 - 1;
  if (a === 5 && b === 4 && c === 2) return len === raw.length ? raw : raw.slice(start, end);
  if (a === 4 && b === 4 && c === 2) return `0${raw.slice(start, end)}`;
  if (a === 5 && b === 3 && c === 2) return `${raw.slice(start, h1 + 1)}0${raw.slice(h1 + 1, end)}`;
  if (a === 5 && b === 4 && c === 1) return `${raw.slice(start, h2 + 1)}0${raw.slice(h2 + 1, end)}`;
  return undefined;
}
