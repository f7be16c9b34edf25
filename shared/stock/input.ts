import * as codes from '#codecs/codesets/index.ts';
import { normalizeNdc } from '#codecs/codesets/ndc.ts';
import { parseDate } from '#platform/dates.ts';
import { type Finding, finding } from '#platform/findings.ts';
import { isReason, type LossCategory, REASON_CODES, WASTAGE_REASONS, type WastageReason } from './reasons.ts';

/**
 * Parsing and checking of what sites send about their stock: receipts (and transfers), wastage, beyond-use
 * dates, and the lot expirations an admin sets. Pure: what the store knows (the lot's expiration, what the site
 * has on hand) comes in as context. Every problem is a finding with a code, the field and an actionable message;
 * errors reject the record, warnings are returned with it.
 */

export interface StockKey {
  /** Unit-of-use NDC, 5-4-2 with hyphens (a carton's NDC is turned into the vial's or syringe's). */
  ndc: string;
  /** Upper-case, trimmed. */
  lot_number: string;
}

export interface ReceiptRecord extends StockKey {
  record_id: string;
  doses: number;
  date: string;
  /** A transfer: the site the doses came from (it gets the matching negative movement). */
  from_iis_id?: string;
}

export interface TransferOutRecord extends StockKey {
  record_id: string;
  doses: number;
  date: string;
  /** The site the doses went to. */
  to_iis_id: string;
}

export interface WastageRecord extends StockKey {
  record_id: string;
  doses: number;
  date: string;
  reason: WastageReason;
  category: LossCategory;
  reason_text?: string;
}

export interface Parsed<T> {
  record?: T;
  findings: Finding[];
}

const RECORD_ID = /^[A-Za-z0-9._:-]{1,64}$/;
const LOT = /^[A-Z0-9-]{1,20}$/;
const MAX_DOSES = 1_000_000;
const MAX_TEXT = 200;

type Input = Record<string, unknown>;

function text(input: Input, field: string): string | undefined {
  const v = input[field];
  if (v === undefined || v === null) return undefined;
  const s = typeof v === 'number' ? String(v) : typeof v === 'string' ? v.trim() : undefined;
  return s === '' ? undefined : s;
}

function required(input: Input, field: string, what: string, out: Finding[]): string | undefined {
  const v = input[field];
  if (v !== undefined && v !== null && typeof v !== 'string' && typeof v !== 'number') {
    out.push(
      finding('STK014', field, `${field} must be text, not ${Array.isArray(v) ? 'a list' : typeof v}.`),
    );
    return undefined;
  }
  const s = text(input, field);
  if (s === undefined) out.push(finding('STK013', field, `${field} is required for ${what}.`));
  return s;
}

/** The record's key: NDC (a carton's turned into its unit of use) and lot, both checked. */
export function parseKey(input: Input, what: string, out: Finding[]): StockKey | undefined {
  const rawNdc = required(input, 'ndc', what, out);
  const rawLot = required(input, 'lot_number', what, out);
  let ndc: string | undefined;
  if (rawNdc !== undefined) {
    const normalized = normalizeNdc(rawNdc);
    const entry = normalized ? codes.ndc(normalized) : undefined;
    if (!normalized)
      out.push(
        finding('STK014', 'ndc', `ndc "${rawNdc}" is not an NDC: write it as 5-4-2 digits with hyphens.`),
      );
    else if (!entry)
      out.push(finding('STK008', 'ndc', `ndc ${normalized} is not a COVID-19 vaccine NDC in the code set.`));
    else if (entry.kind === 'sale' && entry.unitsOfUse.length !== 1)
      out.push(
        finding(
          'STK008',
          'ndc',
          `ndc ${normalized} is a carton: give the NDC of the vial or syringe instead.`,
        ),
      );
    else ndc = entry.kind === 'sale' ? entry.unitsOfUse[0]! : normalized;
  }
  let lot: string | undefined;
  if (rawLot !== undefined) {
    lot = rawLot.toUpperCase();
    if (!LOT.test(lot)) {
      out.push(
        finding(
          'STK014',
          'lot_number',
          'lot_number must be 1–20 letters, digits or hyphens, as printed on the vial.',
        ),
      );
      lot = undefined;
    }
  }
  return ndc && lot ? { ndc, lot_number: lot } : undefined;
}

