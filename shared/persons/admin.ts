import { HttpError } from '#platform/http/response.ts';
import { mergePersons, moveLinks, refreshPerson } from './link.ts';
import {
  closeReview,
  createPerson,
  currentPerson,
  getReview,
  linksOf,
  newPersonId,
  recordDecision,
} from './store.ts';

/**
 * An administrator's decisions about who is who (issue 14): merge two persons, split doses off into a person
 * of their own, decide a queued review. Every one is recorded (decisions) with what it moved, and each is
 * undone by its opposite: a merge by splitting the moved doses off again, a split by merging back.
 */

const ADMIN = 'admin';

async function live(id: string, field: string) {
  const p = await currentPerson(id);
  if (!p) throw new HttpError(404, 'PER404', field, `No person ${id}.`);
  return p.person.person_id;
}

export async function merge(into: string, from: string, reason: string | undefined, now: Date) {
  const a = await live(into, 'person_id');
  const b = await live(from, 'from');
  if (a === b) throw new HttpError(400, 'REQ010', 'from', `${from} is already the same person as ${into}.`);
  const moved = await mergePersons(a, b, {
    at: now.toISOString(),
    by: ADMIN,
    kind: 'merge',
    ...(reason ? { reason } : {}),
  });
  return { person_id: a, merged: b, moved };
}

/** Moves the named doses to a new person of their own. */
export async function split(
  from: string,
  doses: readonly { iis_id: string; vax_event_id: string }[],
  reason: string | undefined,
  now: Date,
) {
  const at = now.toISOString();
  const source = await live(from, 'person_id');
  const links = await linksOf(source);
  const picked = doses.map((d) => {
    const l = links.find((x) => x.dose.iis_id === d.iis_id && x.dose.vax_event_id === d.vax_event_id);
    if (!l)
      throw new HttpError(
        400,
        'REQ010',
        'doses',
        `Dose ${d.iis_id}/${d.vax_event_id} is not linked to ${source}.`,
      );
    return l;
  });
  if (picked.length === links.length)
    throw new HttpError(
      400,
      'REQ010',
      'doses',
      'Splitting off every dose leaves nobody behind: name fewer doses.',
    );
  const target = newPersonId(now.getTime());
  await createPerson(target, at);
  const moved = await moveLinks(source, target, picked);
  await recordDecision([source, target], {
    kind: 'split',
    at,
    by: ADMIN,
    doses: moved,
    from: source,
    into: target,
    ...(reason ? { reason } : {}),
  });
  await refreshPerson(source, at);
  await refreshPerson(target, at);
  return { person_id: target, from: source, moved };
}

/** Decides an open review: keep the dose's person apart, or merge it into one of the candidates. */
export async function decideReview(
  reviewId: string,
  decision: 'apart' | 'merge',
  into: string | undefined,
  reason: string | undefined,
  now: Date,
) {
  const review = await getReview(reviewId);
  if (review?.status !== 'open')
    throw new HttpError(404, 'PER404', 'review_id', 'No open review with this ID (decided already?).');
  if (decision === 'merge') {
    const target = into ?? review.candidates[0]?.person_id;
    if (!target || !review.candidates.some((c) => c.person_id === target))
      throw new HttpError(400, 'REQ010', 'into', "into must be one of the review's candidates.");
    const result = await merge(target, review.person_id, reason, now);
    await closeReview(reviewId, `merge:${result.person_id}`, now.toISOString());
    return { review_id: reviewId, decision, ...result };
  }
  await closeReview(reviewId, 'apart', now.toISOString());
  await recordDecision([review.person_id, ...review.candidates.map((c) => c.person_id)], {
    kind: 'apart',
    at: now.toISOString(),
    by: ADMIN,
    doses: [{ iis_id: review.iis_id, vax_event_id: review.vax_event_id }],
    ...(reason ? { reason } : {}),
  });
  return { review_id: reviewId, decision, person_id: review.person_id };
}
