import type { Context } from 'aws-lambda';
import { localDate } from '#platform/dates.ts';
import type { Finding } from '#platform/findings.ts';
import { httpHandler, route } from '#platform/http/handler.ts';
import { checkIdentifier } from '#platform/http/identifiers.ts';
import { type ApiEvent, caller, jsonBody } from '#platform/http/request.ts';
import { HttpError, json, type Result } from '#platform/http/response.ts';
import { logger } from '#platform/logger.ts';
import { mapLimit } from '#platform/map-limit.ts';
import { resolveSites } from '#sites/access.ts';
import type { Site } from '#sites/site.ts';
import { getSite } from '#sites/store.ts';
import { parseBeyondUse, parseKey, parseLotExpiry, type StockKey } from '#stock/input.ts';
import {
  type RecordContext,
  type RecordOutcome,
  recordReceipt,
  recordTransferOut,
  recordWastage,
} from '#stock/record.ts';
import * as stock from '#stock/store.ts';

/**
 * Vaccine accountability over HTTP: lot expirations (admin), a site's beyond-use dates, inventory receipts
 * and transfers, and wastage reports. Parsing and recording live in shared/stock; this file maps them to
 * routes, keys and answers. Logs carry counts and finding codes only.
 */

/** Receipts or wastage reports per request, as for doses. */
export const MAX_STOCK_RECORDS_PER_REQUEST = 1000;
/** Records are recorded side by side, except those that must be in order (see orderedGroups). */
const GROUP_CONCURRENCY = 16;

/** A 400 answer with every finding, as a rejected enrollment or dose update answers. */
class Invalid extends Error {
  readonly issues: Finding[];
  override readonly name = 'Invalid';
  constructor(message: string, issues: Finding[]) {
    super(message);
    this.issues = issues;
  }
}

type Route = (event: ApiEvent, context: Context) => Promise<Result>;

function answering(fn: (event: ApiEvent) => Promise<Result>): Route {
  return async (event) => {
    try {
      return await fn(event);
    } catch (err) {
      if (err instanceof Invalid) return json(400, { message: err.message, issues: err.issues });
      throw err;
    }
  };
}

/** The lot the URL names: the NDC read as its unit of use (a carton's NDC turned into the vial's), lot upper-cased. */
function lotOf(event: ApiEvent): StockKey {
  const issues: Finding[] = [];
  const p = event.pathParameters ?? {};
  const key = parseKey({ ndc: p.ndc, lot_number: p.lot_number }, 'a lot', issues);
  if (!key)
    throw new Invalid(
      'The URL does not name a lot of a COVID-19 vaccine: /v1/lots/{ndc}/{lot_number}. Fix the issues listed.',
      issues,
    );
  return key;
}

function objectBody(event: ApiEvent, shape: string): Record<string, unknown> {
  const body = jsonBody(event);
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new HttpError(400, 'REQ005', 'body', `Send one JSON object: ${shape}.`);
  return body as Record<string, unknown>;
}

/**
 * The site a request records for: the caller's own, or a client site a sending facility names with ?iis_id=.
 * The admin key records no stock.
 */
async function actingSite(event: ApiEvent, what: string): Promise<string> {
  const c = caller(event);
  if (c.role !== 'site' || !c.iis_id)
    throw new HttpError(
      403,
      'AUTH002',
      'authorization',
      `${what} with the site's own key (or its sending facility's), not the admin key.`,
    );
  const asked = checkIdentifier('iis_id', event.queryStringParameters?.iis_id?.trim());
  const target = (asked || c.iis_id).toUpperCase();
  const access = await resolveSites(c, [target]);
  if (!access.ok)
    throw new HttpError(
      403,
      'AUTH004',
      'iis_id',
      `Your key may record stock for ${c.iis_id} and the sites that name it as their sending facility, not for ${target}.`,
    );
  return target;
}

/** The version in force at the end of `day`, decided as store.asOf decides it, with its number and time. */
function inForce(history: readonly stock.DatedVersion[], day: string): stock.DatedVersion | undefined {
  let found: stock.DatedVersion | undefined;
  for (const v of history) if (v.effective_day <= day && (!found || v.version > found.version)) found = v;
  return found;
}

function expirationView(history: readonly stock.DatedVersion[], current: stock.DatedVersion | undefined) {
  return {
    expiration: current?.value ?? null,
    version: current?.version ?? null,
    effective_at: current?.effective_at ?? null,
    history: history.map((v) => ({
      version: v.version,
      expiration: v.value,
      effective_at: v.effective_at,
      effective_day: v.effective_day,
      set_by: v.set_by,
    })),
  };
}