function parseRecordId(input: Input, what: string, out: Finding[]): string | undefined {
  const id = required(input, 'record_id', what, out);
  if (id !== undefined && !RECORD_ID.test(id)) {
    out.push(
      finding(
        'STK014',
        'record_id',
        'record_id must be 1–64 letters, digits, dots, colons, hyphens or underscores.',
      ),
    );
    return undefined;
  }
  return id;
}

function parseDoses(input: Input, what: string, out: Finding[]): number | undefined {
  const v = input.doses;
  if (v === undefined || v === null || v === '') {
    out.push(finding('STK013', 'doses', `doses is required for ${what}.`));
    return undefined;
  }
  const n =
    typeof v === 'number' ? v : typeof v === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(v) ? Number(v) : NaN;
  if (!Number.isInteger(n) || n < 1 || n > MAX_DOSES) {
    out.push(
      finding(
        'STK001',
        'doses',
        `doses must be a whole number from 1 to ${MAX_DOSES.toLocaleString('en-US')}, not ${JSON.stringify(v)}.`,
      ),
    );
    return undefined;
  }
  return n;
}

/** A date of an event that has happened: a real date, not after today (California). */
export function parsePastDate(
  input: Input,
  field: string,
  what: string,
  today: string,
  out: Finding[],
): string | undefined {
  const raw = required(input, field, what, out);
  if (raw === undefined) return undefined;
  const d = parseDate(raw);
  if (!d.ok) {
    out.push(
      d.reason === 'calendar'
        ? finding('STK003', field, `${field} "${raw}" is not a real calendar date.`)
        : finding('STK003', field, `${field} "${raw}" is not a date: write it as YYYY-MM-DD.`),
    );
    return undefined;
  }
  if (d.iso > today) {
    out.push(
      finding('STK002', field, `${field} ${d.iso} is after today (${today}): report what has happened.`),
    );
    return undefined;
  }
  return d.iso;
}

/** Any real date (expirations and beyond-use dates lie ahead). */
export function parseAnyDate(input: Input, field: string, what: string, out: Finding[]): string | undefined {
  const raw = required(input, field, what, out);
  if (raw === undefined) return undefined;
  const d = parseDate(raw);
  if (d.ok) return d.iso;
  out.push(
    d.reason === 'calendar'
      ? finding('STK003', field, `${field} "${raw}" is not a real calendar date.`)
      : finding('STK003', field, `${field} "${raw}" is not a date: write it as YYYY-MM-DD.`),
  );
  return undefined;
}

const hasError = (f: readonly Finding[]) => f.some((x) => x.severity === 'error');

export function parseReceipt(input: Input, ctx: { today: string; iis_id: string }): Parsed<ReceiptRecord> {
  const out: Finding[] = [];
  const what = 'an inventory receipt';
  const record_id = parseRecordId(input, what, out);
  const key = parseKey(input, what, out);
  const doses = parseDoses(input, what, out);
  const date = parsePastDate(input, 'date', what, ctx.today, out);
  const from = text(input, 'from_iis_id')?.toUpperCase();
  if (from !== undefined && from === ctx.iis_id)
    out.push(
      finding(
        'STK010',
        'from_iis_id',
        'from_iis_id names this site itself: a transfer comes from another site.',
      ),
    );
  if (hasError(out) || !record_id || !key || doses === undefined || !date) return { findings: out };
  return {
    record: { record_id, ...key, doses, date, ...(from ? { from_iis_id: from } : {}) },
    findings: out,
  };
}

