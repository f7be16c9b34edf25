import { HttpError } from '#platform/http/response.ts';

/** Receipts, transfers or wastage reports per request, as for doses. */
export const MAX_STOCK_RECORDS_PER_REQUEST = 1000;

/** The body of a lot's date: one JSON object (`shape` shows which, in the 400). */
export function objectBody(body: unknown, shape: string): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new HttpError(400, 'REQ005', 'body', `Send one JSON object: ${shape}.`);
  return body as Record<string, unknown>;
}

/** One record object, or `{"<list>": [ … ]}`: the shape is checked here, the records one by one when recorded. */
export function recordList(
  body: unknown,
  list: 'receipts' | 'transfers' | 'wastage',
  noun: string,
): Record<string, unknown>[] {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new HttpError(
      400,
      'REQ005',
      'body',
      `Send one ${noun} as a JSON object, or several as {"${list}": [ … ]}.`,
    );
  if (!(list in body)) return [body as Record<string, unknown>];
  const items = (body as Record<string, unknown>)[list];
  if (!Array.isArray(items))
    throw new HttpError(400, 'REQ005', list, `Invalid ${list}: it must be a list of ${noun} objects.`);
  if (items.length === 0) throw new HttpError(400, 'REQ005', list, `Invalid ${list}: the list is empty.`);
  if (items.length > MAX_STOCK_RECORDS_PER_REQUEST)
    throw new HttpError(
      413,
      'REQ005',
      list,
      `Invalid ${list}: at most ${MAX_STOCK_RECORDS_PER_REQUEST} records per request; split the batch.`,
    );
  const bad = items.findIndex((x) => typeof x !== 'object' || x === null || Array.isArray(x));
  if (bad >= 0)
    throw new HttpError(
      400,
      'REQ005',
      `${list}.${bad}`,
      `Invalid ${list}.${bad}: each entry of "${list}" must be a ${noun} object.`,
    );
  return items as Record<string, unknown>[];
}
