import { doubleMetaphone } from 'double-metaphone';

/**
 * Jaro–Winkler similarity (0..1). Written here rather than taken from a package: it is thirty lines, and the
 * packages on npm are either unmaintained or CommonJS without types. Winkler's prefix bonus suits names,
 * where typos fall late more often than early.
 */
export function jaroWinkler(x: string, y: string): number {
  if (x === y) return 1;
  // The greedy matching below can count differently depending on the order; a fixed order keeps it symmetric.
  const [a, b] = x < y ? [x, y] : [y, x];
  if (!a || !b) return 0;
  const range = Math.max(0, Math.floor(Math.max(a.length, b.length) / 2) - 1);
  const aMatched = new Array<boolean>(a.length).fill(false);
  const bMatched = new Array<boolean>(b.length).fill(false);
  let matches = 0;
  for (let i = 0; i < a.length; i++) {
    const from = Math.max(0, i - range);
    const to = Math.min(i + range + 1, b.length);
    for (let j = from; j < to; j++) {
      if (bMatched[j] || a[i] !== b[j]) continue;
      aMatched[i] = bMatched[j] = true;
      matches++;
      break;
    }
  }
  if (matches === 0) return 0;
  let transpositions = 0;
  let k = 0;
  for (let i = 0; i < a.length; i++) {
    if (!aMatched[i]) continue;
    while (!bMatched[k]) k++;
    if (a[i] !== b[k]) transpositions++;
    k++;
  }
  const jaro = (matches / a.length + matches / b.length + (matches - transpositions / 2) / matches) / 3;
  let prefix = 0;
  while (prefix < 4 && prefix < a.length && prefix < b.length && a[prefix] === b[prefix]) prefix++;
  return jaro + prefix * 0.1 * (1 - jaro);
}

const phoneticCache = new Map<string, string>();

/** The primary Double Metaphone code of a normalized name (cached: the same names recur on every dose). */
export function phonetic(name: string): string {
  let code = phoneticCache.get(name);
  if (code === undefined) {
    code = doubleMetaphone(name)[0] || name.slice(0, 4);
    if (phoneticCache.size > 200_000) phoneticCache.clear();
    phoneticCache.set(name, code);
  }
  return code;
}
