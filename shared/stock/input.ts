import type * as z from 'zod/mini';
import { type Finding, finding, hasError } from '#platform/findings.ts';
import { asText, findingsOf, optionalIisId } from './fields.ts';
import { type LossCategory, WASTAGE_REASONS, type WastageReason } from './reasons.ts';
import {
  BeyondUseInput,
  LotExpiryInput,
  ReceiptInput,
  RecordIdInput,
  StockKeyText,
  StockKeyValues,
  TransferOutInput,
  WastageInput,
} from './schema.ts';

/**
 * Parsing and checking of what sites send about their stock: receipts (and transfers), wastage, beyond-use
 * dates, and the lot expirations an admin sets. The fields are read by zod schemas (schema.ts, fields.ts); the
 * rules across fields are here. Pure: what the store knows (the lot's expiration, what the site has on hand)
 * comes in as context. Every problem is a finding with a code, the field and an actionable message; errors
 * reject the record, warnings are returned with it.
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

type Input = Record<string, unknown>;

/** The fields a schema reads, or the findings of its issues (`what`: the record, as STK013 names it). */
function read<T>(schema: z.ZodMiniType<T>, input: unknown, what: string): { value?: T; findings: Finding[] } {
  const r = schema.safeParse(input, { reportInput: true });
  return r.success ? { value: r.data, findings: [] } : { findings: findingsOf(r.error.issues, what) };
}

/** The record's key: NDC (a carton's turned into its unit of use) and lot, both checked. */
export function parseKey(input: Input, what: string, out: Finding[]): StockKey | undefined {
  const text = read(StockKeyText, input, what);
  const given = (field: 'ndc' | 'lot_number') =>
    text.findings.some((f) => f.field === field) ? undefined : asText(input[field]);
  const values = read(StockKeyValues, { ndc: given('ndc'), lot_number: given('lot_number') }, what);
  out.push(...text.findings, ...values.findings);
  const { ndc, lot_number } = values.value ?? {};
  return text.value && ndc && lot_number ? { ndc, lot_number } : undefined;
}

/** A receipt, transfer or wastage report: its record_id, its key, then the rest (`rest`). */
function readMovement<T>(rest: z.ZodMiniType<T>, input: Input, what: string) {
  const id = read(RecordIdInput, input, what);
  const findings = [...id.findings];
  const key = parseKey(input, what, findings);
  const more = read(rest, input, what);
  findings.push(...more.findings);
  const record_id = id.value?.record_id;
  return {
    value: record_id && key && more.value ? { record_id, ...key, ...more.value } : undefined,
    findings,
  };
}

export function parseReceipt(input: Input, ctx: { today: string; iis_id: string }): Parsed<ReceiptRecord> {
  const { value: v, findings } = readMovement(ReceiptInput(ctx.today), input, 'an inventory receipt');
  // A transfer comes from another site: said even when other fields are wrong too.
  const from = optionalIisId.safeParse(input.from_iis_id).data;
  if (from !== undefined && from === ctx.iis_id)
    findings.push(
      finding(
        'STK010',
        'from_iis_id',
        'from_iis_id names this site itself: a transfer comes from another site.',
      ),
    );
  if (!v || hasError(findings)) return { findings };
  const { record_id, ndc, lot_number, doses, date } = v;
  return {
    record: { record_id, ndc, lot_number, doses, date, ...(from ? { from_iis_id: from } : {}) },
    findings,
  };
}

export function parseTransferOut(
  input: Input,
  ctx: { today: string; iis_id: string },
): Parsed<TransferOutRecord> {
  const { value: v, findings } = readMovement(TransferOutInput(ctx.today), input, 'a transfer out');
  const to = optionalIisId.safeParse(input.to_iis_id).data;
  if (to !== undefined && to === ctx.iis_id)
    findings.push(
      finding('STK010', 'to_iis_id', 'to_iis_id names this site itself: a transfer goes to another site.'),
    );
  if (!v || hasError(findings)) return { findings };
  const { record_id, ndc, lot_number, doses, date, to_iis_id } = v;
  return { record: { record_id, ndc, lot_number, doses, date, to_iis_id }, findings };
}

export function parseWastage(input: Input, ctx: { today: string }): Parsed<WastageRecord> {
  const { value: v, findings } = readMovement(WastageInput(ctx.today), input, 'a wastage report');
  // Said even when other fields are wrong too, as is a transfer to or from the site itself.
  if (asText(input.reason)?.toLowerCase() === 'other' && !asText(input.reason_text))
    findings.push(finding('STK004', 'reason_text', 'reason "other" needs reason_text saying what happened.'));
  if (!v || hasError(findings)) return { findings };
  const { record_id, ndc, lot_number, doses, date, reason_text } = v;
  const reason = v.reason as WastageReason;
  return {
    record: {
      record_id,
      ndc,
      lot_number,
      doses,
      date,
      reason,
      category: WASTAGE_REASONS[reason].category,
      ...(reason_text ? { reason_text } : {}),
    },
    findings,
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
  const { value, findings } = read(LotExpiryInput, input, 'a lot');
  return value ? { record: { expiration: value.expiration }, findings } : { findings };
}

export function parseBeyondUse(
  input: Input,
  expiration: string | undefined,
): Parsed<{ beyond_use_date: string }> {
  const { value, findings: out } = read(BeyondUseInput, input, 'a beyond-use date');
  const bud = value?.beyond_use_date;
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
