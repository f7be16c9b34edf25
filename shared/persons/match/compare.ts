import type { Demographics } from '../types.ts';
import { areNicknames } from './nicknames.ts';
import { jaroWinkler, phonetic } from './strings.ts';

/**
 * Field by field, how two records' values agree. The levels are what the weights (weights.ts) are for;
 * "missing" means one side did not say, which is no evidence either way.
 */

export type NameLevel = 'exact' | 'alias' | 'close' | 'disagree';
export type DobLevel = 'exact' | 'transposed' | 'close' | 'disagree';
export type AddressLevel = 'street' | 'zip' | 'disagree' | 'missing';
export type AgreeLevel = 'agree' | 'disagree' | 'missing';

/** Typos keep Jaro–Winkler above this for names of five letters or more; different names rarely reach it. */
const JW_CLOSE = 0.88;

const tokens = (s: string) => s.split(' ');

function similar(a: string, b: string): boolean {
  return jaroWinkler(a, b) >= JW_CLOSE || (a.length > 2 && b.length > 2 && phonetic(a) === phonetic(b));
}

export function compareFirst(a: Demographics, b: Demographics): NameLevel {
  if (a.first === b.first) return 'exact';
  const ta = tokens(a.first);
  const tb = tokens(b.first);
  const [fa, fb] = [ta[0]!, tb[0]!];
  if (areNicknames(fa, fb)) return 'alias';
  // MARIA vs MARIA ELENA, CHRIS vs CHRISTOPHER, and a person going by their middle name.
  if (ta.some((t) => tb.includes(t) && t.length > 1)) return 'alias';
  if (fa.length >= 3 && fb.length >= 3 && (fa.startsWith(fb) || fb.startsWith(fa))) return 'alias';
  if ((a.middle && a.middle === fb) || (b.middle && b.middle === fa)) return 'alias';
  if (similar(a.first, b.first) || similar(fa, fb)) return 'close';
  return 'disagree';
}

export function compareLast(a: Demographics, b: Demographics): NameLevel {
  if (a.last === b.last) return 'exact';
  const ta = tokens(a.last);
  const tb = tokens(b.last);
  // GARCIA LOPEZ (either hyphenated or not) vs GARCIA or LOPEZ.
  if (ta.some((t) => t.length > 1 && tb.includes(t))) return 'alias';
  if (a.last.replace(/ /g, '') === b.last.replace(/ /g, '')) return 'alias';
  if (similar(a.last, b.last)) return 'close';
  if (ta.length > 1 || tb.length > 1) {
    if (ta.some((x) => tb.some((y) => x.length > 3 && y.length > 3 && jaroWinkler(x, y) >= 0.92)))
      return 'close';
  }
  return 'disagree';
}

export function compareDob(a: string, b: string): DobLevel {
  if (a === b) return 'exact';
  if (!a || !b) return 'disagree';
  const [ya, ma, da] = a.split('-');
  const [yb, mb, db] = b.split('-');
  if (ya === yb && ma === db && da === mb) return 'transposed';
  let diff = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) diff++;
  if (diff === 1) return 'close';
  // One year off, month and day right: a common keying error (and 2-digit year confusion).
  if (ma === mb && da === db && Math.abs(Number(ya) - Number(yb)) === 1) return 'close';
  return 'disagree';
}

export function compareAddress(a: Demographics, b: Demographics): AddressLevel {
  if (a.street && b.street) {
    if (a.street === b.street || jaroWinkler(a.street, b.street) >= 0.93) {
      // The same street line in another ZIP is most likely another place with the same common street name.
      return !a.zip || !b.zip || a.zip === b.zip ? 'street' : 'zip';
    }
  }
  if (a.zip && b.zip) return a.zip === b.zip ? 'zip' : 'disagree';
  if (a.street && b.street) return 'disagree';
  return 'missing';
}

export function compareSex(a: string | undefined, b: string | undefined): AgreeLevel {
  if (!a || !b) return 'missing';
  return a === b ? 'agree' : 'disagree';
}

/** A middle initial agrees with a middle name that starts with it. */
export function compareMiddle(a: string | undefined, b: string | undefined): AgreeLevel {
  if (!a || !b) return 'missing';
  if (a === b) return 'agree';
  if ((a.length === 1 || b.length === 1) && a[0] === b[0]) return 'agree';
  return jaroWinkler(a, b) >= JW_CLOSE ? 'agree' : 'disagree';
}

/** The same site's patient ID: agreement is near proof; a different ID at the same site, evidence against. */
export function compareSitePatient(a: Demographics, b: Demographics): AgreeLevel {
  if (!a.site_patient || !b.site_patient || a.site_patient.iis_id !== b.site_patient.iis_id) return 'missing';
  return a.site_patient.recip_id === b.site_patient.recip_id ? 'agree' : 'disagree';
}

export function comparePhone(a: string | undefined, b: string | undefined): AgreeLevel {
  if (!a || !b) return 'missing';
  return a === b ? 'agree' : 'disagree';
}
