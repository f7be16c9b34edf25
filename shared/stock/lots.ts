import { localDate } from '#platform/dates.ts';
import type { Finding } from '#platform/findings.ts';
import { HttpError } from '#platform/http/response.ts';
import type { Caller } from '#sites/access.ts';
import { parseBeyondUse, parseKey, parseLotExpiry, type StockKey } from './input.ts';
import * as dates from './lot-dates.ts';
import { beyondUseView, expirationView } from './lot-views.ts';

/**
 * A lot's dates over the API: its expiration, set (or extended) by the program as a new version, and each site's
 * beyond-use dates (after thaw or puncture), which a site sees only of its own.
 */

/** The lot a URL names: the NDC read as its unit of use (a carton's NDC turned into the vial's), lot upper-cased. */
export function lotOf(path: { ndc?: string; lot_number?: string } | undefined): StockKey {
  const issues: Finding[] = [];
  const key = parseKey({ ndc: path?.ndc, lot_number: path?.lot_number }, 'a lot', issues);
  if (!key)
    throw HttpError.withFindings(
      400,
      'The URL does not name a lot of a COVID-19 vaccine: /v1/lots/{ndc}/{lot_number}. Fix the issues listed.',
      issues,
    );
  return key;
}

/** Expirations are the program's: a site key is refused (403) and told what it may record instead. */
export function requireProgram(caller: Caller): void {
  if (caller.role !== 'admin')
    throw new HttpError(
      403,
      'AUTH003',
      'authorization',
      "Lot expirations are set by the program with the admin key; a site key cannot change them. Record your site's beyond-use date with PUT /v1/lots/{ndc}/{lot_number}/beyond-use.",
    );
}

/** Sets a lot's expiration from the body `{"expiration": …}`; `created` unless the newest version said the same. */
export async function setExpiration(key: StockKey, body: Record<string, unknown>, now: Date) {
  const { record, findings } = parseLotExpiry(body);
  if (!record)
    throw HttpError.withFindings(
      400,
      `The expiration of lot ${key.lot_number} of ${key.ndc} was not set: fix the issues listed.`,
      findings,
    );
  const out = await dates.setLotExpiration(key.ndc, key.lot_number, record.expiration, now, 'admin');
  return {
    created: out.created,
    version: out.current.version,
    lot: { ...key, ...expirationView(out.history, out.current) },
  };
}

/** A lot's expiration and history; for a site (`iisId`) also its own beyond-use dates. 404 if neither is on record. */
export async function readLot(key: StockKey, iisId: string | undefined, now: Date) {
  const [expirations, buds] = await Promise.all([
    dates.lotExpirations(key.ndc, key.lot_number),
    iisId ? dates.beyondUseDates(iisId, key.ndc, key.lot_number) : Promise.resolve([]),
  ]);
  if (expirations.length === 0 && buds.length === 0)
    throw new HttpError(
      404,
      'LOT404',
      'lot_number',
      `No expiration${iisId ? ` or beyond-use date of ${iisId}` : ''} is on record for lot ${key.lot_number} of ${key.ndc}. Check the NDC and the lot number on the vial.`,
    );
  const today = localDate(now);
  return {
    ...key,
    ...expirationView(expirations, dates.inForce(expirations, today)),
    ...(iisId ? { beyond_use: beyondUseView(iisId, buds, dates.inForce(buds, today)) } : {}),
  };
}

/**
 * Records a site's beyond-use date of a lot from the body `{"beyond_use_date": …}`, checked against the
 * expiration in force today; warnings (no expiration on record) are answered with it.
 */
export async function setBeyondUse(iisId: string, key: StockKey, body: Record<string, unknown>, now: Date) {
  const expiration = dates.asOf(await dates.lotExpirations(key.ndc, key.lot_number), localDate(now));
  const { record, findings } = parseBeyondUse(body, expiration);
  if (!record)
    throw HttpError.withFindings(
      400,
      `The beyond-use date of lot ${key.lot_number} of ${key.ndc} was not recorded: fix the issues listed.`,
      findings,
    );
  const out = await dates.setBeyondUseDate(iisId, key.ndc, key.lot_number, record.beyond_use_date, now);
  return {
    created: out.created,
    version: out.current.version,
    /** The findings' codes, for the log line. */
    codes: [...new Set(findings.map((f) => f.code))],
    lot: {
      ...key,
      expiration: expiration ?? null,
      ...beyondUseView(iisId, out.history, out.current),
      issues: findings,
    },
  };
}
