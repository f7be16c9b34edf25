/**
 * The uptake counters between nights, as objects under analytics/state/ in the reports bucket:
 *   days/<admin day>.json      per run that changed the day, what it changed: { runs: { <run>: { <measure|subject>: n } } }
 *   cumulative/<run>.json      every counter with the day summed away, as of that run: { <measure|subject>: n }
 *   runs/<run>.json            the admin days a run changed (so a re-run that changes fewer days clears the rest)
 *
 * A day's figure as of a run is the sum of the runs up to it, so a late dose received today moves last week's day
 * from today's run on, while last week's own run still reads as it did. Each run writes only its own entries, and
 * its cumulative from the previous run's: running a day again rewrites the same bytes.
 */
import type { ObjectStore } from '#platform/aws/objects.ts';
import { mapLimit } from '#platform/map-limit.ts';
import { parseCounterKey } from '../uptake.ts';

export type Counts = Record<string, number>;
interface DayFile {
  runs: Record<string, Counts>;
}

const STATE = 'analytics/state';
const dayKey = (day: string) => `${STATE}/days/${day}.json`;
const cumulativeKey = (run: string) => `${STATE}/cumulative/${run}.json`;
const runKey = (run: string) => `${STATE}/runs/${run}.json`;

/** Objects as sorted JSON, so equal contents are equal bytes. */
export function sortedJson(value: unknown): string {
  return JSON.stringify(value, (_k, v) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

export async function readJson<T>(store: ObjectStore, key: string): Promise<T | undefined> {
  try {
    return JSON.parse(await store.get(key)) as T;
  } catch (err) {
    if ((err as { name?: string }).name === 'NoSuchKey') return undefined;
    throw err;
  }
}

const put = (store: ObjectStore, key: string, value: unknown) =>
  store.put(key, sortedJson(value), 'application/json');

/** Splits `measure|subject|day` deltas by day. */
function byDay(deltas: ReadonlyMap<string, number>): Map<string, Counts> {
  const out = new Map<string, Counts>();
  for (const [key, n] of deltas) {
    const k = parseCounterKey(key);
    if (!k) continue;
    const c = out.get(k.day) ?? {};
    c[`${k.measure}|${k.subject}`] = n;
    out.set(k.day, c);
  }
  return out;
}

/** Records a run's deltas: its entry in each admin day it changes (and none in days it no longer changes). */
export async function recordRun(
  store: ObjectStore,
  run: string,
  deltas: ReadonlyMap<string, number>,
  previousRun: string | undefined,
): Promise<string[]> {
  const days = byDay(deltas);
  const earlier = (await readJson<{ days: string[] }>(store, runKey(run)))?.days ?? [];
  const touched = [...new Set([...earlier, ...days.keys()])].sort();
  await mapLimit(touched, 8, async (day) => {
    const file = (await readJson<DayFile>(store, dayKey(day))) ?? { runs: {} };
    const entry = days.get(day);
    if (entry) file.runs[run] = entry;
    else delete file.runs[run];
    await put(store, dayKey(day), file);
  });
  const cumulative = previousRun ? ((await readJson<Counts>(store, cumulativeKey(previousRun))) ?? {}) : {};
  for (const c of days.values())
    for (const [k, n] of Object.entries(c)) {
      const v = (cumulative[k] ?? 0) + n;
      if (v === 0) delete cumulative[k];
      else cumulative[k] = v;
    }
  await put(store, cumulativeKey(run), cumulative);
  const changed = [...days.keys()].sort();
  await put(store, runKey(run), { days: changed });
  return changed;
}

/** The admin days a run changed. */
export const daysChangedBy = async (store: ObjectStore, run: string) =>
  (await readJson<{ days: string[] }>(store, runKey(run)))?.days;

/** An admin day's counters (`measure|subject|day`) as of a run. */
export async function dayAsOf(store: ObjectStore, day: string, run: string): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  const file = await readJson<DayFile>(store, dayKey(day));
  for (const [r, counts] of Object.entries(file?.runs ?? {})) {
    if (r > run) continue;
    for (const [k, n] of Object.entries(counts)) out.set(`${k}|${day}`, (out.get(`${k}|${day}`) ?? 0) + n);
  }
  for (const [k, n] of out) if (n === 0) out.delete(k);
  return out;
}

/** Every counter as of a run with the day summed away (`measure|subject`), or undefined without that run. */
export const cumulativeAsOf = (store: ObjectStore, run: string) =>
  readJson<Counts>(store, cumulativeKey(run));