function beyondUseView(
  iisId: string,
  history: readonly stock.DatedVersion[],
  current: stock.DatedVersion | undefined,
) {
  return {
    iis_id: iisId,
    beyond_use_date: current?.value ?? null,
    version: current?.version ?? null,
    effective_at: current?.effective_at ?? null,
    history: history.map((v) => ({
      version: v.version,
      beyond_use_date: v.value,
      effective_at: v.effective_at,
      effective_day: v.effective_day,
      set_by: v.set_by,
    })),
  };
}

const codesOf = (issues: readonly Finding[]) => [...new Set(issues.map((f) => f.code))];

/** PUT /v1/lots/{ndc}/{lot_number}: the program sets (or extends) a lot's expiration, as a new version. */
async function setExpiration(event: ApiEvent): Promise<Result> {
  if (caller(event).role !== 'admin')
    throw new HttpError(
      403,
      'AUTH003',
      'authorization',
      "Lot expirations are set by the program with the admin key; a site key cannot change them. Record your site's beyond-use date with PUT /v1/lots/{ndc}/{lot_number}/beyond-use.",
    );
  const key = lotOf(event);
  const { record, findings } = parseLotExpiry(objectBody(event, '{"expiration": "YYYY-MM-DD"}'));
  if (!record)
    throw new Invalid(
      `The expiration of lot ${key.lot_number} of ${key.ndc} was not set: fix the issues listed.`,
      findings,
    );
  const out = await stock.setLotExpiration(key.ndc, key.lot_number, record.expiration, new Date(), 'admin');
  logger.info('lot expiration set', { created: out.created, version: out.current.version });
  return json(out.created ? 201 : 200, { ...key, ...expirationView(out.history, out.current) });
}

/** GET /v1/lots/{ndc}/{lot_number}: the expiration and its history; for a site also its own beyond-use dates. */
async function showLot(event: ApiEvent): Promise<Result> {
  const c = caller(event);
  const key = lotOf(event);
  // A site sees its own beyond-use dates (a sending facility: a client's, with ?iis_id=); never another site's.
  const iisId = c.role === 'site' ? await actingSite(event, 'Beyond-use dates are read') : undefined;
  const [expirations, buds] = await Promise.all([
    stock.lotExpirations(key.ndc, key.lot_number),
    iisId ? stock.beyondUseDates(iisId, key.ndc, key.lot_number) : Promise.resolve([]),
  ]);
  if (expirations.length === 0 && buds.length === 0)
    throw new HttpError(
      404,
      'LOT404',
      'lot_number',
      `No expiration${iisId ? ` or beyond-use date of ${iisId}` : ''} is on record for lot ${key.lot_number} of ${key.ndc}. Check the NDC and the lot number on the vial.`,
    );
  const today = localDate(new Date());
  return json(200, {
    ...key,
    ...expirationView(expirations, inForce(expirations, today)),
    ...(iisId ? { beyond_use: beyondUseView(iisId, buds, inForce(buds, today)) } : {}),
  });
}

/** PUT /v1/lots/{ndc}/{lot_number}/beyond-use: a site's beyond-use date of a lot (after thaw or puncture). */
async function setBeyondUse(event: ApiEvent): Promise<Result> {
  const iisId = await actingSite(event, 'Beyond-use dates are recorded');
  const key = lotOf(event);
  const body = objectBody(event, '{"beyond_use_date": "YYYY-MM-DD"}');
  const now = new Date();
  const expiration = stock.asOf(await stock.lotExpirations(key.ndc, key.lot_number), localDate(now));
  const { record, findings } = parseBeyondUse(body, expiration);
  if (!record)
    throw new Invalid(
      `The beyond-use date of lot ${key.lot_number} of ${key.ndc} was not recorded: fix the issues listed.`,
      findings,
    );
  const out = await stock.setBeyondUseDate(iisId, key.ndc, key.lot_number, record.beyond_use_date, now);
  logger.info('beyond-use date set', {
    iis_id: iisId,
    created: out.created,
    version: out.current.version,
    codes: codesOf(findings),
  });
  return json(out.created ? 201 : 200, {
    ...key,
    expiration: expiration ?? null,
    ...beyondUseView(iisId, out.history, out.current),
    issues: findings,
  });
}

