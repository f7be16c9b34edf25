import * as doses from '#doses/store.ts';
import { addDays } from '#platform/dates.ts';
import { logger } from '#platform/logger.ts';
import { mapLimit } from '#platform/map-limit.ts';
import { registryFor } from '#registry/routing.ts';
import { getSite } from '#sites/store.ts';
import { reportKey, siteReportKey } from './report-files.ts';
import {
  type AdminErrorRow,
  type Balance,
  type DoseChange,
  doseState,
  type ExpiringRow,
  lotKey,
  type Movement,
  type Rollup,
  rollup,
  rowsCsv,
  type SiteInfo,
  type StockRow,
  stockCsv,
  stockKey,
  type TotalRow,
} from './rollup.ts';
import * as store from './store.ts';

/**
 * Running the roll-up of a day against the stores: read what was recorded that day, chain from the previous
 * day's closing balances (rolling up missed days first), write the reports and the per-site summaries.
 * Deterministic: a day's inputs are fixed once it has ended, so a re-run writes byte-identical files.
 */

/** Where the very first run starts (from zero), so records of the weeks before it still count. */
export const CATCH_UP_DAYS = 31;
const CONCURRENCY = 16;

export interface ReportWriter {
  put(key: string, body: string, contentType: string): Promise<void>;
}

export interface RollupResult {
  date: string;
  /** Days rolled up by this run, oldest first (missed days before the one asked for). */
  days: string[];
  counts: Record<string, number>;
  files: string[];
}

export async function runRollup(date: string, writer: ReportWriter, now: () => Date): Promise<RollupResult> {
  // Chain from the newest completed day before `date`, rolling up every day between; with none at all (the
  // first run), start from zero CATCH_UP_DAYS back.
  let start = addDays(date, -CATCH_UP_DAYS);
  let previous: Balance[] = [];
  const done = await store.completedBefore(date);
  if (done) {
    start = addDays(done, 1);
    previous = (await store.siteSummaries(done)).flatMap((s) => s.balances);
  }
  const days: string[] = [];
  let last: { counts: Record<string, number>; files: string[] } = { counts: {}, files: [] };
  for (let day = start; day <= date; day = addDays(day, 1)) {
    const result = await rollupDay(day, previous, writer, now);
    previous = result.rollup.balances;
    last = result;
    days.push(day);
  }
  return { date, days, ...last };
}

async function rollupDay(
  date: string,
  previous: Balance[],
  writer: ReportWriter,
  now: () => Date,
): Promise<{ rollup: Rollup; counts: Record<string, number>; files: string[] }> {
  const [stored, versions] = await Promise.all([store.movementsOfDay(date), doses.versionsStoredOn(date)]);
  // Stored movements are movements (and more): the roll-up reads only what it counts.
  const movements: readonly Movement[] = stored;

  // Each version against the one it replaced: the same day's, or read from the table.
  const byKey = new Map(versions.map((v) => [`${v.iis_id}#${v.vax_event_id}#${v.version}`, v]));
  const doseChanges: DoseChange[] = await mapLimit(versions, CONCURRENCY, async (v) => {
    const prev =
      v.version > 1
        ? (byKey.get(`${v.iis_id}#${v.vax_event_id}#${v.version - 1}`) ??
          (await doses.getVersion(v.iis_id, v.vax_event_id, v.version - 1)))
        : undefined;
    const before = prev ? doseState(prev.dose, prev.action) : undefined;
    const after = doseState(v.dose, v.action);
    return {
      iis_id: v.iis_id,
      vax_event_id: v.vax_event_id,
      version: v.version,
      ...(before ? { before } : {}),
      ...(after ? { after } : {}),
    };
  });

  // Expirations and beyond-use dates as known at the end of the day, for every lot the day touches.
  const lots = new Map<string, { ndc: string; lot: string }>();
  const touch = (ndc: string, lot: string) => lots.set(lotKey(ndc, lot), { ndc, lot });
  for (const b of previous) touch(b.ndc, b.lot_number);
  for (const m of movements) touch(m.ndc, m.lot_number);
  for (const c of doseChanges) for (const s of [c.before, c.after]) if (s) touch(s.ndc, s.lot_number);
  const expirations = new Map<string, string>();
  const buds = new Map<string, string>();
  await mapLimit([...lots.values()], CONCURRENCY, async ({ ndc, lot }) => {
    const [exp, budsBySite] = await Promise.all([
      store.lotExpirations(ndc, lot),
      store.lotBeyondUseDates(ndc, lot),
    ]);
    const e = store.asOf(exp, date);
    if (e) expirations.set(lotKey(ndc, lot), e);
    for (const [iis, history] of budsBySite) {
      const b = store.asOf(history, date);
      if (b) buds.set(stockKey(iis, ndc, lot), b);
    }
  });

  const siteIds = new Set<string>([
    ...previous.map((b) => b.iis_id),
    ...movements.map((m) => m.iis_id),
    ...doseChanges.map((c) => c.iis_id),
  ]);
  const sites = new Map<string, SiteInfo>();
  await mapLimit([...siteIds], CONCURRENCY, async (iis) => {
    const site = await getSite(iis);
    const county = site?.admin_address_county ?? 'unknown';
    sites.set(iis, { county, registry: site ? registryFor(county, date) : 'unknown' });
  });

  const result = rollup({ date, previous, movements, doseChanges, expirations, buds, sites });
  const files = await writeReports(date, result, writer);
  await writeSummaries(date, result, writer);
  const counts = {
    stock_rows: result.stock.length,
    expiring_rows: result.expiring.length,
    admin_errors: result.adminErrors.length,
    movements: movements.length,
    dose_versions: versions.length,
  };
  await store.saveRollupStatus({ date, completed_at: now().toISOString(), files, counts });
  logger.info('nightly roll-up', { date, ...counts });
  return { rollup: result, counts, files };
}

