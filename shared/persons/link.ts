import type { DoseVersion } from '#doses/store.ts';
import { getHead } from '#doses/store.ts';
import { localDate } from '#platform/dates.ts';
import { consolidate } from './consolidate.ts';
import { forecast } from './forecast.ts';
import { blockingKeys } from './match/blocking.ts';
import { decide } from './match/decide.ts';
import { demographicsOf } from './match/demographics.ts';
import {
  addToBlocks,
  candidatesIn,
  createPerson,
  deleteLink,
  deletePointer,
  getPerson,
  type Link,
  linksOf,
  markMerged,
  newPersonId,
  pointerOf,
  putLink,
  putReview,
  recordDecision,
  setDue,
} from './store.ts';
import type { Demographics, PersonDose } from './types.ts';

/**
 * Links one stored dose to a person (the matcher's unit of work, shared/persons/match for the decision).
 * It acts on the dose's head, not on the message's version, so redelivered, reordered or republished
 * messages all converge on the same links: applying it twice changes nothing.
 */

export const MATCHER = 'matcher';

export function personDoseOf(v: DoseVersion): PersonDose {
  const d = v.dose;
  const opt = <K extends string>(k: K, value: string | undefined) => (value ? { [k]: value } : {});
  return {
    iis_id: v.iis_id,
    vax_event_id: v.vax_event_id,
    admin_date: d.admin_date ?? '',
    ...opt('cvx', d.cvx),
    ...opt('mvx', d.mvx),
    ...opt('ndc', d.ndc),
    ...opt('lot_number', d.lot_number),
    ...opt('dose_num', d.dose_num),
    ...opt('vax_series_complete', d.vax_series_complete),
    ...(d.vax_refusal === 'YES' ? { refusal: true } : {}),
    ...(v.historical ? { historical: true } : {}),
    stored_at: v.stored_at,
  };
}

const sameDemographics = (a: Demographics, b: Demographics) => JSON.stringify(a) === JSON.stringify(b);

export type LinkOutcome = 'linked' | 'new' | 'review' | 'unchanged' | 'unlinked' | 'skipped';

export async function linkDose(iis: string, event: string, now = new Date()): Promise<LinkOutcome> {
  const at = now.toISOString();
  const head = await getHead(iis, event);
  // A change message is sent only after its version is stored; no head means the wrong table or a bug.
  if (!head) throw new Error(`No stored dose ${iis}/${event} for a change message`);
  const pointer = await pointerOf(iis, event);
  if (pointer && pointer.dose_version >= head.version) return 'unchanged';
  const demo = head.action === 'D' ? undefined : demographicsOf(head.dose);
  if (!demo) {
    // Deleted, or not enough to identify anyone: the dose leaves whoever it was linked to.
    if (!pointer) return 'skipped';
    await unlink(pointer.person_id, head, at);
    return 'unlinked';
  }
  const dose = personDoseOf(head);
  if (pointer) {
    const links = await linksOf(pointer.person_id);
    const mine = links.find((l) => l.dose.iis_id === iis && l.dose.vax_event_id === event);
    const others = links.filter((l) => l !== mine);
    // An update that still describes the same person stays linked: its demographics unchanged, or the
    // person's other doses still match it. A person's only dose has nothing to be compared with: it stays
    // unless it now links to someone else on record (a site correcting which patient it was).
    const stays =
      (mine && sameDemographics(mine.demo, demo)) ||
      (others.length === 0
        ? decide(demo, await candidatesIn(blockingKeys(demo), pointer.person_id)).kind !== 'link'
        : decide(demo, [{ person_id: pointer.person_id, variants: others.map((l) => l.demo) }]).kind ===
          'link');
    if (stays) {
      await putLink({
        person_id: pointer.person_id,
        demo,
        dose,
        dose_version: head.version,
        rule: mine?.rule ?? 'update',
        ...(mine?.score === undefined ? {} : { score: mine.score }),
        linked_at: mine?.linked_at ?? at,
      });
      await addToBlocks(blockingKeys(demo), pointer.person_id);
      await refreshPerson(pointer.person_id, at);
      return 'linked';
    }
    await deleteLink(pointer.person_id, iis, event);
    await recordDecision([pointer.person_id], {
      kind: 'unlink',
      at,
      by: MATCHER,
      doses: [{ iis_id: iis, vax_event_id: event }],
      reason: 'updated demographics no longer match this person',
    });
    await refreshPerson(pointer.person_id, at);
  }
  return matchAndLink(demo, dose, head.version, at);
}

