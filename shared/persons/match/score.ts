import type { Demographics, PersonCandidate } from '../types.ts';
import {
  compareAddress,
  compareDob,
  compareFirst,
  compareLast,
  compareMiddle,
  comparePhone,
  compareSex,
  compareSitePatient,
  type NameLevel,
} from './compare.ts';
import { SWAP_PENALTY, WEIGHTS } from './weights.ts';

/** The Fellegi–Sunter score of two records (log2 odds, summed over fields), and the levels behind it. */
export interface Scored {
  score: number;
  first: NameLevel;
  last: NameLevel;
  swapped: boolean;
}

const swap = (d: Demographics): Demographics => ({ ...d, first: d.last, last: d.first });

function scoreAsIs(a: Demographics, b: Demographics, swapped = false): Scored {
  const first = compareFirst(a, b);
  const last = compareLast(a, b);
  let s = WEIGHTS.first[first] + WEIGHTS.last[last] + WEIGHTS.dob[compareDob(a.dob, b.dob)];
  const sex = compareSex(a.sex, b.sex);
  if (sex !== 'missing') s += WEIGHTS.sex[sex];
  const site = compareSitePatient(a, b);
  if (site !== 'missing') s += WEIGHTS.site_patient[site];
  const phone = comparePhone(a.phone, b.phone);
  if (phone !== 'missing') s += WEIGHTS.phone[phone];
  const address = compareAddress(a, b);
  const middle = compareMiddle(a.middle, b.middle);
  // Household fields are not independent of the surname: twins and siblings share last name, address and
  // often DOB. When the given names disagree, a shared address is what a sibling looks like, so it
  // counts only against, never for; likewise when only swapping the names makes one of them agree.
  const household = first !== 'disagree' && !swapped;
  if (address !== 'missing' && (household || address === 'disagree')) s += WEIGHTS.address[address];
  if (middle !== 'missing' && (household || middle === 'disagree')) s += WEIGHTS.middle[middle];
  return { score: s, first, last, swapped };
}

/** Symmetric: score(a, b) = score(b, a). Names entered in each other's place are tried too. */
export function scorePair(a: Demographics, b: Demographics): Scored {
  const asIs = scoreAsIs(a, b);
  if (asIs.first === 'exact' && asIs.last === 'exact') return asIs;
  // Both ways round, so the score stays symmetric (first and last are compared by different rules).
  const one = scoreAsIs(a, swap(b), true);
  const other = scoreAsIs(swap(a), b, true);
  const swapped = one.score >= other.score ? one : other;
  return swapped.score - SWAP_PENALTY > asIs.score
    ? { ...swapped, score: swapped.score - SWAP_PENALTY }
    : asIs;
}

export const score = (a: Demographics, b: Demographics): number => scorePair(a, b).score;

/** A person's score: the best of their variants (each linked dose's demographics). */
export function scoreCandidate(d: Demographics, c: PersonCandidate): number {
  let best = Number.NEGATIVE_INFINITY;
  for (const v of c.variants) best = Math.max(best, score(d, v));
  return best;
}
