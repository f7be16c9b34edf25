import { stringify } from 'csv-stringify/sync';
import * as codes from '#codecs/codesets/products.ts';
import { normalizeNdc } from '#codecs/codesets/ndc.ts';
import type { Dose } from '#doses/fields.ts';
import type { Action } from '#doses/store.ts';
import { neutralize } from '#files/results.ts';
import { daysBetween } from '#platform/dates.ts';
import { type LossCategory, REASON_CODES, type WastageReason } from './reasons.ts';

/**
 * The nightly roll-up of one California day, as a pure function: yesterday's closing balances plus what was
 * recorded that day (receipts, transfers, wastage, dose versions) give the day's rows per site × NDC × lot, the
 * lots expired or expiring with doses on hand, the doses given from an expired lot or past a beyond-use date, and
 * statewide totals. Everything is ordered, so the same inputs always render byte-identical files.
 *
 * A day is the day a record reached the pipeline (its recording time, California), not the date written in it:
 * a report for a past day can then never change when it is run again, and a late report still counts, on the
 * day it arrived. The record's own date is kept in the stored records.
 */

export type MovementKind = 'receipt' | 'transfer-out' | 'wastage';

export interface Movement {
  kind: MovementKind;
  iis_id: string;
  record_id: string;
  ndc: string;
  lot_number: string;
  doses: number;
  reason?: WastageReason;
  category?: LossCategory;
}

/** An administered dose's place in the stock (refusals and deleted doses have none). */
export interface DoseState {
  ndc: string;
  lot_number: string;
  admin_date: string;
}

/** A dose version recorded on the day, with the state it replaced (its previous version's). */
export interface DoseChange {
  iis_id: string;
  vax_event_id: string;
  version: number;
  before?: DoseState;
  after?: DoseState;
}

export interface Balance {
  iis_id: string;
  ndc: string;
  lot_number: string;
  on_hand: number;
}

export interface SiteInfo {
  county: string;
  registry: string;
}

export interface RollupInput {
  date: string;
  previous: readonly Balance[];
  movements: readonly Movement[];
  doseChanges: readonly DoseChange[];
  /** Lot expirations as known at the end of the day, by `ndc|lot`. */
  expirations: ReadonlyMap<string, string>;
  /** Beyond-use dates as known at the end of the day, by `iis|ndc|lot`. */
  buds: ReadonlyMap<string, string>;
  sites: ReadonlyMap<string, SiteInfo>;
}

export interface StockRow {
  date: string;
  iis_id: string;
  ndc: string;
  lot_number: string;
  on_hand_start: number;
  received: number;
  transferred_out: number;
  administered: number;
  wasted: number;
  expired_spoiled: number;
  losses: Record<WastageReason, number>;
  on_hand: number;
}

export interface ExpiringRow {
  date: string;
  iis_id: string;
  ndc: string;
  lot_number: string;
  expiration: string;
  days_left: number;
  /** `expired`: on or past its expiration; else within 7 or within 30 days. */
  status: 'expired' | 'within-7' | 'within-30';
  on_hand: number;
}

export interface AdminErrorRow {
  date: string;
  iis_id: string;
  vax_event_id: string;
  version: number;
  ndc: string;
  lot_number: string;
  admin_date: string;
  expiration: string;
  beyond_use_date: string;
  problem: 'on-or-after-expiration' | 'on-or-after-beyond-use-date' | 'both';
}

export interface TotalRow {
  date: string;
  by: 'county' | 'registry';
  key: string;
  received: number;
  transferred_out: number;
  administered: number;
  wasted: number;
  expired_spoiled: number;
  on_hand: number;
}

export interface Rollup {
  stock: StockRow[];
  expiring: ExpiringRow[];
  adminErrors: AdminErrorRow[];
  totals: TotalRow[];
  balances: Balance[];
}

export const stockKey = (iis: string, ndc: string, lot: string) => `${iis}|${ndc}|${lot}`;
export const lotKey = (ndc: string, lot: string) => `${ndc}|${lot}`;