async function matchAndLink(
  demo: Demographics,
  dose: PersonDose,
  version: number,
  at: string,
): Promise<LinkOutcome> {
  const keys = blockingKeys(demo);
  const inBlocks = new Map<string, Set<string>>();
  const decision = decide(demo, await candidatesIn(keys, undefined, inBlocks));
  const ref = { iis_id: dose.iis_id, vax_event_id: dose.vax_event_id };
  let personId: string;
  if (decision.kind === 'link') {
    personId = decision.person_id;
  } else {
    personId = newPersonId();
    await createPerson(personId, at);
  }
  const base = { person_id: personId, demo, dose, dose_version: version, linked_at: at };
  const link: Link =
    decision.kind === 'link'
      ? { ...base, rule: decision.rule, score: decision.score }
      : { ...base, rule: decision.kind };
  await putLink(link);
  // A dose linked to a person already in its blocks (a second dose, the same name and birth date) adds none:
  // each block write is a write unit, and a person's doses mostly share their keys.
  await addToBlocks(
    keys.filter((k) => !inBlocks.get(personId)?.has(k)),
    personId,
  );
  await recordDecision([personId], {
    kind: decision.kind,
    at,
    by: MATCHER,
    doses: [ref],
    ...(decision.kind === 'link' ? { rule: decision.rule, score: decision.score } : {}),
  });
  if (decision.kind === 'review')
    await putReview({ ...ref, person_id: personId, candidates: [...decision.candidates], created_at: at });
  if (decision.kind !== 'link') {
    const into = await reconcile(personId, demo, keys, at);
    if (into) personId = into;
  }
  await refreshPerson(personId, at);
  return decision.kind === 'link' ? 'linked' : decision.kind;
}

/**
 * Two matchers may create a person each for the same new person at the same time (doses of one person in
 * one batch, or in two). After creating one, look again: if this dose now links to another person, the newer
 * of the two merges into the older, whichever racer sees it (only one may: the other may have looked before
 * this one's blocking keys were written). Both agree on which is older, so they converge; a second merge of
 * the same pair moves nothing.
 */
async function reconcile(
  personId: string,
  demo: Demographics,
  keys: readonly string[],
  at: string,
): Promise<string | undefined> {
  const others = await candidatesIn(keys, personId);
  const d = decide(demo, others);
  if (d.kind !== 'link') return undefined;
  const how = { at, by: MATCHER, kind: 'reconcile' as const, rule: d.rule };
  if (d.person_id > personId) {
    await mergePersons(personId, d.person_id, how);
    return undefined;
  }
  await mergePersons(d.person_id, personId, how);
  return d.person_id;
}

async function unlink(personId: string, head: DoseVersion, at: string): Promise<void> {
  await deleteLink(personId, head.iis_id, head.vax_event_id);
  await deletePointer(head.iis_id, head.vax_event_id);
  await recordDecision([personId], {
    kind: 'unlink',
    at,
    by: MATCHER,
    doses: [{ iis_id: head.iis_id, vax_event_id: head.vax_event_id }],
    reason: head.action === 'D' ? 'dose deleted' : 'dose no longer names a person',
  });
  await refreshPerson(personId, at);
}

/** Moves every dose of `from` to `into` and marks `from` merged (an admin's merge, or reconciliation). */
export async function mergePersons(
  into: string,
  from: string,
  how: { at: string; by: string; kind: 'merge' | 'reconcile'; rule?: string; reason?: string },
): Promise<{ iis_id: string; vax_event_id: string }[]> {
  const moved = await moveLinks(from, into, await linksOf(from));
  await markMerged(from, into, how.at);
  await recordDecision([into, from], {
    kind: how.kind,
    at: how.at,
    by: how.by,
    doses: moved,
    from,
    into,
    ...(how.rule ? { rule: how.rule } : {}),
    ...(how.reason ? { reason: how.reason } : {}),
  });
  await refreshPerson(into, how.at);
  return moved;
}

export async function moveLinks(
  from: string,
  into: string,
  links: readonly Link[],
): Promise<{ iis_id: string; vax_event_id: string }[]> {
  const moved: { iis_id: string; vax_event_id: string }[] = [];
  for (const l of links) {
    // The pointer is written last by putLink: a crash between leaves the dose findable from both people,
    // never from neither, and the next run moves it again.
    await putLink({ ...l, person_id: into });
    await addToBlocks(blockingKeys(l.demo), into);
    await deleteLink(from, l.dose.iis_id, l.dose.vax_event_id);
    moved.push({ iis_id: l.dose.iis_id, vax_event_id: l.dose.vax_event_id });
  }
  return moved;
}

/** Recomputes what is due for a person (the by-due index the reminder/recall run reads). */
export async function refreshPerson(personId: string, at: string): Promise<void> {
  const person = await getPerson(personId);
  if (!person || person.merged_into) return;
  const links = await linksOf(personId);
  const record = consolidate(links.map((l) => l.dose));
  const f = forecast(record, localDate(new Date(at)));
  const latest = [...links].sort((a, b) => b.linked_at.localeCompare(a.linked_at))[0];
  const due =
    f.due && f.overdue_after && f.next_dose && f.status !== 'complete' && f.status !== 'not_started'
      ? {
          due_date: f.due,
          overdue_after: f.overdue_after,
          next_dose: f.next_dose,
          ...(latest?.demo.county ? { county: latest.demo.county } : {}),
        }
      : undefined;
  await setDue(personId, due, at);
}