/** One record object, or `{"<list>": [ … ]}`: the shape is checked here, the records by shared/stock. */
function recordList(
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

/**
 * Indexes of the records that must be recorded one after another, in request order: those repeating a
 * record_id (the first is the one stored; a repeat answers duplicate or STK009, whatever the timing) and, with
 * `byLot`, those of one lot (a wastage report's on-hand check sees the reports sent before it).
 */
function orderedGroups(inputs: readonly Record<string, unknown>[], byLot: boolean): number[][] {
  const groups: number[][] = [];
  const lots = new Map<string, number[]>();
  const recordIds = new Map<string, number[]>();
  inputs.forEach((input, i) => {
    const key = byLot ? parseKey(input, 'a record', []) : undefined;
    const lot = key ? `${key.ndc}|${key.lot_number}` : undefined;
    const raw = input.record_id;
    const id = typeof raw === 'string' || typeof raw === 'number' ? String(raw).trim() : undefined;
    let group = (id ? recordIds.get(id) : undefined) ?? (lot ? lots.get(lot) : undefined);
    if (!group) {
      group = [];
      groups.push(group);
    }
    group.push(i);
    if (lot && !lots.has(lot)) lots.set(lot, group);
    if (id && !recordIds.has(id)) recordIds.set(id, group);
  });
  return groups;
}

async function recordAll(
  event: ApiEvent,
  inputs: readonly Record<string, unknown>[],
  iisId: string,
  record: (input: Record<string, unknown>, ctx: RecordContext) => Promise<RecordOutcome>,
  byLot: boolean,
): Promise<RecordOutcome[]> {
  const known = new Map<string, Promise<Site | undefined>>();
  const ctx: RecordContext = {
    iis_id: iisId,
    // A receipt writes a transfer's sending side only if this key acts for the sending site too.
    caller: caller(event),
    now: new Date(),
    source: 'api',
    onHand: new Map(),
    expirations: new Map(),
    site: (id) => {
      let site = known.get(id);
      if (!site) {
        site = getSite(id);
        known.set(id, site);
      }
      return site;
    },
  };
  const results = new Array<RecordOutcome>(inputs.length);
  await mapLimit(orderedGroups(inputs, byLot), GROUP_CONCURRENCY, async (group) => {
    for (const i of group) results[i] = await record(inputs[i]!, ctx);
  });
  return results;
}

function logOutcomes(message: string, iisId: string, results: readonly RecordOutcome[]): void {
  const counts = { accepted: 0, rejected: 0, duplicate: 0 };
  const codes: Record<string, number> = {};
  for (const r of results) {
    counts[r.status]++;
    for (const f of r.issues) codes[f.code] = (codes[f.code] ?? 0) + 1;
  }
  logger.info(message, { iis_id: iisId, ...counts, codes });
}

/** POST /v1/inventory/receipts: doses received (from the distributor, or transferred from another site). */
async function receipts(event: ApiEvent): Promise<Result> {
  const iisId = await actingSite(event, 'Inventory receipts and transfers are reported');
  const inputs = recordList(jsonBody(event), 'receipts', 'receipt');
  // A receipt's outcome does not depend on the records before it: only repeated record_ids are ordered.
  const results = await recordAll(event, inputs, iisId, recordReceipt, false);
  logOutcomes('inventory receipts recorded', iisId, results);
  return json(200, { results });
}

/** POST /v1/inventory/transfers: doses sent to a site of another organization (the sender's own side). */
async function transfers(event: ApiEvent): Promise<Result> {
  const iisId = await actingSite(event, 'Transfers out are reported');
  const inputs = recordList(jsonBody(event), 'transfers', 'transfer');
  const results = await recordAll(event, inputs, iisId, recordTransferOut, false);
  logOutcomes('transfers out recorded', iisId, results);
  return json(200, { results });
}

/** POST /v1/wastage: doses lost, with the reason. */
async function wastage(event: ApiEvent): Promise<Result> {
  const iisId = await actingSite(event, 'Wastage is reported');
  const inputs = recordList(jsonBody(event), 'wastage', 'wastage report');
  const results = await recordAll(event, inputs, iisId, recordWastage, true);
  logOutcomes('wastage recorded', iisId, results);
  return json(200, { results });
}

export const handler = httpHandler(
  route({
    'PUT /v1/lots/{ndc}/{lot_number}': answering(setExpiration),
    'GET /v1/lots/{ndc}/{lot_number}': answering(showLot),
    'PUT /v1/lots/{ndc}/{lot_number}/beyond-use': answering(setBeyondUse),
    'POST /v1/inventory/receipts': answering(receipts),
    'POST /v1/inventory/transfers': answering(transfers),
    'POST /v1/wastage': answering(wastage),
  }),
);
