import { httpHandler, route } from '#platform/http/handler.ts';
import { type ApiEvent, caller, jsonBody } from '#platform/http/request.ts';
import { json, type Result } from '#platform/http/response.ts';
import { logger } from '#platform/logger.ts';
import { actingSite } from '#stock/acting-site.ts';
import { type BatchKind, RECEIPTS, recordBatch, TRANSFERS, tally, WASTAGE } from '#stock/batch.ts';
import { objectBody, recordList } from '#stock/bodies.ts';
import { STOCK_ENDPOINTS } from '#stock/endpoints.ts';
import { lotOf, readLot, requireProgram, setBeyondUse, setExpiration } from '#stock/lots.ts';

/**
 * Vaccine accountability over HTTP: lot expirations (admin), a site's beyond-use dates, inventory receipts and
 * transfers, and wastage reports, as shared/stock records them. Logs carry counts and finding codes only.
 */

type Route = (event: ApiEvent) => Promise<Result>;

const siteOf = (event: ApiEvent, what: string) =>
  actingSite(caller(event), event.queryStringParameters?.iis_id, what);

/** PUT /v1/lots/{ndc}/{lot_number}: the program sets (or extends) a lot's expiration, as a new version. */
async function putExpiration(event: ApiEvent): Promise<Result> {
  requireProgram(caller(event));
  const key = lotOf(event.pathParameters);
  const body = objectBody(jsonBody(event), '{"expiration": "YYYY-MM-DD"}');
  const { created, version, lot } = await setExpiration(key, body, new Date());
  logger.info('lot expiration set', { created, version });
  return json(created ? 201 : 200, lot);
}

/** GET /v1/lots/{ndc}/{lot_number}: the expiration and its history; for a site also its own beyond-use dates. */
async function getLot(event: ApiEvent): Promise<Result> {
  const { role } = caller(event);
  const key = lotOf(event.pathParameters);
  // A site sees its own beyond-use dates (a sending facility: a client's, with ?iis_id=); never another site's.
  const iisId = role === 'site' ? await siteOf(event, 'Beyond-use dates are read') : undefined;
  return json(200, await readLot(key, iisId, new Date()));
}

/** PUT /v1/lots/{ndc}/{lot_number}/beyond-use: a site's beyond-use date of a lot (after thaw or puncture). */
async function putBeyondUse(event: ApiEvent): Promise<Result> {
  const iisId = await siteOf(event, 'Beyond-use dates are recorded');
  const key = lotOf(event.pathParameters);
  const body = objectBody(jsonBody(event), '{"beyond_use_date": "YYYY-MM-DD"}');
  const { created, version, codes, lot } = await setBeyondUse(iisId, key, body, new Date());
  logger.info('beyond-use date set', { iis_id: iisId, created, version, codes });
  return json(created ? 201 : 200, lot);
}

/** POST /v1/inventory/receipts, /v1/inventory/transfers, /v1/wastage: one record or a list, answered per record. */
const batch =
  (kind: BatchKind): Route =>
  async (event) => {
    const iisId = await siteOf(event, kind.reported);
    const inputs = recordList(jsonBody(event), kind.list, kind.noun);
    const results = await recordBatch(kind, inputs, iisId, caller(event), new Date());
    logger.info(kind.logged, { iis_id: iisId, ...tally(results) });
    return json(200, { results });
  };

export const handler = httpHandler(
  route(STOCK_ENDPOINTS, {
    'PUT /v1/lots/{ndc}/{lot_number}': putExpiration,
    'GET /v1/lots/{ndc}/{lot_number}': getLot,
    'PUT /v1/lots/{ndc}/{lot_number}/beyond-use': putBeyondUse,
    'POST /v1/inventory/receipts': batch(RECEIPTS),
    'POST /v1/inventory/transfers': batch(TRANSFERS),
    'POST /v1/wastage': batch(WASTAGE),
  }),
);
