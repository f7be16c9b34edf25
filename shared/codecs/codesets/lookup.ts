/** Lookups shared by the code set modules: frozen prebuilt entries, and a retry with the trimmed upper-cased code. */
import type { Entry } from './types.ts';

/** Entries are shared by every caller, so they are frozen, lists included. */
export function frozen<T extends object>(value: T): T {
  for (const v of Object.values(value)) if (Array.isArray(v)) Object.freeze(v);
  return Object.freeze(value);
}

export function index<T>(record: Record<string, Entry<T>>): Map<string, T> {
  const map = new Map<string, T>();
  for (const [code, value] of Object.entries(record)) map.set(code, frozen({ code, ...value }) as T);
  return map;
}

export function labels(record: Record<string, string>): Map<string, string> {
  return new Map(Object.entries(record));
}

function canon(code: string): string | undefined {
  if (typeof code !== 'string') return undefined;
  const c = code.trim().toUpperCase();
  return c === code ? undefined : c;
}

export function get<T>(map: ReadonlyMap<string, T>, code: string): T | undefined {
  const hit = map.get(code);
  if (hit !== undefined) return hit;
  const c = canon(code);
  return c === undefined ? undefined : map.get(c);
}

export function has(set: ReadonlySet<string>, code: string): boolean {
  if (set.has(code)) return true;
  const c = canon(code);
  return c !== undefined && set.has(c);
}