const EXPIRING_COLUMNS: (keyof ExpiringRow)[] = [
  'date',
  'iis_id',
  'ndc',
  'lot_number',
  'expiration',
  'days_left',
  'status',
  'on_hand',
];
const ADMIN_ERROR_COLUMNS: (keyof AdminErrorRow)[] = [
  'date',
  'iis_id',
  'vax_event_id',
  'version',
  'ndc',
  'lot_number',
  'admin_date',
  'expiration',
  'beyond_use_date',
  'problem',
];
const TOTAL_COLUMNS: (keyof TotalRow)[] = [
  'date',
  'by',
  'key',
  'received',
  'transferred_out',
  'administered',
  'wasted',
  'expired_spoiled',
  'on_hand',
];

const asJson = (rows: unknown) => `${JSON.stringify(rows, null, 2)}\n`;

async function writeReports(date: string, r: Rollup, writer: ReportWriter): Promise<string[]> {
  const bodies: [string, string, string][] = [
    ['stock.csv', stockCsv(r.stock), 'text/csv'],
    ['stock.json', asJson(r.stock), 'application/json'],
    ['expiring.csv', rowsCsv(r.expiring, EXPIRING_COLUMNS), 'text/csv'],
    ['expiring.json', asJson(r.expiring), 'application/json'],
    ['admin-errors.csv', rowsCsv(r.adminErrors, ADMIN_ERROR_COLUMNS), 'text/csv'],
    ['admin-errors.json', asJson(r.adminErrors), 'application/json'],
    ['totals.csv', rowsCsv(r.totals, TOTAL_COLUMNS), 'text/csv'],
    ['totals.json', asJson(r.totals), 'application/json'],
  ];
  for (const [name, body, type] of bodies) await writer.put(reportKey(date, name), body, type);
  return bodies.map(([name]) => reportKey(date, name));
}

async function writeSummaries(date: string, r: Rollup, writer: ReportWriter): Promise<void> {
  const bySite = new Map<
    string,
    { stock: StockRow[]; expiring: ExpiringRow[]; errors: AdminErrorRow[]; balances: Balance[] }
  >();
  const of = (iis: string) => {
    let s = bySite.get(iis);
    if (!s) {
      s = { stock: [], expiring: [], errors: [], balances: [] };
      bySite.set(iis, s);
    }
    return s;
  };
  for (const row of r.stock) of(row.iis_id).stock.push(row);
  for (const row of r.expiring) of(row.iis_id).expiring.push(row);
  for (const row of r.adminErrors) of(row.iis_id).errors.push(row);
  for (const b of r.balances) of(b.iis_id).balances.push(b);
  await mapLimit([...bySite.entries()], CONCURRENCY, async ([iis, s]) => {
    await writer.put(
      siteReportKey(date, iis),
      asJson({ stock: s.stock, expiring: s.expiring, admin_errors: s.errors }),
      'application/json',
    );
    const sum = (f: (row: StockRow) => number) => s.stock.reduce((n, row) => n + f(row), 0);
    await store.saveSiteSummary({
      iis_id: iis,
      date,
      rows: { stock: s.stock.length, expiring: s.expiring.length, admin_errors: s.errors.length },
      totals: {
        received: sum((x) => x.received),
        transferred_out: sum((x) => x.transferred_out),
        administered: sum((x) => x.administered),
        wasted: sum((x) => x.wasted),
        expired_spoiled: sum((x) => x.expired_spoiled),
        on_hand: sum((x) => x.on_hand),
      },
      balances: s.balances,
    });
  });
}
