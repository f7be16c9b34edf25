import type { Demographics } from '../types.ts';
import { phonetic } from './strings.ts';

/**
 * Blocking keys: a dose is compared only with the persons who share at least one key, so the cost per dose
 * stays flat as the record grows. Each key tolerates a different error, and a true match survives any one
 * common error (and most pairs of them) through another key:
 *   N:<phonetic of a name part>:<DOB>    typos that keep the sound, the other name wrong, names swapped,
 *                                        one part of a hyphenated surname, moves
 *   F:<phonetic of first>:<DOB, day and month in order>   surname changed or hyphenated, DOB transposed
 *   Y:<phonetic of last>:<phonetic of first>:<birth year> DOB with a wrong digit, day or month
 *   Z:<ZIP>:<first initial>:<birth year>  names misspelled beyond their sound and DOB wrong, same ZIP
 *   S:<site>:<site's patient ID>          the same site's patient, whatever else changed
 * The sizes stay small at California's scale (~40M people): a name sound with a DOB holds a handful; the
 * coarsest, a common name's sound with a birth year, a few dozen. Keys hold PHI-derived text: they are
 * hashed before storage (store.ts) and never logged.
 */
export function blockingKeys(d: Demographics): string[] {
  const keys = new Set<string>();
  if (d.site_patient) keys.add(`S:${d.site_patient.iis_id}:${d.site_patient.recip_id}`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(d.dob)) return [...keys];
  const year = d.dob.slice(0, 4);
  const [mm, dd] = [d.dob.slice(5, 7), d.dob.slice(8, 10)];
  const monthDay = mm < dd ? `${mm}${dd}` : `${dd}${mm}`;
  const firstParts = d.first.split(' ').filter((t) => t.length > 1);
  const lastParts = d.last.split(' ').filter((t) => t.length > 1);
  const first = firstParts[0] ?? d.first;
  const pf = first ? phonetic(first) : '';
  const pl = d.last ? phonetic(d.last.replace(/ /g, '')) : '';
  for (const part of [first, ...lastParts.slice(0, 3)]) if (part) keys.add(`N:${phonetic(part)}:${d.dob}`);
  if (pf) keys.add(`F:${pf}:${year}${monthDay}`);
  if (pf && pl) keys.add(`Y:${pl}:${pf}:${year}`);
  if (d.zip && first) keys.add(`Z:${d.zip}:${first[0]}:${year}`);
  return [...keys];
}
