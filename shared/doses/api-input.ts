import { checkIdentifier } from '#platform/http/identifiers.ts';
import type { ApiEvent } from '#platform/http/request.ts';
import { HttpError } from '#platform/http/response.ts';
import { DoseBatch } from './schema.ts';

/** What the dose routes (functions/doses/api.ts) read from a request, or the 4xx that says what is wrong with it. */

/** One dose object, or `{"doses": [...]}`. */
export function doseList(body: unknown): Record<string, unknown>[] {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new HttpError(
      400,
      'REQ005',
      'body',
      'Send one dose as a JSON object, or several as {"doses": [ … ]}.',
    );
  if (!('doses' in body)) return [body as Record<string, unknown>];
  const parsed = DoseBatch.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.length ? issue.path.join('.') : 'doses';
    const detail =
      issue.code === 'too_big'
        ? `at most ${issue.maximum} doses per request; split the batch`
        : issue.code === 'too_small'
          ? 'the list is empty'
          : 'each entry of "doses" must be a dose object';
    throw new HttpError(
      issue.code === 'too_big' ? 413 : 400,
      'REQ005',
      where,
      `Invalid ${where}: ${detail}.`,
    );
  }
  return parsed.data.doses;
}

/** The whole corrected dose a PUT sends. */
export function correctedDose(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new HttpError(400, 'REQ005', 'body', 'Send the whole corrected dose as one JSON object.');
  return body as Record<string, unknown>;
}

/** The dose's site: the caller's own, or a client site a sending facility names with ?iis_id=. */
export function targetSite(event: ApiEvent, own: string): string {
  return checkIdentifier('iis_id', event.queryStringParameters?.iis_id ?? own).toUpperCase();
}

export function eventId(event: ApiEvent): string {
  const id = event.pathParameters?.vax_event_id;
  if (!id)
    throw new HttpError(
      400,
      'REQ007',
      'vax_event_id',
      'The URL must name the dose: /v1/doses/{vax_event_id}.',
    );
  // API Gateway hands path parameters over already decoded. Checked before any read or write (issue 18, item 2).
  return checkIdentifier('vax_event_id', id.trim());
}

/** 403 for a submission naming a site the caller does not act for. */
export const notYours = (own: string, forbidden: string) =>
  new HttpError(
    403,
    'AUTH004',
    'iis_id',
    `Your key may submit for ${own} and the sites that name it as their sending facility, not for ${forbidden}.`,
  );
