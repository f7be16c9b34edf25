import { contentHash } from '#platform/content-hash.ts';
import { localDate } from '#platform/dates.ts';
import { type Finding, finding, hasError, shown } from '#platform/findings.ts';
import { mapLimit } from '#platform/map-limit.ts';
import { BATCH_LIMIT } from '#platform/store/batch-write.ts';
import { registryFor } from '#registry/routing.ts';
import { actingSite, type Caller, permittedSites } from '#sites/access.ts';
import type { Site } from '#sites/site.ts';
import { getSite } from '#sites/store.ts';
import { type Dose, SITE_FILLED_FIELDS } from './fields.ts';
import { normalizeDose } from './normalize.ts';
import {
  defaultOutboxDeps,
  freshDelivery,
  intentFor,
  type OutboxDeps,
  publishAndClear,
} from './outbox/outbox.ts';
import type { Delivery } from './outbox/publish.ts';
import * as store from './store.ts';
import { type EarlierDose, intervalFindings, validateDose } from './validate.ts';

export type DoseStatus = 'accepted' | 'rejected' | 'duplicate';

export interface DoseResult {
  vax_event_id: string | null;
  status: DoseStatus;
  version?: number;
  issues: Finding[];
}

export interface PreparedDose {
  dose: Partial<Dose>;
  findings: Finding[];
}

/** The collaborators that touch AWS, replaceable in tests (e.g. a publish step that dies). */
export interface IntakeDeps extends OutboxDeps {
  insertVersion: typeof store.insertVersion;
  recipientDoses: typeof store.recipientDoses;
  getHead: typeof store.getHead;
  getSite: typeof getSite;
}

export const defaultDeps: IntakeDeps = {
  insertVersion: store.insertVersion,
  recipientDoses: store.recipientDoses,
  getHead: store.getHead,
  getSite,
  ...defaultOutboxDeps,
};

/** How a batch is taken: the API's defaults, or a file's. */
export interface SubmitOptions {
  /** Findings known before the rules run, per input (a file row's column count, repeats across the file). */
  extraFindings?: readonly (readonly Finding[])[];
  /** Where each input came from ("upload:<id>:<row>"); a version stored from the same source is this one's retry. */
  sources?: readonly string[];
  /** 'request' (API): one input naming a forbidden site refuses the whole batch. 'row' (files): only that row. */
  forbidden?: 'request' | 'row';
  /** The site a row without iis_id belongs to (a file's site); the caller's own by default. */
  defaultIisId?: string;
  /** Validate only: nothing is read from or written to storage (offline pre-flight checks). */
  dryRun?: boolean;
  /** The site's enrollment is not at hand (offline): site fields a row leaves out are not reported missing. */
  siteUnknown?: boolean;
  /** Files: repeats of a vax_event_id were found across the whole file by its plan and come in extraFindings. */
  repeatsFlagged?: boolean;
  /** Per input: a historical record (HL7 RXA-9 other than 00), which needs no lot or expiration. */
  historical?: readonly boolean[];
}

const WRITE_CONCURRENCY = 16;
const GROUP_CONCURRENCY = 4;
const SITE_FILLED: ReadonlySet<string> = new Set(SITE_FILLED_FIELDS);

/** Site fields a dose left out come from the site's enrollment. */
export function fillFromSite(dose: Partial<Dose>, site: Site): void {
  for (const f of SITE_FILLED_FIELDS) if (dose[f] === undefined && site[f] !== undefined) dose[f] = site[f];
}

/**
 * CDC's BUSR013 for a row that repeats an earlier one exactly: CDC refuses it, we take it as the same dose sent
 * twice, so it only warns and the row counts once, as a duplicate.
 */
export function exactRepeat(id: string, where: string): Finding {
  return finding(
    'BUSR013',
    'vax_event_id',
    `vax_event_id ${shown(id)} repeats ${where} exactly; it is counted once. CDC refuses a repeated vax_event_id, so send each dose once.`,
    'warning',
  );
}

const isExactRepeat = (f: Finding) => f.code === 'BUSR013' && f.severity === 'warning';

/** CDC's BUSR013: the same vax_event_id (whatever its letter case) with different content. */
export function conflictingRepeat(id: string, where: string): Finding {
  return finding(
    'BUSR013',
    'vax_event_id',
    `vax_event_id ${shown(id)} was already used by ${where} with different content. Every vaccination event needs its own ID; to change a dose, send it again on its own.`,
  );
}

/**
 * Normalizes a batch and applies the rule that needs the whole batch: a vax_event_id used twice is a
 * duplicate when the two are the same dose, and CDC's BUSR013 when they differ (compared as CDC does, without
 * regard to letter case).
 */
