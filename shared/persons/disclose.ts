import { HttpError } from '#platform/http/response.ts';
import type { Caller } from '#sites/access.ts';
import { loadRecord, searchPerson } from './record.ts';
import { type PersonRecord, recordFor } from './record-view.ts';
import { logAccess } from './store.ts';
import type { PersonQuery } from './types.ts';

/**
 * The API's two reads of a record, each logged before it is answered (the accounting of disclosures): no
 * record leaves without an entry naming who asked, when, how, and whose record it was.
 */

const accessor = (who: Caller) => who.iis_id ?? 'admin';

export type SearchAnswer =
  | { match: 'one'; person: PersonRecord }
  | { match: 'several' | 'none'; message: string };

export async function searchAnswer(q: PersonQuery, who: Caller, now: Date): Promise<SearchAnswer> {
  const found = await searchPerson(q);
  const record = found.kind === 'one' ? await loadRecord(found.person_id) : undefined;
  await logAccess({
    at: now.toISOString(),
    who: accessor(who),
    via: 'api',
    what: 'search',
    outcome: record ? 'one' : found.kind === 'one' ? 'none' : found.kind,
    persons: record ? [record.person_id] : [],
  });
  if (found.kind === 'several')
    return {
      match: 'several',
      message: `${found.count} people could be this person: add sex, zip or your recip_id to tell them apart. Nothing is shown until one person is identified.`,
    };
  if (!record) return { match: 'none', message: 'Nobody in the record matches this search.' };
  return { match: 'one', person: await recordFor(record, who) };
}

export async function recordAnswer(id: string, who: Caller, now: Date): Promise<PersonRecord> {
  const record = await loadRecord(id);
  await logAccess({
    at: now.toISOString(),
    who: accessor(who),
    via: 'api',
    what: 'record',
    outcome: record ? 'one' : 'none',
    persons: record ? [record.person_id] : [],
  });
  if (!record) throw new HttpError(404, 'PER404', 'person_id', `No person ${id} (or no doses linked to it).`);
  return recordFor(record, who);
}
