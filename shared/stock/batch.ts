import { mapLimit } from '#platform/map-limit.ts';
import type { Caller } from '#sites/access.ts';
import type { Site } from '#sites/site.ts';
import { getSite } from '#sites/store.ts';
import { parseKey } from './input.ts';
import {
  type RecordContext,
  type RecordOutcome,
  recordReceipt,
  recordTransferOut,
  recordWastage,
} from './record.ts';

/**
 * The records of one request, recorded side by side except those that must be in order (orderedGroups), each
 * answered in request order.
 */

/** How a batch of one kind is sent, recorded and logged. */
export interface BatchKind {
  /** The list of a batch body: `{"receipts": [ … ]}`. */
  list: 'receipts' | 'transfers' | 'wastage';
  /** One record, in messages. */
  noun: string;
  /** How the admin key is told it records no stock: "<reported> with the site's own key …". */
  reported: string;
  /** The log line of a batch. */
  logged: string;
  record: (input: Record<string, unknown>, ctx: RecordContext) => Promise<RecordOutcome>;
  /** The records of one lot go in order too. */
  byLot: boolean;
}

/**
 * Doses received (from the distributor, or transferred from another site). A receipt's outcome does not depend
 * on the records before it: only repeated record_ids are ordered.
 */
export const RECEIPTS: BatchKind = {
  list: 'receipts',
  noun: 'receipt',
  reported: 'Inventory receipts and transfers are reported',
  logged: 'inventory receipts recorded',
  record: recordReceipt,
  byLot: false,
};

/** Doses sent to a site of another organization (the sender's own side). */
export const TRANSFERS: BatchKind = {
  list: 'transfers',
  noun: 'transfer',
  reported: 'Transfers out are reported',
  logged: 'transfers out recorded',
  record: recordTransferOut,
  byLot: false,
};

/** Doses lost: a wastage report's on-hand check sees the reports of its lot sent before it. */
export const WASTAGE: BatchKind = {
  list: 'wastage',
  noun: 'wastage report',
  reported: 'Wastage is reported',
  logged: 'wastage recorded',
  record: recordWastage,
  byLot: true,
};

const GROUP_CONCURRENCY = 16;

/**
 * Indexes of the records that must be recorded one after another, in request order: those repeating a
 * record_id (the first is the one stored; a repeat answers duplicate or STK009, whatever the timing) and, with
 * `byLot`, those of one lot.
 */
export function orderedGroups(inputs: readonly Record<string, unknown>[], byLot: boolean): number[][] {
  const groups: number[][] = [];
  const lots = new Map<string, number[]>();
  const recordIds = new Map<string, number[]>();
  inputs.forEach((input, i) => {
    const key = byLot ? parseKey(input, 'a record', []) : undefined;
    const lot = key ? `${key.ndc}|${key.lot_number}` : undefined;
    const raw = input.record_id;
    const id = typeof raw === 'string' || typeof raw === 'number' ? String(raw).trim() : undefined;
    let group = (id ? recordIds.get(id) : undefined) ?? (lot ? lots.get(lot) : undefined);
    if (!group) {
      group = [];
      groups.push(group);
    }
    group.push(i);
    if (lot && !lots.has(lot)) lots.set(lot, group);
    if (id && !recordIds.has(id)) recordIds.set(id, group);
  });
  return groups;
}

/** Records a request's records for `iisId`, sent with `caller`'s key; one outcome per record, in order. */
export async function recordBatch(
  kind: BatchKind,
  inputs: readonly Record<string, unknown>[],
  iisId: string,
  caller: Caller,
  now: Date,
): Promise<RecordOutcome[]> {
  const known = new Map<string, Promise<Site | undefined>>();
  const ctx: RecordContext = {
    iis_id: iisId,
    // A receipt writes a transfer's sending side only if this key acts for the sending site too.
    caller,
    now,
    source: 'api',
    onHand: new Map(),
    expirations: new Map(),
    site: (id) => {
      let site = known.get(id);
      if (!site) {
        site = getSite(id);
        known.set(id, site);
      }
      return site;
    },
  };
  const results = new Array<RecordOutcome>(inputs.length);
  await mapLimit(orderedGroups(inputs, kind.byLot), GROUP_CONCURRENCY, async (group) => {
    for (const i of group) results[i] = await kind.record(inputs[i]!, ctx);
  });
  return results;
}

/** What a batch's log line says: outcomes and finding codes, counted (never the records themselves). */
export function tally(results: readonly RecordOutcome[]) {
  const counts = { accepted: 0, rejected: 0, duplicate: 0 };
  const codes: Record<string, number> = {};
  for (const r of results) {
    counts[r.status]++;
    for (const f of r.issues) codes[f.code] = (codes[f.code] ?? 0) + 1;
  }
  return { ...counts, codes };
}