export function prepareBatch(
  inputs: readonly Record<string, unknown>[],
  callerIisId: string,
  flagRepeats = true,
): PreparedDose[] {
  const firstSeen = new Map<string, { index: number; hash: string }>();
  return inputs.map((input, index) => {
    const { dose, findings } = normalizeDose(input);
    dose.iis_id ??= callerIisId;
    const id = dose.vax_event_id;
    if (id !== undefined && flagRepeats) {
      const key = `${dose.iis_id}#${id.toUpperCase()}`;
      const hash = contentHash(dose);
      const first = firstSeen.get(key);
      if (first === undefined) firstSeen.set(key, { index, hash });
      else {
        const where = `dose ${first.index + 1} of this submission`;
        findings.push(first.hash === hash ? exactRepeat(id, where) : conflictingRepeat(id, where));
      }
    }
    return { dose, findings };
  });
}

/** Earlier doses of each recipient in the batch: stored ones, plus the batch's own valid administered doses. */
async function earlierDoses(
  prepared: readonly PreparedDose[],
  deps: IntakeDeps,
  dryRun: boolean,
): Promise<Map<string, EarlierDose[]>> {
  const byRecipient = new Map<string, EarlierDose[]>();
  for (const { dose, findings } of prepared) {
    if (!dose.recip_id || hasError(findings)) continue;
    const key = `${dose.iis_id}#${dose.recip_id}`;
    const list = byRecipient.get(key) ?? [];
    byRecipient.set(key, list);
    if (dose.admin_date && dose.vax_refusal !== 'YES' && dose.vax_event_id)
      list.push({
        vax_event_id: dose.vax_event_id,
        admin_date: dose.admin_date,
        cvx: dose.cvx,
        mvx: dose.mvx,
      });
  }
  if (dryRun) return byRecipient;
  // Stored history matters only for a recipient with a dose the site says is not the first: a first dose
  // (dose_num 1) has no earlier dose to be too close to. This saves a query per row of a typical clinic day.
  const needHistory = new Set<string>();
  for (const { dose, findings } of prepared)
    if (dose.recip_id && dose.dose_num !== '1' && !hasError(findings))
      needHistory.add(`${dose.iis_id}#${dose.recip_id}`);
  await mapLimit([...needHistory], WRITE_CONCURRENCY, async (key) => {
    const [iis, ...rest] = key.split('#');
    const stored = await deps.recipientDoses(iis!, rest.join('#'));
    const list = byRecipient.get(key)!;
    const inBatch = new Set(list.map((d) => d.vax_event_id));
    for (const d of stored) if (!inBatch.has(d.vax_event_id)) list.push(d);
  });
  return byRecipient;
}

function rejected(id: string | null, findings: Finding[], reason?: Finding): DoseResult {
  return { vax_event_id: id, status: 'rejected', issues: reason ? [...findings, reason] : findings };
}

export type SubmitOutcome =
  /** `doses`: each input as normalized (its site filled in), for what the rejections log keeps of a rejected one. */
  { ok: true; results: DoseResult[]; doses: readonly Partial<Dose>[] } | { ok: false; forbidden: string };

/**
 * Validates every dose, stores the valid ones exactly once and publishes each stored change to the reporting
 * queues. A change is written with its outbox mark; the mark is cleared only once every queue has it, so a
 * crash between store and publish leaves it for the sweeper instead of losing it. The API and dropped files
 * both come through here; files pass their row findings and sources in `options`.
 */
