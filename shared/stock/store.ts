/**
 * The stock table:
 *   lot expiration versions   pk = LOT#<ndc>#<lot>, sk = EXP#V#<000001>: expiration, effective_at/_day, set_by
 *   beyond-use date versions  pk = LOT#<ndc>#<lot>, sk = BUD#<iis_id>#V#<000001>: beyond_use_date, effective_…
 *   a movement                pk = MOV#<iis_id>#<record_id>, sk = MOV (a transfer's negative side:
 *                             XFER#<from>#<to>#<record_id>): kind, ndc, lot, doses, date, reason, …
 *                             GSI by-day (day_part = <recorded day>#<shard>), GSI by-stock (stock_key, recorded_at)
 *   a day's roll-up           pk = ROLLUP#<date>, sk = STATUS | SITE#<iis_id> (the site's rows and balances)
 *   the newest roll-up        pk = ROLLUP#LATEST, sk = STATUS: date
 *   completed days            pk = ROLLUP#DAYS, sk = <date>
 * Each part of it has a module of its own, re-exported here: lot-dates.ts (versions), movements.ts, summaries.ts
 * (the roll-up's days).
 */
export * from './lot-dates.ts';
export * from './movements.ts';
export * from './summaries.ts';