export function parseTransferOut(
  input: Input,
  ctx: { today: string; iis_id: string },
): Parsed<TransferOutRecord> {
  const out: Finding[] = [];
  const what = 'a transfer out';
  const record_id = parseRecordId(input, what, out);
  const key = parseKey(input, what, out);
  const doses = parseDoses(input, what, out);
  const date = parsePastDate(input, 'date', what, ctx.today, out);
  const to = required(input, 'to_iis_id', what, out)?.toUpperCase();
  if (to !== undefined && to === ctx.iis_id)
    out.push(
      finding('STK010', 'to_iis_id', 'to_iis_id names this site itself: a transfer goes to another site.'),
    );
  if (hasError(out) || !record_id || !key || doses === undefined || !date || !to) return { findings: out };
  return { record: { record_id, ...key, doses, date, to_iis_id: to }, findings: out };
}

export function parseWastage(input: Input, ctx: { today: string }): Parsed<WastageRecord> {
  const out: Finding[] = [];
  const what = 'a wastage report';
  const record_id = parseRecordId(input, what, out);
  const key = parseKey(input, what, out);
  const doses = parseDoses(input, what, out);
  const date = parsePastDate(input, 'date', what, ctx.today, out);
  const rawReason = required(input, 'reason', what, out)?.toLowerCase();
  const reasonText = text(input, 'reason_text');
  let reason: WastageReason | undefined;
  if (rawReason !== undefined) {
    if (isReason(rawReason)) reason = rawReason;
    else
      out.push(
        finding('STK008', 'reason', `reason "${rawReason}" is not one of: ${REASON_CODES.join(', ')}.`),
      );
  }
  if (reason === 'other' && !reasonText)
    out.push(finding('STK004', 'reason_text', 'reason "other" needs reason_text saying what happened.'));
  if (reasonText && reasonText.length > MAX_TEXT)
    out.push(finding('STK014', 'reason_text', `reason_text is longer than ${MAX_TEXT} characters.`));
  if (hasError(out) || !record_id || !key || doses === undefined || !date || !reason)
    return { findings: out };
  return {
    record: {
      record_id,
      ...key,
      doses,
      date,
      reason,
      category: WASTAGE_REASONS[reason].category,
      ...(reasonText ? { reason_text: reasonText } : {}),
    },
    findings: out,
  };
}

/** Warnings from what the store knows: a lot without an expiration on record, more doses than on hand. */
export function stockWarnings(
  record: StockKey & { doses: number },
  known: { expiration?: string; onHand?: number },
): Finding[] {
  const out: Finding[] = [];
  if (known.expiration === undefined)
    out.push(
      finding(
        'STK005',
        'lot_number',
        `Lot ${record.lot_number} of ${record.ndc} has no expiration on record: check the lot number on the vial.`,
      ),
    );
  if (known.onHand !== undefined && record.doses > known.onHand)
    out.push(
      finding(
        'STK006',
        'doses',
        `${record.doses} doses is more than this site has on hand of lot ${record.lot_number} (${known.onHand} as of the last roll-up plus today's receipts and losses): check the count, or report the receipt first.`,
      ),
    );
  return out;
}

export function parseLotExpiry(input: Input): Parsed<{ expiration: string }> {
  const out: Finding[] = [];
  const expiration = parseAnyDate(input, 'expiration', 'a lot', out);
  return expiration ? { record: { expiration }, findings: out } : { findings: out };
}

export function parseBeyondUse(
  input: Input,
  expiration: string | undefined,
): Parsed<{ beyond_use_date: string }> {
  const out: Finding[] = [];
  const bud = parseAnyDate(input, 'beyond_use_date', 'a beyond-use date', out);
  if (bud && expiration !== undefined && bud > expiration)
    out.push(
      finding(
        'STK007',
        'beyond_use_date',
        `beyond_use_date ${bud} is after the lot's expiration ${expiration}: a beyond-use date can only shorten it.`,
      ),
    );
  if (bud && expiration === undefined)
    out.push(
      finding(
        'STK005',
        'lot_number',
        'This lot has no expiration on record, so the beyond-use date cannot be checked against it.',
      ),
    );
  return bud && !hasError(out) ? { record: { beyond_use_date: bud }, findings: out } : { findings: out };
}
