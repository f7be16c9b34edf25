import { addDays, dayStart, localDate } from '#platform/dates.ts';
import { type Finding, finding } from '#platform/findings.ts';
import { type Caller, permittedSites } from '#sites/access.ts';
import type { Site } from '#sites/site.ts';
import { parseReceipt, parseTransferOut, parseWastage, stockWarnings } from './input.ts';
import * as store from './store.ts';

/**
 * Recording what sites send about their stock, for the API and for dropped files alike: parse and check, store
 * once per (site, record_id), answer per record. A retry of the same record is a duplicate (nothing stored
 * twice); the same record_id for a different record is refused (STK009).
 */

export interface RecordOutcome {
  record_id?: string;
  status: 'accepted' | 'rejected' | 'duplicate';
  issues: Finding[];
}

export interface RecordContext {
  /** The site the records are for (the caller may act for it: checked before recording). */
  iis_id: string;
  /**
   * The key that sent the records: a receipt writes the sending site's side of a transfer only when this key
   * acts for the sending site too. Absent, it is taken to be the receiving site's own key (the least it can be).
   */
  caller?: Caller;
  now: Date;
  /** `api`, or `upload:<id>:<row>` for a file row. */
  source: string;
  /** A site's profile (transfers name the other site; both must belong to the same organization). */
  site: (iisId: string) => Promise<Site | undefined>;
  /**
   * On-hand estimates by `iis|ndc|lot`, shared by the records of one batch: read once per lot, then kept up to
   * date as the batch's records are stored (re-reading a lot's movements per record grows with the square).
   */
  onHand?: Map<string, number>;
  /** Lot expirations by `ndc|lot`, read once per lot for the records of one batch. */
  expirations?: Map<string, Promise<string | undefined>>;
}

const rejected = (issues: Finding[], record_id?: string): RecordOutcome => ({
  ...(record_id ? { record_id } : {}),
  status: 'rejected',
  issues,
});

function stored(
  result: store.RecordResult,
  record_id: string,
  issues: Finding[],
  source: string,
): RecordOutcome {
  if (result.kind === 'stored') return { record_id, status: 'accepted', issues };
  // A retried chunk of a file meets its own rows: they answer as the first time did.
  if (result.kind === 'duplicate' && source !== 'api' && result.existing.source === source)
    return { record_id, status: 'accepted', issues };
  if (result.kind === 'duplicate') return { record_id, status: 'duplicate', issues };
  return rejected(
    [
      finding(
        'STK009',
        'record_id',
        `record_id ${record_id} is already used for a different ${result.existing.kind === 'wastage' ? 'wastage report' : 'receipt'} (recorded ${result.existing.recorded_at}): use a new record_id, or send the same content again.`,
      ),
    ],
    record_id,
  );
}

/**
 * What a site has on hand of a lot: the newest roll-up's balance plus receipts and losses recorded since,
 * leaving out `exclude`d movements (the record being checked, or a file's own rows when its chunk is retried:
 * they must not count against themselves).
 */
export async function onHandEstimate(
  iis: string,
  ndc: string,
  lot: string,
  exclude: (m: store.StoredMovement) => boolean = () => false,
): Promise<number> {
  const latest = await store.latestRollupDate();
  let onHand = 0;
  let since = '';
  if (latest) {
    const summary = await store.siteSummary(latest, iis);
    onHand = summary?.balances.find((b) => b.ndc === ndc && b.lot_number === lot)?.on_hand ?? 0;
    since = dayStart(addDays(latest, 1)).toISOString();
  }
  for (const m of await store.movementsSince(iis, ndc, lot, since))
    if (!exclude(m)) onHand += m.kind === 'receipt' ? m.doses : -m.doses;
  return onHand;
}

function expirationOf(ndc: string, lot: string, ctx: RecordContext): Promise<string | undefined> {
  const key = `${ndc}|${lot}`;
  let found = ctx.expirations?.get(key);
  if (!found) {
    found = store.lotExpirations(ndc, lot).then((history) => store.asOf(history, localDate(ctx.now)));
    ctx.expirations?.set(key, found);
  }
  return found;
}

/**
 * A transfer: a receipt writes the sending site's side too only when the calling key acts for the sending site
 * (its own key, or its sending facility's: a facility acts for all its clients, so it may write both sides of a
 * transfer between them or with itself). No key writes into the stock of a site it does not act for: otherwise
 * the receipt is recorded here only and the sender reports its side itself (POST /v1/inventory/transfers). The
 * roll-up then counts each side once, from whichever record wrote it.
 */
type TransferSides =
  | { kind: 'both' }
  | { kind: 'receipt-only'; finding: Finding }
  | { kind: 'refused'; message: string };

async function transferSides(from: string, ctx: RecordContext): Promise<TransferSides> {
  const [sender, receiver] = await Promise.all([ctx.site(from), ctx.site(ctx.iis_id)]);
  if (!sender) return { kind: 'refused', message: `from_iis_id ${from} is not an enrolled site.` };
  const caller: Caller = ctx.caller ?? { role: 'site', iis_id: ctx.iis_id };
  const { forbidden } = await permittedSites(caller, [from], ctx.site);
  if (forbidden.size === 0) return { kind: 'both' };
  const org = (s: Site) => s.sending_facility_iis_id ?? s.iis_id;
  if (!receiver || org(sender) !== org(receiver))
    return {
      kind: 'receipt-only',
      finding: finding(
        'STK011',
        'from_iis_id',
        `Recorded as a receipt here. ${from} is another organization's site: it reports the transfer out of its own stock (POST /v1/inventory/transfers).`,
      ),
    };
  const keys = sender.sending_facility_iis_id
    ? `${from}'s own key or its sending facility ${sender.sending_facility_iis_id}'s`
    : `${from}'s own key`;
  return {
    kind: 'receipt-only',
    finding: finding(
      'STK015',
      'from_iis_id',
      `Recorded as a receipt here only: nothing was taken from ${from}'s stock, since your key does not act for ${from}. Only ${keys} may write the transfer out of its stock: ${from} reports it with POST /v1/inventory/transfers${sender.sending_facility_iis_id ? `, or ${sender.sending_facility_iis_id} sends this receipt with its key` : ''}.`,
    ),
  };
}

