import * as z from 'zod/mini';
import {
  day,
  doses,
  iisId,
  lotForm,
  ndcCode,
  optionalIisId,
  pastDay,
  reason,
  reasonText,
  recordId,
  requiredText,
} from './fields.ts';

/**
 * The records sites send about their stock, as zod schemas of their fields (fields.ts), in the order their
 * findings are reported: a receipt, transfer or wastage report is its record_id, its stock key, then the rest.
 * Records dated by the site take the day it is (no event after it), so their schemas are made once per day.
 */

function daily<T>(make: (today: string) => T): (today: string) => T {
  let last: { today: string; schema: T } | undefined;
  return (today) => {
    if (last?.today !== today) last = { today, schema: make(today) };
    return last.schema;
  };
}

/** Who a record is: the site's own ID of it. */
export const RecordIdInput = z.object({ record_id: recordId });

/**
 * The stock a record is about, read in two steps: both fields as text, then those given checked (the NDC against
 * the code set, the lot's form), so a missing lot is said before an unknown NDC.
 */
export const StockKeyText = z.object({
  ndc: requiredText('ndc'),
  lot_number: requiredText('lot_number'),
});
export const StockKeyValues = z.object({ ndc: z.optional(ndcCode), lot_number: z.optional(lotForm) });

const movement = (today: string) => ({ doses, date: pastDay('date', today) });

/** The rest of a receipt; with from_iis_id, a transfer from that site. */
export const ReceiptInput = daily((today) => z.object({ ...movement(today), from_iis_id: optionalIisId }));

/** The rest of a transfer out: doses sent to another site (to_iis_id), reported by the sender. */
export const TransferOutInput = daily((today) =>
  z.object({ ...movement(today), to_iis_id: iisId('to_iis_id') }),
);

/** The rest of a wastage report: the reason (and, for "other", what happened). */
export const WastageInput = daily((today) =>
  z.object({ ...movement(today), reason, reason_text: reasonText }),
);

/** A lot's expiration, as the program sets it. */
export const LotExpiryInput = z.object({ expiration: day('expiration') });

/** A site's beyond-use date of a lot. */
export const BeyondUseInput = z.object({ beyond_use_date: day('beyond_use_date') });