export async function submitDoses(
  inputs: readonly Record<string, unknown>[],
  caller: Caller,
  now: Date,
  deps: IntakeDeps = defaultDeps,
  options: SubmitOptions = {},
): Promise<SubmitOutcome> {
  const callerIis = caller.iis_id ?? '';
  const dryRun = options.dryRun ?? false;
  const prepared = prepareBatch(inputs, options.defaultIisId ?? callerIis, !options.repeatsFlagged);
  options.extraFindings?.forEach((extra, i) => {
    prepared[i]?.findings.push(...extra);
  });
  const { sites, forbidden } = await permittedSites(
    caller,
    prepared.map((p) => p.dose.iis_id!),
    deps.getSite,
  );
  if (forbidden.size > 0 && options.forbidden !== 'row') return { ok: false, forbidden: [...forbidden][0]! };

  const today = localDate(now);
  for (const [index, p] of prepared.entries()) {
    const site = sites.get(p.dose.iis_id!);
    if (!site) {
      p.findings.push(
        finding(
          'DQ023',
          'iis_id',
          `This submission may hold doses of ${callerIis} and the sites that name it as their sending facility, not of ${shown(p.dose.iis_id!)}.`,
        ),
      );
      continue;
    }
    fillFromSite(p.dose, site);
    p.findings.push(
      ...validateDose(p.dose, {
        today,
        filledLater: options.siteUnknown ? SITE_FILLED : undefined,
        historical: options.historical?.[index],
      }),
    );
  }
  // The interval rule needs the recipient's other doses, which only count if they are valid themselves.
  const history = await earlierDoses(prepared, deps, dryRun);
  for (const p of prepared) {
    const earlier = p.dose.recip_id ? history.get(`${p.dose.iis_id}#${p.dose.recip_id}`) : undefined;
    if (earlier && !hasError(p.findings)) p.findings.push(...intervalFindings(p.dose, earlier));
  }

  const storedAt = now.toISOString();
  const results: DoseResult[] = new Array(prepared.length);
  const toStore: { index: number; version: store.DoseVersion }[] = [];
  prepared.forEach(({ dose, findings }, index) => {
    const id = dose.vax_event_id ?? null;
    if (hasError(findings) || !id) results[index] = rejected(id, findings);
    // An exact repeat of an earlier row is that row's dose: it is answered as a duplicate, as a re-sent dose is.
    else if (findings.some(isExactRepeat))
      results[index] = { vax_event_id: id, status: 'duplicate', issues: findings };
    else if (dryRun) results[index] = { vax_event_id: id, status: 'accepted', issues: findings };
    else
      toStore.push({
        index,
        version: {
          iis_id: dose.iis_id!,
          vax_event_id: id,
          version: 1,
          action: 'A',
          content_hash: contentHash(dose),
          dose: dose as Dose,
          findings,
          stored_at: storedAt,
          submitted_by: actingSite(caller, sites.get(dose.iis_id!)!),
          registry: registryFor(sites.get(dose.iis_id!)!.admin_address_county, now),
          source: options.sources?.[index],
          ...(options.historical?.[index] ? { historical: true } : {}),
        },
      });
  });

  // In groups of one BatchWriteItem: the intents first, then each dose with its own conditional put.
  const deliveries: Delivery[] = [];
  const groups = Array.from({ length: Math.ceil(toStore.length / BATCH_LIMIT) }, (_, g) =>
    toStore.slice(g * BATCH_LIMIT, (g + 1) * BATCH_LIMIT),
  );
  await mapLimit(groups, GROUP_CONCURRENCY, async (group) => {
    await deps.writeIntents(group.map((g) => intentFor(g.version)));
    const notStored: store.DoseVersion[] = [];
    await mapLimit(group, WRITE_CONCURRENCY / GROUP_CONCURRENCY, async ({ index, version }) => {
      const { result, storedNow } = await storeOne(version, deps);
      results[index] = result;
      if (storedNow) deliveries.push(freshDelivery(version));
      else notStored.push(version);
    });
    // This attempt's intents for changes it did not store itself: nothing of theirs to publish.
    await deps.deleteIntents(notStored);
  });
  await publishAndClear(deliveries, deps);
  return { ok: true, results, doses: prepared.map((p) => p.dose) };
}

/** One dose's conditional put, and what a refusal means: a retry of the same row, a duplicate or a conflict. */
async function storeOne(
  version: store.DoseVersion,
  deps: IntakeDeps,
): Promise<{ result: DoseResult; storedNow: boolean }> {
  const res = await deps.insertVersion(version);
  if (res.stored)
    return {
      result: {
        vax_event_id: version.vax_event_id,
        status: 'accepted',
        version: 1,
        issues: version.findings,
      },
      storedNow: true,
    };
  return { result: await refusal(version, res.existing, deps), storedNow: false };
}

async function refusal(
  version: store.DoseVersion,
  existing: store.DoseVersion | undefined,
  deps: IntakeDeps,
): Promise<DoseResult> {
  const id = version.vax_event_id;
  const findings = version.findings;
  // Stored before by this very row (a retried chunk): the same answer as the first time. That attempt's
  // intent, if still there, is the sweeper's.
  if (version.source && existing?.source === version.source)
    return { vax_event_id: id, status: 'accepted', version: 1, issues: existing.findings };
  if (existing?.content_hash === version.content_hash) {
    const head = await deps.getHead(version.iis_id, id);
    if (head?.action !== 'D') return { vax_event_id: id, status: 'duplicate', version: 1, issues: findings };
    return rejected(
      id,
      findings,
      finding(
        'DQ020',
        'vax_event_id',
        `vax_event_id ${shown(id)} was deleted (version ${head.version}). A deleted dose cannot come back: report the event again under a new vax_event_id.`,
      ),
    );
  }
  return rejected(
    id,
    findings,
    finding(
      'DQ017',
      'vax_event_id',
      `vax_event_id ${shown(id)} is already stored with different content. To change it, send PUT /v1/doses/${shown(id)} with If-Match set to its ETag; to report a different event, give it a new vax_event_id.`,
    ),
  );
}
