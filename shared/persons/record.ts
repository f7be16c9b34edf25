import { localDate } from '#platform/dates.ts';
import { consolidate } from './consolidate.ts';
import { forecast } from './forecast.ts';
import { blockingKeys } from './match/blocking.ts';
import { searchDecision } from './match/decide.ts';
import { demographicsOfQuery } from './match/demographics.ts';
import { candidatesIn, currentPerson, type Link, linksOf } from './store.ts';
import type { Demographics, Forecast, PersonQuery, RecordDose, SearchDecision } from './types.ts';

/**
 * A person's consolidated record (issue 14): the doses of every site linked to the person, collapsed and
 * evaluated, with what is due as of a day; and the search that finds one person. What a caller may see of it
 * is record-view.ts.
 */

/** The record with nothing of the caller's own removed: what the HL7 answer and the API view start from. */
export interface FullRecord {
  person_id: string;
  merged_from: string[];
  latest: Demographics;
  links: Link[];
  doses: RecordDose[];
  forecast: Forecast;
}

export async function loadRecord(
  personId: string,
  asOf = localDate(new Date()),
): Promise<FullRecord | undefined> {
  const current = await currentPerson(personId);
  if (!current) return undefined;
  const links = await linksOf(current.person.person_id);
  if (links.length === 0) return undefined;
  const newest = [...links].sort(
    (a, b) => b.linked_at.localeCompare(a.linked_at) || b.dose.stored_at.localeCompare(a.dose.stored_at),
  );
  const doses = consolidate(links.map((l) => l.dose));
  return {
    person_id: current.person.person_id,
    merged_from: current.merged_from,
    latest: newest[0]!.demo,
    links,
    doses,
    forecast: forecast(doses, asOf),
  };
}

/** A search: the one person it identifies, or how many it could be (never who), or nobody. */
export async function searchPerson(q: PersonQuery): Promise<SearchDecision> {
  const demo = demographicsOfQuery(q);
  return searchDecision(q, await candidatesIn(blockingKeys(demo)));
}
