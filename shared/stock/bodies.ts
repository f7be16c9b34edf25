import * as z from 'zod/mini';
import { HttpError } from '#platform/http/response.ts';

import { MAX_STOCK_RECORDS_PER_REQUEST } from './endpoints.ts';

export { MAX_STOCK_RECORDS_PER_REQUEST };

/** The body of a lot's date: one JSON object (`shape` shows which, in the 400). */
export function objectBody(body: unknown, shape: string): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new HttpError(400, 'REQ005', 'body', `Send one JSON object: ${shape}.`);
  return body as Record<string, unknown>;
}

type List = 'receipts' | 'transfers' | 'wastage';

/** `{"<list>": [ … ]}`: a list of 1 to MAX records, then each one an object (the first problem is the one told). */
const batchOf = (list: List) =>
  z.object({
    [list]: z.pipe(
      z.array(z.unknown()).check(z.minLength(1), z.maxLength(MAX_STOCK_RECORDS_PER_REQUEST)),
      z.array(z.record(z.string(), z.unknown())),
    ),
  });
const BATCHES = {
  receipts: batchOf('receipts'),
  transfers: batchOf('transfers'),
  wastage: batchOf('wastage'),
};

/** One record object, or `{"<list>": [ … ]}`: the shape is checked here, the records one by one when recorded. */
export function recordList(body: unknown, list: List, noun: string): Record<string, unknown>[] {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new HttpError(
      400,
      'REQ005',
      'body',
      `Send one ${noun} as a JSON object, or several as {"${list}": [ … ]}.`,
    );
  if (!(list in body)) return [body as Record<string, unknown>];
  const parsed = BATCHES[list].safeParse(body);
  // The records as sent (zod's copies would leave out a __proto__ key, which a record never has anyway).
  if (parsed.success) return (body as Record<string, Record<string, unknown>[]>)[list]!;
  const issue = parsed.error.issues[0]!;
  const where = issue.path.join('.');
  const detail =
    issue.code === 'too_big'
      ? `at most ${MAX_STOCK_RECORDS_PER_REQUEST} records per request; split the batch`
      : issue.code === 'too_small'
        ? 'the list is empty'
        : issue.path.length > 1
          ? `each entry of "${list}" must be a ${noun} object`
          : `it must be a list of ${noun} objects`;
  throw new HttpError(issue.code === 'too_big' ? 413 : 400, 'REQ005', where, `Invalid ${where}: ${detail}.`);
}
