import type { Demographics, MatchDecision, PersonCandidate, PersonQuery, SearchDecision } from '../types.ts';
import { demographicsOfQuery } from './demographics.ts';
import { scoreCandidate } from './score.ts';

/**
 * Thresholds on the Fellegi–Sunter score (log2 odds, weights.ts), set with `npm run match-eval`:
 *   LINK   21: names and DOB exactly alike score ~28; one typo or a nickname plus a move still ~22. Twins
 *             (same surname, DOB and address, other given name) stay at ~17 or less.
 *   REVIEW 12: below, the pair is more likely strangers than not even among the few a block holds.
 *   MARGIN  6: the best candidate must be 64 times likelier than the next one to be chosen over it.
 */
export const LINK = 21;
export const REVIEW = 12;
export const MARGIN = 6;

interface Ranked {
  person_id: string;
  score: number;
}

function rank(d: Demographics, candidates: readonly PersonCandidate[]): Ranked[] {
  return candidates
    .map((c) => ({ person_id: c.person_id, score: scoreCandidate(d, c) }))
    .sort((a, b) => b.score - a.score || (a.person_id < b.person_id ? -1 : 1));
}

const sameSitePatient = (d: Demographics, v: Demographics) =>
  !!d.site_patient &&
  v.site_patient?.iis_id === d.site_patient.iis_id &&
  v.site_patient.recip_id === d.site_patient.recip_id &&
  v.dob === d.dob;

const exactly = (d: Demographics, v: Demographics) =>
  v.first === d.first &&
  v.last === d.last &&
  v.dob === d.dob &&
  !!d.sex &&
  v.sex === d.sex &&
  !!d.zip &&
  v.zip === d.zip;

/** The one candidate a sure rule names, or undefined when none does or several do. */
function sure(
  d: Demographics,
  candidates: readonly PersonCandidate[],
  rule: (d: Demographics, v: Demographics) => boolean,
): PersonCandidate | undefined {
  const hits = candidates.filter((c) => c.variants.some((v) => rule(d, v)));
  return hits.length === 1 ? hits[0] : undefined;
}

/** Whether the best of the ranked stands clearly alone: above LINK and well ahead of any other plausible one. */
function alone(ranked: readonly Ranked[]): Ranked | undefined {
  const [best, second] = ranked;
  if (!best || best.score < LINK) return undefined;
  if (second && second.score >= REVIEW && best.score - second.score < MARGIN) return undefined;
  return best;
}

/** Which person a dose's demographics belong to, among the candidates its blocking keys found. */
export function decide(d: Demographics, candidates: readonly PersonCandidate[]): MatchDecision {
  const bySite = sure(d, candidates, sameSitePatient);
  if (bySite)
    return {
      kind: 'link',
      person_id: bySite.person_id,
      score: scoreCandidate(d, bySite),
      rule: 'site-patient-id',
    };
  const byExact = sure(d, candidates, exactly);
  if (byExact)
    return { kind: 'link', person_id: byExact.person_id, score: scoreCandidate(d, byExact), rule: 'exact' };
  const ranked = rank(d, candidates);
  const best = alone(ranked);
  if (best) return { kind: 'link', person_id: best.person_id, score: best.score, rule: 'score' };
  const possible = ranked.filter((r) => r.score >= REVIEW);
  return possible.length ? { kind: 'review', candidates: possible } : { kind: 'new' };
}

/**
 * A person search. Stricter than linking a dose: names and DOB are required, and the answer is one person
 * only when nobody else is plausible; otherwise how many are, never who (the searcher could be anybody with
 * a name and a birthday, and a list would disclose who else has them).
 */
export function searchDecision(q: PersonQuery, candidates: readonly PersonCandidate[]): SearchDecision {
  const d = demographicsOfQuery(q);
  if (!d.first || !d.last || !/^\d{4}-\d{2}-\d{2}$/.test(d.dob)) return { kind: 'none' };
  const bySite = sure(d, candidates, sameSitePatient);
  if (bySite) return { kind: 'one', person_id: bySite.person_id, score: scoreCandidate(d, bySite) };
  const ranked = rank(d, candidates);
  const best = alone(ranked);
  if (best) return { kind: 'one', person_id: best.person_id, score: best.score };
  const possible = ranked.filter((r) => r.score >= REVIEW).length;
  return possible > 1 ? { kind: 'several', count: possible } : { kind: 'none' };
}