const zeroLosses = () => Object.fromEntries(REASON_CODES.map((r) => [r, 0])) as Record<WastageReason, number>;

/** Where a stored dose version sits in the stock: administered doses only, by unit-of-use NDC and lot. */
export function doseState(dose: Partial<Dose>, action: Action): DoseState | undefined {
  if (action === 'D' || dose.vax_refusal === 'YES' || !dose.admin_date) return undefined;
  return {
    ndc: unitOfUse(dose.ndc),
    lot_number: (dose.lot_number ?? '').trim().toUpperCase(),
    admin_date: dose.admin_date,
  };
}

/** A carton's NDC counts as its vial's (when it has one); no NDC at all is kept apart as "". */
export function unitOfUse(ndc: string | undefined): string {
  if (!ndc) return '';
  const n = normalizeNdc(ndc) ?? ndc;
  const entry = codes.ndc(n);
  return entry?.kind === 'sale' && entry.unitsOfUse.length === 1 ? entry.unitsOfUse[0]! : n;
}

export function rollup(input: RollupInput): Rollup {
  const rows = new Map<string, StockRow>();
  const row = (iis: string, ndc: string, lot: string) => {
    const k = stockKey(iis, ndc, lot);
    let r = rows.get(k);
    if (!r) {
      r = {
        date: input.date,
        iis_id: iis,
        ndc,
        lot_number: lot,
        on_hand_start: 0,
        received: 0,
        transferred_out: 0,
        administered: 0,
        wasted: 0,
        expired_spoiled: 0,
        losses: zeroLosses(),
        on_hand: 0,
      };
      rows.set(k, r);
    }
    return r;
  };
  for (const b of input.previous) row(b.iis_id, b.ndc, b.lot_number).on_hand_start += b.on_hand;
  for (const m of input.movements) {
    const r = row(m.iis_id, m.ndc, m.lot_number);
    if (m.kind === 'receipt') r.received += m.doses;
    else if (m.kind === 'transfer-out') r.transferred_out += m.doses;
    else {
      if (m.category === 'expired-spoiled') r.expired_spoiled += m.doses;
      else r.wasted += m.doses;
      r.losses[m.reason ?? 'other'] += m.doses;
    }
  }
  const adminErrors: AdminErrorRow[] = [];
  for (const c of input.doseChanges) {
    if (c.before) row(c.iis_id, c.before.ndc, c.before.lot_number).administered -= 1;
    if (!c.after) continue;
    row(c.iis_id, c.after.ndc, c.after.lot_number).administered += 1;
    const expiration = input.expirations.get(lotKey(c.after.ndc, c.after.lot_number)) ?? '';
    const bud = input.buds.get(stockKey(c.iis_id, c.after.ndc, c.after.lot_number)) ?? '';
    const expired = expiration !== '' && c.after.admin_date >= expiration;
    const pastBud = bud !== '' && c.after.admin_date >= bud;
    if (expired || pastBud)
      adminErrors.push({
        date: input.date,
        iis_id: c.iis_id,
        vax_event_id: c.vax_event_id,
        version: c.version,
        ndc: c.after.ndc,
        lot_number: c.after.lot_number,
        admin_date: c.after.admin_date,
        expiration,
        beyond_use_date: bud,
        problem:
          expired && pastBud ? 'both' : expired ? 'on-or-after-expiration' : 'on-or-after-beyond-use-date',
      });
  }

  const stock = [...rows.values()]
    .map((r) => ({
      ...r,
      on_hand:
        r.on_hand_start + r.received - r.transferred_out - r.administered - r.wasted - r.expired_spoiled,
    }))
    .filter(
      (r) =>
        r.on_hand !== 0 ||
        r.on_hand_start !== 0 ||
        r.received ||
        r.transferred_out ||
        r.administered ||
        r.wasted ||
        r.expired_spoiled,
    )
    .sort(byKey);

  const expiring: ExpiringRow[] = [];
  for (const r of stock) {
    const expiration = input.expirations.get(lotKey(r.ndc, r.lot_number));
    if (r.on_hand <= 0 || !expiration) continue;
    const days = daysBetween(input.date, expiration);
    if (days > 30) continue;
    expiring.push({
      date: input.date,
      iis_id: r.iis_id,
      ndc: r.ndc,
      lot_number: r.lot_number,
      expiration,
      days_left: days,
      status: days <= 0 ? 'expired' : days <= 7 ? 'within-7' : 'within-30',
      on_hand: r.on_hand,
    });
  }
  expiring.sort((a, b) => a.days_left - b.days_left || byKey(a, b));

  const totals = new Map<string, TotalRow>();
  const add = (by: TotalRow['by'], key: string, r: StockRow) => {
    const k = `${by}|${key}`;
    const t = totals.get(k) ?? {
      date: input.date,
      by,
      key,
      received: 0,
      transferred_out: 0,
      administered: 0,
      wasted: 0,
      expired_spoiled: 0,
      on_hand: 0,
    };
    t.received += r.received;
    t.transferred_out += r.transferred_out;
    t.administered += r.administered;
    t.wasted += r.wasted;
    t.expired_spoiled += r.expired_spoiled;
    t.on_hand += r.on_hand;
    totals.set(k, t);
  };
  for (const r of stock) {
    const site = input.sites.get(r.iis_id);
    add('county', site?.county ?? 'unknown', r);
    add('registry', site?.registry ?? 'unknown', r);
  }

  return {
    stock,
    expiring,
    adminErrors: adminErrors.sort(
      (a, b) => cmp(a.iis_id, b.iis_id) || cmp(a.vax_event_id, b.vax_event_id) || a.version - b.version,
    ),
    totals: [...totals.values()].sort((a, b) => cmp(a.by, b.by) || cmp(a.key, b.key)),
    balances: stock
      .filter((r) => r.on_hand !== 0)
      .map((r) => ({ iis_id: r.iis_id, ndc: r.ndc, lot_number: r.lot_number, on_hand: r.on_hand })),
  };
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const byKey = (a: { iis_id: string; ndc: string; lot_number: string }, b: typeof a) =>
  cmp(a.iis_id, b.iis_id) || cmp(a.ndc, b.ndc) || cmp(a.lot_number, b.lot_number);

/**
 * A CSV cell as the results files write one: text a spreadsheet would run as a formula (a site controls its event
 * IDs, lots and NDCs) is made text; numbers stay numbers, so a negative balance is still a number.
 */
const cell = (v: unknown): unknown => (typeof v === 'string' ? neutralize(v) : v);

/** The stock rows as CSV: one column per loss reason after the totals. */
export function stockCsv(rows: readonly StockRow[]): string {
  const header = [
    'date',
    'iis_id',
    'ndc',
    'lot_number',
    'on_hand_start',
    'received',
    'transferred_out',
    'administered',
    'wasted',
    'expired_spoiled',
    ...REASON_CODES.map((r) => `lost_${r.replaceAll('-', '_')}`),
    'on_hand',
  ];
  return stringify(
    rows.map((r) => [
      cell(r.date),
      cell(r.iis_id),
      cell(r.ndc),
      cell(r.lot_number),
      r.on_hand_start,
      r.received,
      r.transferred_out,
      r.administered,
      r.wasted,
      r.expired_spoiled,
      ...REASON_CODES.map((c) => r.losses[c]),
      r.on_hand,
    ]),
    { header: true, columns: header, record_delimiter: 'unix' },
  );
}

/** Flat rows as CSV with their own keys as the header (in the interface's order). */
export function rowsCsv<T extends object>(
  rows: readonly T[],
  columns: readonly (keyof T & string)[],
): string {
  return stringify(
    rows.map((r) => columns.map((c) => cell(r[c]))),
    { header: true, columns: [...columns], record_delimiter: 'unix' },
  );
}
