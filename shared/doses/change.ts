import { contentHash } from '#platform/content-hash.ts';
import { localDate } from '#platform/dates.ts';
import { type Finding, finding, hasError, shown } from '#platform/findings.ts';
import { actingSite, type Caller, resolveSites } from '#sites/access.ts';
import type { Site } from '#sites/site.ts';
import type { Dose } from './fields.ts';
import { normalizeDose } from './normalize.ts';
import { freshDelivery, intentFor, publishAndClear } from './outbox/outbox.ts';
import * as store from './store.ts';
import { defaultDeps, fillFromSite, type IntakeDeps } from './submit.ts';
import { validateDose } from './validate.ts';

/**
 * Updates (HL7 action U) and deletes (D) of a stored dose. Each carries the version it changes (the ETag the
 * client read); the new version is written only if that version has no successor yet, so of two racing
 * changes exactly one wins and the other gets 412. Deletes are logical: a version saying "deleted".
 */
export type ChangeOutcome =
  | { kind: 'changed'; version: store.DoseVersion; issues: Finding[] }
  | { kind: 'unchanged'; version: store.DoseVersion }
  | { kind: 'rejected'; issues: Finding[] }
  | { kind: 'not-found' }
  | { kind: 'forbidden'; iis_id: string }
  | { kind: 'precondition-failed'; current?: number }
  | { kind: 'gone'; version: number };

export interface ChangeRequest {
  caller: Caller;
  /** The site whose dose this is (the caller's own unless a sending facility names a client site). */
  iis_id: string;
  vax_event_id: string;
  /**
   * The version the client read; or, from an If-Match header, `*` (whatever version is current) or the versions its
   * usable entity-tags name (the current one if listed; none usable → the precondition fails).
   */
  ifMatch: number | '*' | readonly number[];
  now: Date;
}

type Base = { current: store.DoseVersion; site: Site };

/**
 * The one version a change builds on. A list naming the head builds on the head; one that does not builds on its
 * latest member, so a retry of a change that already wrote that member's successor still answers as the first did.
 */
async function clientVersion(req: ChangeRequest): Promise<number | ChangeOutcome> {
  const m = req.ifMatch;
  if (typeof m === 'number') return m;
  if (m !== '*' && m.length === 1) return m[0]!;
  const head = await store.getHead(req.iis_id, req.vax_event_id);
  if (!head) return { kind: 'not-found' };
  if (m === '*' || m.includes(head.version)) return head.version;
  if (m.length === 0) return { kind: 'precondition-failed', current: head.version };
  return Math.max(...m);
}

/** The version the client read, if it is still the head's predecessor-to-be; another site's dose is not found. */
async function base(req: ChangeRequest, deps: IntakeDeps): Promise<ChangeOutcome | Base> {
  const access = await resolveSites(req.caller, [req.iis_id], deps.getSite);
  if (!access.ok) return { kind: 'not-found' };
  const wanted = await clientVersion(req);
  if (typeof wanted !== 'number') return wanted;
  const read = await store.getVersion(req.iis_id, req.vax_event_id, wanted);
  if (!read) {
    const head = await store.getHead(req.iis_id, req.vax_event_id);
    return head ? { kind: 'precondition-failed', current: head.version } : { kind: 'not-found' };
  }
  if (read.action === 'D') return { kind: 'gone', version: read.version };
  return { current: read, site: access.sites.get(req.iis_id)! };
}

/**
 * Writes the successor of the version the client read. If that successor exists and is this very change (a
 * retry after a timeout or a 500), the retry succeeds without writing again; anything else is a lost race.
 */
async function writeSuccessor(next: store.DoseVersion, deps: IntakeDeps): Promise<ChangeOutcome> {
  await deps.writeIntents([intentFor(next)]);
  const res = await deps.insertVersion(next);
  if (!res.stored) {
    await deps.deleteIntents([next]);
    const same = res.existing?.content_hash === next.content_hash && res.existing.action === next.action;
    if (same) return { kind: 'changed', version: res.existing!, issues: res.existing!.findings };
    const head = await store.getHead(next.iis_id, next.vax_event_id);
    return { kind: 'precondition-failed', current: head?.version };
  }
  await publishAndClear([freshDelivery(next)], deps);
  return { kind: 'changed', version: next, issues: next.findings };
}

export async function updateDose(
  req: ChangeRequest,
  input: Record<string, unknown>,
  deps: IntakeDeps = defaultDeps,
  options: { historical?: boolean } = {},
): Promise<ChangeOutcome> {
  const found = await base(req, deps);
  if ('kind' in found) return found;
  const { current, site } = found;
  const { dose, findings } = normalizeDose(input);
  if (dose.vax_event_id !== undefined && dose.vax_event_id !== req.vax_event_id)
    findings.push(
      finding(
        'DQ018',
        'vax_event_id',
        `The body's vax_event_id ${shown(dose.vax_event_id)} differs from the one in the URL (${shown(req.vax_event_id)}).`,
      ),
    );
  if (dose.iis_id !== undefined && dose.iis_id !== req.iis_id)
    findings.push(
      finding(
        'DQ018',
        'iis_id',
        `A dose cannot move to another site (${shown(dose.iis_id)}); delete it and report it there.`,
      ),
    );
  dose.vax_event_id = req.vax_event_id;
  dose.iis_id = req.iis_id;
  fillFromSite(dose, site);
  const earlier = dose.recip_id ? await deps.recipientDoses(req.iis_id, dose.recip_id) : [];
  findings.push(
    ...validateDose(dose, {
      today: localDate(req.now),
      earlierDoses: earlier,
      historical: options.historical,
    }),
  );
  if (hasError(findings)) return { kind: 'rejected', issues: findings };
  const hash = contentHash(dose);
  if (hash === current.content_hash) {
    // Unchanged only if the client's version is still the head; otherwise its view is stale.
    const later = await store.getHead(req.iis_id, req.vax_event_id);
    return later && later.version !== current.version
      ? { kind: 'precondition-failed', current: later.version }
      : { kind: 'unchanged', version: current };
  }
  const next: store.DoseVersion = {
    ...current,
    version: current.version + 1,
    action: 'U',
    content_hash: hash,
    dose: dose as Dose,
    findings,
    stored_at: req.now.toISOString(),
    submitted_by: actingSite(req.caller, site),
    historical: options.historical || undefined,
    registry_status: undefined,
    cdc_status: undefined,
  };
  return writeSuccessor(next, deps);
}

export async function deleteDose(req: ChangeRequest, deps: IntakeDeps = defaultDeps): Promise<ChangeOutcome> {
  const found = await base(req, deps);
  if ('kind' in found) return found;
  const { current, site } = found;
  const next: store.DoseVersion = {
    ...current,
    version: current.version + 1,
    action: 'D',
    findings: [],
    stored_at: req.now.toISOString(),
    submitted_by: actingSite(req.caller, site),
    registry_status: undefined,
    cdc_status: undefined,
  };
  return writeSuccessor(next, deps);
}