/** What every movement stores: whose, which record, what stock, how much, when and from where. */
function movementBase(
  record: { record_id: string; ndc: string; lot_number: string; doses: number; date: string },
  ctx: RecordContext,
) {
  return {
    iis_id: ctx.iis_id,
    record_id: record.record_id,
    ndc: record.ndc,
    lot_number: record.lot_number,
    doses: record.doses,
    date: record.date,
    recorded_at: ctx.now.toISOString(),
    source: ctx.source,
  };
}

export async function recordReceipt(
  input: Record<string, unknown>,
  ctx: RecordContext,
): Promise<RecordOutcome> {
  const { record, findings } = parseReceipt(input, { today: localDate(ctx.now), iis_id: ctx.iis_id });
  if (!record) return rejected(findings, typeof input.record_id === 'string' ? input.record_id : undefined);
  const sides = record.from_iis_id ? await transferSides(record.from_iis_id, ctx) : undefined;
  if (sides?.kind === 'refused')
    return rejected([...findings, finding('STK010', 'from_iis_id', sides.message)], record.record_id);
  if (sides?.kind === 'receipt-only') findings.push(sides.finding);
  const issues = [
    ...findings,
    ...stockWarnings(record, { expiration: await expirationOf(record.ndc, record.lot_number, ctx) }),
  ];
  const base = movementBase(record, ctx);
  const result = await store.recordMovement({
    kind: 'receipt',
    ...base,
    ...(record.from_iis_id ? { counterpart: record.from_iis_id } : {}),
  });
  if (result.kind !== 'conflict' && record.from_iis_id && sides?.kind === 'both') {
    // The sending site's side of the transfer (the caller acts for it): keyed by the receipt, so a retry
    // completes it exactly once.
    const out = await store.recordMovement({
      kind: 'transfer-out',
      ...base,
      iis_id: record.from_iis_id,
      counterpart: ctx.iis_id,
    });
    if (out.kind === 'conflict') throw new Error('A transfer-out with other content exists for this receipt');
  }
  return stored(result, record.record_id, issues, ctx.source);
}

/** A transfer out, reported by the sending site itself (to a site of another organization). */
export async function recordTransferOut(
  input: Record<string, unknown>,
  ctx: RecordContext,
): Promise<RecordOutcome> {
  const { record, findings } = parseTransferOut(input, { today: localDate(ctx.now), iis_id: ctx.iis_id });
  if (!record) return rejected(findings, typeof input.record_id === 'string' ? input.record_id : undefined);
  if (!(await ctx.site(record.to_iis_id)))
    return rejected(
      [...findings, finding('STK010', 'to_iis_id', `to_iis_id ${record.to_iis_id} is not an enrolled site.`)],
      record.record_id,
    );
  const issues = [
    ...findings,
    ...stockWarnings(record, { expiration: await expirationOf(record.ndc, record.lot_number, ctx) }),
  ];
  const result = await store.recordMovement({
    kind: 'transfer-out',
    ...movementBase(record, ctx),
    counterpart: record.to_iis_id,
    reported_by_sender: true,
  });
  return stored(result, record.record_id, issues, ctx.source);
}

export async function recordWastage(
  input: Record<string, unknown>,
  ctx: RecordContext,
): Promise<RecordOutcome> {
  const { record, findings } = parseWastage(input, { today: localDate(ctx.now) });
  if (!record) return rejected(findings, typeof input.record_id === 'string' ? input.record_id : undefined);
  const key = `${ctx.iis_id}|${record.ndc}|${record.lot_number}`;
  // A file's rows (`upload:<id>:<row>`) are counted as the batch goes, in order, never from a previous attempt.
  const upload = ctx.source.startsWith('upload:')
    ? ctx.source.slice(0, ctx.source.lastIndexOf(':') + 1)
    : undefined;
  const [expiration, onHand] = await Promise.all([
    expirationOf(record.ndc, record.lot_number, ctx),
    ctx.onHand?.get(key) ??
      onHandEstimate(
        ctx.iis_id,
        record.ndc,
        record.lot_number,
        (m) => m.record_id === record.record_id || (upload !== undefined && m.source.startsWith(upload)),
      ),
  ]);
  const issues = [...findings, ...stockWarnings(record, { expiration, onHand })];
  const result = await store.recordMovement({
    kind: 'wastage',
    ...movementBase(record, ctx),
    reason: record.reason,
    category: record.category,
    ...(record.reason_text ? { reason_text: record.reason_text } : {}),
  });
  const counted =
    result.kind === 'stored' ||
    (upload !== undefined && result.kind === 'duplicate' && result.existing.source === ctx.source);
  ctx.onHand?.set(key, counted ? onHand - record.doses : onHand);
  return stored(result, record.record_id, issues, ctx.source);
}
