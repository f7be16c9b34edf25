import * as z from 'zod/mini';
import * as codes from '#codecs/codesets/products.ts';
import { normalizeNdc } from '#codecs/codesets/ndc.ts';
import { parseDate } from '#platform/dates.ts';
import { type Finding, finding, type RuleCode } from '#platform/findings.ts';
import { isReason, REASON_CODES } from './reasons.ts';

/**
 * The fields sites send about their stock, as zod schemas. A field's problem is a zod issue whose message is the
 * finding's and whose params.finding is its code (STK014, the value's form, when it names none); a field with no
 * value is STK013, worded for the record it is missing from (findingsOf).
 */

const RECORD_ID = /^[A-Za-z0-9._:-]{1,64}$/;
const LOT = /^[A-Z0-9-]{1,20}$/;
/** Digits as text (a file's cell): read as a number, then checked as one. */
const NUMBER = /^\s*-?\d+(\.\d+)?\s*$/;
const MAX_DOSES = 1_000_000;
const MAX_TEXT = 200;

/** Text as sites send it: a string, trimmed, or a number as written; absent, null or blank is no value. */
export function asText(v: unknown): string | undefined {
  const s = typeof v === 'number' ? String(v) : typeof v === 'string' ? v.trim() : undefined;
  return s === '' ? undefined : s;
}

/** Rejects the value with a finding of its own. */
function problem(ctx: z.core.ParsePayload, code: RuleCode, message: string): never {
  ctx.issues.push({ code: 'custom', input: ctx.value, message, params: { finding: code } });
  return z.NEVER;
}

/** A text field that must have a value: a list or an object is no text. */
export const requiredText = (field: string) =>
  z.pipe(
    z.custom<unknown>(
      (v) => v === undefined || v === null || typeof v === 'string' || typeof v === 'number',
      {
        abort: true,
        error: (iss) =>
          `${field} must be text, not ${Array.isArray(iss.input) ? 'a list' : typeof iss.input}.`,
      },
    ),
    z.pipe(z.transform(asText), z.string()),
  );

/** A text field that may be left out; a value that is not text counts as none. */
const optionalText = <T extends z.ZodMiniType<unknown, string>>(then: T) =>
  z.optional(z.pipe(z.transform(asText), z.optional(then)));

export const recordId = z.pipe(
  requiredText('record_id'),
  z
    .string()
    .check(
      z.regex(RECORD_ID, 'record_id must be 1–64 letters, digits, dots, colons, hyphens or underscores.'),
    ),
);

/** An NDC (given as text) of a COVID-19 vaccine, read as its unit of use (a carton's turned into its vial's). */
export const ndcCode = z.transform((raw: string, ctx) => {
  const normalized = normalizeNdc(raw);
  if (!normalized)
    return problem(ctx, 'STK014', `ndc "${raw}" is not an NDC: write it as 5-4-2 digits with hyphens.`);
  const entry = codes.ndc(normalized);
  if (!entry)
    return problem(ctx, 'STK008', `ndc ${normalized} is not a COVID-19 vaccine NDC in the code set.`);
  if (entry.kind === 'sale' && entry.unitsOfUse.length !== 1)
    return problem(
      ctx,
      'STK008',
      `ndc ${normalized} is a carton: give the NDC of the vial or syringe instead.`,
    );
  return entry.kind === 'sale' ? entry.unitsOfUse[0]! : normalized;
});

/** A lot number (given as text) as printed on the vial, upper-cased. */
export const lotForm = z
  .string()
  .check(
    z.toUpperCase(),
    z.regex(LOT, 'lot_number must be 1–20 letters, digits or hyphens, as printed on the vial.'),
  );

/** A number of doses: a whole number from 1 to 1,000,000, or one written as text; the message quotes what came. */
export const doses = z.transform((v: unknown, ctx) => {
  if (v === undefined || v === null || v === '') {
    ctx.issues.push({ code: 'invalid_type', expected: 'number', input: undefined });
    return z.NEVER;
  }
  const n = typeof v === 'number' ? v : typeof v === 'string' && NUMBER.test(v) ? Number(v) : Number.NaN;
  if (Number.isInteger(n) && n >= 1 && n <= MAX_DOSES) return n;
  return problem(
    ctx,
    'STK001',
    `doses must be a whole number from 1 to ${MAX_DOSES.toLocaleString('en-US')}, not ${JSON.stringify(v)}.`,
  );
});

/** A real date in any layout parseDate reads, as YYYY-MM-DD (expirations and beyond-use dates lie ahead). */
export const day = (field: string) =>
  z.pipe(
    requiredText(field),
    z.transform((raw: string, ctx) => {
      const d = parseDate(raw);
      if (d.ok) return d.iso;
      return problem(
        ctx,
        'STK003',
        d.reason === 'calendar'
          ? `${field} "${raw}" is not a real calendar date.`
          : `${field} "${raw}" is not a date: write it as YYYY-MM-DD.`,
      );
    }),
  );

/** The date of an event that has happened: not after `today` (California). */
export const pastDay = (field: string, today: string) =>
  z.pipe(
    day(field),
    z.string().check(
      z.refine((iso) => iso <= today, {
        error: (iss) => `${field} ${iss.input} is after today (${today}): report what has happened.`,
        params: { finding: 'STK002' },
      }),
    ),
  );

/** A site's CAIR Org Code, upper-cased: required, or (optionalIisId) left out. */
export const iisId = (field: string) => z.pipe(requiredText(field), z.string().check(z.toUpperCase()));
export const optionalIisId = optionalText(z.string().check(z.toUpperCase()));

/** Why doses were lost: one of the reason codes, in any case. */
export const reason = z.pipe(
  requiredText('reason'),
  z.string().check(
    z.toLowerCase(),
    z.refine(isReason, {
      error: (iss) => `reason "${iss.input}" is not one of: ${REASON_CODES.join(', ')}.`,
      params: { finding: 'STK008' },
    }),
  ),
);

export const reasonText = optionalText(
  z.string().check(z.maxLength(MAX_TEXT, `reason_text is longer than ${MAX_TEXT} characters.`)),
);

/** The findings of a record's zod issues; `what` names the record in STK013 ("an inventory receipt"). */
export function findingsOf(issues: readonly z.core.$ZodIssue[], what: string): Finding[] {
  return issues.map((i) => {
    const field = String(i.path[0] ?? 'body');
    if (i.code === 'invalid_type' && i.input === undefined)
      return finding('STK013', field, `${field} is required for ${what}.`);
    const code = i.code === 'custom' ? (i.params?.finding as RuleCode | undefined) : undefined;
    return finding(code ?? 'STK014', field, i.message);
  });
}
